"""Microflows for the async order example (bpmn/async_order.bpmn).

`reserve_stock` runs as a job: the model marks its task `camunda:asyncBefore="true"` and sets
its retries and backoff (`camunda:failedJobRetryTimeCycle` R3/PT5S); its timeout comes from the
decorator. A worker may run it more than once for one task (delivery is at least once), so it
names the reservation after its idempotency key: a repeat asks for the same reservation.
`confirm_order` is sync: it runs inside the step that delivers the payment message.
"""

from engine import call_context, microflow


@microflow("reserve_stock", timeout=20)
def reserve_stock(order_id: str, sku: str, quantity: int = 1) -> dict[str, object]:
    """Reserve `quantity` of `sku` for the order (a stand-in for a warehouse service call).

    Returns `reservation_id`, made from the job's idempotency key, and `reserved` (the quantity).
    """
    context = call_context()
    key = context.idempotency_key if context is not None else order_id
    return {"reservation_id": f"R-{key[:8]}", "reserved": quantity}


@microflow("confirm_order")
def confirm_order(order_id: str, reservation_id: str) -> dict[str, object]:
    """Confirm a paid order whose stock is reserved: sets `confirmation`."""
    return {"confirmation": f"order {order_id} confirmed, stock {reservation_id}"}
