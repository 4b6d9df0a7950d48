"""A journey between two stops of a train: which run it is on, when it leaves and arrives, its fare.

Pure schedule arithmetic over a train's stops and classes, shared by search, the seat map and
booking, so that all three agree on what "travel date", "departed" and "fare" mean.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.utils import timezone

from irctc.exceptions import InvalidInput
from trains.errors import JourneyDeparted
from trains.fares import FareBreakdown, fare_breakdown
from trains.layouts import LAYOUTS
from trains.models import Stop, Train, TrainClass, normalize_station
from trains.pools import GENERAL_QUOTA


def as_time(value) -> time | None:
    """A TIME value as `datetime.time`, from a `time`, the timedelta of MariaDB's driver or text (JSON, SQLite)."""
    if value is None:
        return None
    if isinstance(value, time):
        return value
    if isinstance(value, timedelta):
        seconds = int(value.total_seconds())
        return time(seconds // 3600, seconds % 3600 // 60, seconds % 60)
    return time.fromisoformat(value[:8])


def moment(day: date, clock, zone=None) -> datetime:
    """A local time of day on a date, as an aware datetime in `zone` (default: the current zone).

    A search makes two per journey: it looks the zone up once and passes it (the lookup goes
    through a context-local and showed in the profile)."""
    return datetime.combine(day, clock, tzinfo=zone or timezone.get_current_timezone())


@dataclass(frozen=True)
class Journey:
    train: Train
    from_stop: Stop
    to_stop: Stop
    train_class: TrainClass
    run_date: date  # the origin date of the run

    @property
    def class_code(self) -> str:
        return self.train_class.code

    @property
    def segments(self) -> range:
        return range(self.from_stop.index, self.to_stop.index)

    @property
    def travel_date(self) -> date:
        return self.run_date + timedelta(days=self.from_stop.day_offset)

    @property
    def departure(self) -> datetime:
        return moment(self.travel_date, self.from_stop.departure_time)

    @property
    def arrival(self) -> datetime:
        return moment(self.run_date + timedelta(days=self.to_stop.arrival_day()), self.to_stop.arrival_time)

    @property
    def distance_km(self) -> int | None:
        from_km, to_km = self.from_stop.distance_km, self.to_stop.distance_km
        return None if from_km is None or to_km is None else to_km - from_km

    def fare_breakdown(self, quota: str = GENERAL_QUOTA) -> FareBreakdown | None:
        """Each passenger's fare with its charges, in `quota` (`trains.fares`)."""
        return fare_breakdown(
            class_code=self.class_code,
            fare_per_km=self.train_class.fare_per_km,
            distance_km=self.distance_km,
            superfast=self.train.superfast,
            quota=quota,
        )

    @property
    def berth_types(self) -> tuple[str, ...]:
        return LAYOUTS[self.class_code].berth_types


def _stop_named(stops: list[Stop], name: str | None, *, default: Stop, field: str) -> Stop:
    if name is None:
        return default
    key = normalize_station(name)
    for stop in stops:
        if stop.station_key == key:
            return stop
    raise InvalidInput({field: [f"{name!r} is not a stop of this train; its stops are {_names(stops)}."]})


def _names(stops: list[Stop]) -> str:
    return ", ".join(stop.station for stop in stops)


def class_of(train: Train, classes: list[TrainClass], code: str | None, *, field: str = "class") -> TrainClass:
    """The train's class `code`; may be left out only when the train has one class."""
    if code is None:
        if len(classes) == 1:
            return classes[0]
        offered = ", ".join(train_class.code for train_class in classes)
        raise InvalidInput({field: [f"Train {train.train_number} has several classes ({offered}); choose one."]})
    for train_class in classes:
        if train_class.code == code:
            return train_class
    offered = ", ".join(train_class.code for train_class in classes)
    raise InvalidInput({field: [f"Train {train.train_number} has no class {code}; it has {offered}."]})


def plan_journey(
    *,
    train: Train,
    travel_date: date,
    from_station: str | None = None,
    to_station: str | None = None,
    class_code: str | None = None,
    for_booking: bool = True,
    date_field: str = "travel_date",
) -> Journey:
    """The journey on `train` leaving `from_station` (default: the first stop) on `travel_date`.

    Raises `InvalidInput` naming the field for stations that are not stops (or not in order), an unknown
    or missing class, a day the train does not leave that station, and, `for_booking`, a date
    outside the booking window or a departure that has passed (`journey_departed`).
    """
    stops = train.stop_list()
    classes = train.class_list()
    from_stop = _stop_named(stops, from_station, default=stops[0], field="from_station")
    to_stop = _stop_named(stops, to_station, default=stops[-1], field="to_station")
    if to_stop.index <= from_stop.index:
        raise InvalidInput(
            {"to_station": [f"{to_stop.station} does not come after {from_stop.station} on this train's route."]}
        )
    train_class = class_of(train, classes, class_code)
    run_date = travel_date - timedelta(days=from_stop.day_offset)
    if not train.runs_on_date(run_date):
        raise InvalidInput(
            {
                date_field: [
                    f"Train {train.train_number} does not leave {from_stop.station} on {travel_date:%A}s"
                    f" (it starts from {stops[0].station} on {', '.join(train.runs_on)})."
                ]
            }
        )
    journey = Journey(train=train, from_stop=from_stop, to_stop=to_stop, train_class=train_class, run_date=run_date)
    if for_booking:
        check_bookable(journey, date_field=date_field)
    return journey


def check_bookable(journey: Journey, *, date_field: str = "travel_date") -> None:
    """Inside the booking window, and the train has not yet left the boarding station."""
    if not journey.train.is_active:
        raise InvalidInput({"train": ["This train is not in service."]})
    today = timezone.localdate()
    if journey.travel_date < today:
        raise InvalidInput({date_field: ["The travel date is in the past."]})
    if journey.travel_date > today + timedelta(days=settings.BOOKING_WINDOW_DAYS):
        raise InvalidInput({date_field: [f"Bookings open {settings.BOOKING_WINDOW_DAYS} days before the journey."]})
    if journey.departure <= timezone.now():
        message = (
            f"Train {journey.train.train_number} left {journey.from_stop.station} at"
            f" {timezone.localtime(journey.departure):%H:%M} on {journey.travel_date}; bookings for it are closed."
        )
        raise JourneyDeparted({date_field: [message]}, message)
