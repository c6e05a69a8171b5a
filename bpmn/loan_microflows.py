"""Microflows for the example models in this folder (bpmn/loan_approval.bpmn)."""

from engine import microflow


@microflow("credit_score")
def credit_score(customer_id: str, amount: int) -> int:
    """A stand-in credit score: 750 when `amount` is at most 5000, otherwise 650.

    Deterministic on purpose, so the example always takes the same path: loans up to 5000
    are approved automatically; larger ones go to a credit officer. `customer_id` is unused.
    """
    return 750 if amount <= 5000 else 650
