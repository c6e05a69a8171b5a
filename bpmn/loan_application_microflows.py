"""Microflows for the loan application example (bpmn/loan_application.bpmn).

Each shows one way a microflow is called:

- `credit_check`: sync, on the start form's "Customer number" field. The page calls it when the
  person leaves the field and blocks the screen until it answers; its answer fills the applicant's
  name and e-mail, shows the credit score beside the field, or an error for an unknown customer.
- `monthly_payment`: sync, on the review form's "Interest rate" field, called while the credit
  officer types (debounced); it shows the monthly payment beside the field.
- `draft_contract`: async, a button on the review form: the officer keeps working and the draft's
  summary appears beside the button when the job is done.
- `score_application`: sync, the service task "Score application": sets `application_id` (which
  the message contract_signed is correlated on) and `credit_score`.
- `send_contract`: async, the service task "Send contract" (`camunda:asyncBefore="true"`): a worker
  runs it as a job, with the retries the model sets.
- `remind_credit_officers`: sync, after the review's hourly reminder timer fires.

The credit bureau and the mail server are stand-ins: a small table and nothing at all.
"""

from __future__ import annotations

import time

from engine import call_context, microflow

BUREAU = {
    "C-100": ("Ada Lovelace", "ada@example.com", 780),
    "C-200": ("Alan Turing", "alan@example.com", 690),
    "C-300": ("Grace Hopper", "grace@example.com", 610),
}
"""The stand-in credit bureau: customer number → name, e-mail and credit score."""
UNKNOWN_SCORE = 600
"""The score of a customer the bureau does not know."""
DRAFT_SECONDS = 1.0
"""How long drafting a contract takes: long enough to see the async result arrive later."""


def _key(customer_id: object) -> str:
    """A customer number as the bureau files it: "c-100 " is C-100."""
    return str(customer_id or "").strip().upper()


def _score(customer_id: object) -> int:
    found = BUREAU.get(_key(customer_id))
    return found[2] if found else UNKNOWN_SCORE


def _rating(score: int) -> str:
    return "good" if score >= 700 else "fair" if score >= 650 else "poor"


def _payment(amount: float, term_months: int, rate_percent: float) -> float:
    """The annuity's monthly payment, rounded to cents."""
    monthly = rate_percent / 100 / 12
    if monthly == 0:
        return round(amount / term_months, 2)
    return round(amount * monthly / (1 - (1 + monthly) ** -term_months), 2)


@microflow("credit_check")
def credit_check(customer_id: str | None = None) -> dict[str, object]:
    """Look a customer up at the credit bureau: fills `applicant` and `email`, shows the score.

    An unknown customer number answers `{"error": ...}`, which the form shows beside the field.
    """
    key = _key(customer_id)
    if not key:
        return {"message": ""}
    if key not in BUREAU:
        return {"error": f"The credit bureau knows no customer {key}."}
    name, email, score = BUREAU[key]
    return {
        "customer_id": key,
        "applicant": name,
        "email": email,
        "message": f"Credit score {score} ({_rating(score)})",
    }


@microflow("monthly_payment")
def monthly_payment(
    amount: int | None = None, term_months: int | None = None, interest_rate: float | None = None
) -> dict[str, object]:
    """The monthly payment for the amount, term and the interest rate being typed."""
    if interest_rate is None:
        return {"message": ""}
    if not amount or not term_months:
        return {"error": "The application has no amount or term."}
    if not 0 <= interest_rate <= 20:
        return {"error": "The rate must be between 0 and 20 %."}
    payment = _payment(amount, term_months, interest_rate)
    return {"message": f"{payment:,.2f} a month over {term_months} months"}


@microflow("draft_contract", mode="async", retries=0, timeout=30)
def draft_contract(
    amount: int, term_months: int = 36, interest_rate: float | None = None, note: str | None = None
) -> dict[str, object]:
    """Draft the contract (slowly, as a document service would) and summarise it."""
    if interest_rate is None:
        return {"error": "Enter an interest rate first."}
    time.sleep(DRAFT_SECONDS)
    context = call_context()
    draft = f"D-{context.idempotency_key[:6]}" if context is not None else "D-draft"
    payment = _payment(amount, term_months, interest_rate)
    terms = f"{amount:,} at {interest_rate} % over {term_months} months"
    return {"message": f"Draft {draft}: {terms}, {payment:,.2f} a month"}


@microflow("score_application")
def score_application(customer_id: str, amount: int) -> dict[str, object]:
    """Register the application and score it: sets `application_id` and `credit_score`."""
    context = call_context()
    instance = context.instance_id if context is not None and context.instance_id else "0" * 8
    return {"application_id": f"LA-{instance[:8].upper()}", "credit_score": _score(customer_id)}


@microflow("send_contract", mode="async", timeout=30)
def send_contract(application_id: str, email: str, amount: int) -> dict[str, object]:
    """Send the contract to the applicant for signing: sets `contract_id` and `contract_sent`.

    A stand-in for a mail or e-signature service; the contract is named after the job's
    idempotency key, so a repeated delivery of the job sends the same contract.
    """
    context = call_context()
    key = context.idempotency_key if context is not None else application_id
    return {"contract_id": f"K-{key[:8]}", "contract_sent": True}


SENT_REMINDERS: list[str] = []
"""The reminders sent by this process, newest last: a stand-in for an e-mail to the group."""


@microflow("remind_credit_officers")
def remind_credit_officers(application_id: str, applicant: str) -> dict[str, object]:
    """Remind the credit officers that an application waits for their review (a stand-in e-mail).

    Runs on the reminder's own branch, which ends after it: what it returns stays on that branch
    and does not change the variables the review sees.
    """
    text = f"Application {application_id} of {applicant} waits for a credit officer's review."
    SENT_REMINDERS.append(text)
    return {"reminder": text}
