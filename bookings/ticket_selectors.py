"""What a PNR, a ticket and a choice of seats say: the reads behind PNR status, the e-ticket
and the passengers page's "who sits where".

Apart from `bookings.selectors` (search, the seat map, bookings for display) because these build
the traveller-by-traveller view of one booking that PNR status, the ticket page and the PDF
share.
"""

from bookings.inventory.seat_choice import PassengerRequest, assign_chosen_seats
from bookings.models import Booking
from bookings.selectors import _with_display_data, journey_times, passenger_status_data, visible_booking
from irctc.exceptions import NotFound
from trains.layouts import LAYOUTS, berth_of


def pnr_status(pnr: str) -> dict:
    """What anyone holding a PNR may know: the journey and each traveller's status, berth and fare.

    No names, ages, genders or account: a PNR is printed on paper and read out loud.
    """
    booking = _with_display_data(Booking.objects.filter(pnr=pnr)).first()
    if booking is None:
        raise NotFound(f"No booking has PNR {pnr}.")
    departure, _arrival = journey_times(booking)
    return {
        "pnr": booking.pnr,
        "status": booking.status,
        "waitlist_position": booking.waitlist_position,
        "train": {"train_number": booking.run.train.train_number, "name": booking.run.train.name},
        "travel_date": booking.travel_date,
        "from_station": booking.from_station,
        "to_station": booking.to_station,
        "departure": departure,
        "class_code": booking.class_code,
        "quota": booking.quota,
        "fare": booking.fare,
        "passengers": _travellers(booking),
    }


def _travellers(booking: Booking) -> list[dict]:
    """Each traveller of a booking read by `_with_display_data`, numbered from 1, with the
    booking's status, their own as booked and now, their berth (the shared one while RAC; None
    while waitlisted or cancelled) and their fare."""
    breakdown = booking.fare_breakdown
    travellers = []
    for passenger in booking.passenger_list:
        seat = passenger.seat_number
        berth = berth_of(booking.class_code, seat) if seat is not None else None
        travellers.append(
            {
                "number": passenger.position,
                "status": booking.status,
                **passenger_status_data(passenger),
                "seat_number": seat,
                "coach": berth.coach if berth else None,
                "berth": berth.berth if berth else None,
                "berth_type": berth.berth_type if berth else None,
                "fare": None if breakdown is None else breakdown.total,
                "fare_breakdown": breakdown,
            }
        )
    return travellers


def seating(*, class_code: str, seat_numbers: list[int], passengers: list[dict]) -> list[dict]:
    """Who would sit where if these passengers held these seats: each passenger's berth, by the
    rule `services.hold_seats` applies (`seat_choice.assign_chosen_seats`), in their order."""
    requests = [PassengerRequest(**passenger) for passenger in passengers]
    seats = assign_chosen_seats(seat_numbers=seat_numbers, code=class_code, passengers=requests)
    return [{"name": r.name, **berth_of(class_code, seat).as_dict()} for r, seat in zip(requests, seats, strict=True)]


def e_ticket(*, booking_id: int, user) -> dict | None:
    """What the e-ticket of a booking says, for its owner or an ADMIN; None for anyone else.

    The PNR status's journey and travellers (`pnr_status`), with the travellers' names, the
    train's full name, the times and the fare: the ticket is for the person travelling.
    """
    booking = visible_booking(booking_id=booking_id, user=user)
    if booking is None:
        return None
    departure, arrival = journey_times(booking)
    travellers = _travellers(booking)
    for traveller, passenger in zip(travellers, booking.passenger_list, strict=False):
        traveller.update(name=passenger.name, age=passenger.age, gender=passenger.gender)
    return {
        "pnr": booking.pnr,
        "status": booking.status,
        "status_name": booking.get_status_display(),
        "waitlist_position": booking.waitlist_position,
        "train_number": booking.run.train.train_number,
        "train_name": booking.run.train.name,
        "class_code": booking.class_code,
        "class_name": LAYOUTS[booking.class_code].name,
        "quota": booking.quota,
        "travel_date": booking.travel_date,
        "from_station": booking.from_station,
        "to_station": booking.to_station,
        "departure": departure,
        "arrival": arrival,
        "fare": booking.fare,
        "booked_at": booking.created_at,
        "cancelled_at": booking.cancelled_at,
        "travellers": travellers,
    }
