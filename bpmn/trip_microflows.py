"""Microflows for the trip booking example (bpmn/trip_booking.bpmn, Camunda 7).

Booking the hotel and the flight run on parallel branches and each writes its own process
variable; charging the card fails with the BPMN error `card_declined` above the card's limit,
which starts the model's error event subprocess: it compensates both bookings (their cancel
microflows run, newest booking first) and asks the travel desk to tell the traveller.
"""

from engine import BpmnError, microflow

CARD_LIMIT = 5000
"""Charges above this are declined."""
CANCELLED: list[str] = []
"""Bookings cancelled by this process, newest last (for the example's tests)."""


@microflow("book_hotel")
def book_hotel(trip_id: str, nights: int = 1) -> dict[str, object]:
    """Reserve the hotel; returns `hotel_booking`, the reservation's reference."""
    return {"hotel_booking": f"H-{trip_id}-{nights}N"}


@microflow("book_flight")
def book_flight(trip_id: str) -> dict[str, object]:
    """Reserve the flight; returns `flight_booking`, the ticket's reference."""
    return {"flight_booking": f"F-{trip_id}"}


@microflow("charge_card")
def charge_card(amount: int) -> dict[str, object]:
    """Charge the traveller's card; raises BpmnError `card_declined` above CARD_LIMIT."""
    if amount > CARD_LIMIT:
        raise BpmnError("card_declined", f"a charge of {amount} is above the card's limit")
    return {"charged": amount}


@microflow("cancel_hotel")
def cancel_hotel(hotel_booking: str) -> dict[str, object]:
    """Undo book_hotel (its compensation handler)."""
    CANCELLED.append(hotel_booking)
    return {"hotel_cancelled": True}


@microflow("cancel_flight")
def cancel_flight(flight_booking: str) -> dict[str, object]:
    """Undo book_flight (its compensation handler)."""
    CANCELLED.append(flight_booking)
    return {"flight_cancelled": True}
