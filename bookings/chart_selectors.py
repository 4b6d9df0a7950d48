"""The reservation chart of a charted run: who sits where, and which berths are vacant where.

Read for the operator (`GET /api/runs/{train}/{date}/chart/`, the dashboard's printable chart),
after the chart is prepared; before it there is no chart to show (`NotFound`).
"""

from datetime import date

from bookings.models import Booking, Passenger, SeatAllocation, TrainRun
from irctc.exceptions import NotFound
from trains.layouts import berth_of


def reservation_chart(*, train_id: int, run_date: date) -> dict:
    run = TrainRun.objects.select_related("train").filter(train_id=train_id, run_date=run_date).first()
    if run is None or run.charted_at is None:
        raise NotFound("The chart of this run has not been prepared yet.")
    stops = run.train.stop_list()
    return {
        "train": {"id": run.train_id, "train_number": run.train.train_number, "name": run.train.name},
        "run_date": run.run_date,
        "charted_at": run.charted_at,
        "passengers": _charted_passengers(run),
        "vacant": _vacant_berths(run, stops),
    }


def _charted_passengers(run: TrainRun) -> list[dict]:
    """Every passenger travelling on the run (CNF, and RAC on their shared berth), coach by coach."""
    travelling = (
        Passenger.objects.filter(booking__run=run, status__in=[Passenger.Status.CNF, Passenger.Status.RAC])
        .exclude(booking__status=Booking.Status.CANCELLED)
        .select_related("booking")
    )
    rows = []
    for passenger in travelling:
        booking = passenger.booking
        berth = berth_of(booking.class_code, passenger.seat_number)
        rows.append(
            {
                "pnr": booking.pnr,
                "name": passenger.name,
                "age": passenger.age,
                "gender": passenger.gender,
                "class": booking.class_code,
                "coach": berth.coach,
                "berth": berth.berth,
                "berth_type": berth.berth_type,
                "seat_number": passenger.seat_number,
                "from_station": booking.from_station,
                "to_station": booking.to_station,
                "status": passenger.status,
            }
        )
    return sorted(rows, key=lambda row: (row["class"], row["seat_number"], row["from_station"], row["pnr"]))


def _vacant_berths(run: TrainRun, stops: list) -> list[dict]:
    """Each berth of each class with the stretches of the route on which nobody holds it: one entry
    per stretch of consecutive free segments. An RAC berth counts as held where a place on it is."""
    segments = len(stops) - 1
    vacant = []
    for train_class in run.train.class_list():
        code = train_class.code
        taken: dict[int, set[int]] = {}
        for segment, seat, place_berth in _held(run, code):
            taken.setdefault(place_berth or seat, set()).add(segment)
        for seat in range(1, train_class.seats + 1):
            berth = berth_of(code, seat)
            start = None
            for segment in range(segments + 1):
                free = segment < segments and segment not in taken.get(seat, ())
                if free and start is None:
                    start = segment
                elif not free and start is not None:
                    vacant.append(
                        {
                            "class": code,
                            "coach": berth.coach,
                            "berth": berth.berth,
                            "berth_type": berth.berth_type,
                            "seat_number": seat,
                            "from_station": stops[start].station,
                            "to_station": stops[segment].station,
                        }
                    )
                    start = None
    return vacant


def _held(run: TrainRun, code: str):
    """(segment, seat number, the berth an RAC place is on or None) of every allocation of the class."""
    places = dict(
        Passenger.objects.filter(booking__run=run, booking__class_code=code, status=Passenger.Status.RAC)
        .exclude(rac_place=None)
        .values_list("rac_place", "seat_number")
    )
    from bookings.models import RAC_PLACE_BASE, is_rac_place

    for segment, seat in SeatAllocation.objects.filter(run=run, class_code=code).values_list("segment", "seat_number"):
        if is_rac_place(seat):
            yield segment, seat, places.get(seat - RAC_PLACE_BASE)
        else:
            yield segment, seat, None
