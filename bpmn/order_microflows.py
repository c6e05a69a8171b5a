"""Microflows for the order example, drawn once per editor dialect.

bpmn/order_camunda7.bpmn (external task topic), bpmn/order_camunda8.bpmn (Zeebe job type) and
bpmn/order_spiff.bpmn (SpiffArena service task operator) all call `price_order` with the
order's `amount` and `express`, and none names a result variable: the returned dict is merged
into the process variables, so the "Needs approval?" gateway reads `total` directly.
"""

from engine import microflow

EXPRESS_SURCHARGE = 25
"""Added to the amount when the customer asks for express delivery."""
APPROVAL_LIMIT = 1000
"""Orders whose total is above this wait for a sales manager's approval."""


@microflow("price_order")
def price_order(amount: int, express: bool = False) -> dict[str, object]:
    """Price an order: the amount, plus a fixed surcharge for express delivery.

    Returns `total` and `needs_approval` (whether `total` is above 1000). Deterministic on
    purpose, so the example always takes the same path for the same input.
    """
    total = amount + (EXPRESS_SURCHARGE if express else 0)
    return {"total": total, "needs_approval": total > APPROVAL_LIMIT}
