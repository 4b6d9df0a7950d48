import json
from datetime import time
from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q

from trains import statements
from trains.layouts import CLASS_ORDER
from trains.rendering import class_data, stop_data

WEEKDAYS = ["MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN"]
EVERY_DAY_MASK = (1 << len(WEEKDAYS)) - 1
MAX_TOTAL_SEATS = 5000
MIN_STOPS, MAX_STOPS = 2, 30
MAX_DAY_OFFSET = 3
MAX_COACHES = 30


def normalize_station(name: str) -> str:
    """The search key of a station: trimmed, inner spaces collapsed, case-folded."""
    return " ".join(name.split()).casefold()


def arrival_day(arrival_time, departure_time, day_offset: int) -> int | None:
    """Days from the origin date to the arrival at a stop (`day_offset` is the day it leaves):
    the day before when it arrives before midnight and leaves after."""
    if arrival_time is None:
        return None
    if departure_time is not None and arrival_time > departure_time:
        return day_offset - 1
    return day_offset


def weekday_bit(weekday_index: int) -> int:
    """Bit of `runs_on_mask` for a `date.weekday()` (Monday is 0)."""
    return 1 << weekday_index


def mask_from_codes(codes) -> int:
    mask = 0
    for code in codes:
        mask |= weekday_bit(WEEKDAYS.index(code))
    return mask


def codes_from_mask(mask: int) -> list[str]:
    return [code for index, code in enumerate(WEEKDAYS) if mask & weekday_bit(index)]


def running_days_text(codes) -> str:
    """The running days as a timetable prints them: "Daily", or "Mon Wed Fri"."""
    codes = list(codes)
    return "Daily" if len(codes) == len(WEEKDAYS) else " ".join(code.title() for code in codes)


class TrainQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)


class Train(models.Model):
    """A scheduled service along its `stops`, on the weekdays of `runs_on_mask`, with its `classes`.

    The first/last-stop columns (`source` ... `arrival_day_offset`) and `total_seats` summarize
    the stops and the classes, kept by `trains.services` in the same transaction that writes
    them: listings sort and show them without a join, and version-1 clients read them.
    """

    train_number = models.CharField(
        max_length=5, unique=True, validators=[RegexValidator(r"^\d{5}$", "A train number is exactly 5 digits.")]
    )
    name = models.CharField(max_length=100)
    source = models.CharField(max_length=64)
    destination = models.CharField(max_length=64)
    # Normalized copies of the stations, so search is an indexed equality on every database.
    source_key = models.CharField(max_length=64, editable=False)
    destination_key = models.CharField(max_length=64, editable=False)
    departure_time = models.TimeField()
    arrival_time = models.TimeField()
    arrival_day_offset = models.PositiveSmallIntegerField(default=0, validators=[MaxValueValidator(3)])
    total_seats = models.PositiveIntegerField(validators=[MinValueValidator(1), MaxValueValidator(MAX_TOTAL_SEATS)])
    runs_on_mask = models.PositiveSmallIntegerField(default=EVERY_DAY_MASK)
    # A superfast train adds the superfast charge to every fare (`trains.fares`).
    superfast = models.BooleanField(default=False)
    # Retired trains keep their history (past bookings point at them) but leave search and listings.
    is_active = models.BooleanField(default=True)
    # The stops and the classes as the API shows them (JSON), written with them (`index_stops`,
    # `index_classes`): search returns them as they are, instead of reading and rendering the
    # stops and classes of every journey it shows.
    stops_json = models.TextField(default="[]", editable=False)
    classes_json = models.TextField(default="[]", editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = TrainQuerySet.as_manager()

    # The stops and classes `with_rendered_schedule` built from `stops_json` and `classes_json`;
    # None where they come through the `stops` and `classes` relations.
    rendered_stops: list["Stop"] | None = None
    rendered_classes: list["TrainClass"] | None = None

    class Meta:
        ordering = ["departure_time", "train_number"]
        indexes = [
            models.Index(
                fields=["source_key", "destination_key", "is_active", "departure_time"], name="train_route_idx"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(source_key=models.F("destination_key")), name="train_distinct_stations"
            ),
            models.CheckConstraint(
                condition=Q(total_seats__gte=1, total_seats__lte=MAX_TOTAL_SEATS), name="train_total_seats_range"
            ),
            models.CheckConstraint(condition=Q(arrival_day_offset__lte=3), name="train_arrival_day_offset_range"),
            models.CheckConstraint(
                condition=Q(runs_on_mask__gte=1, runs_on_mask__lte=EVERY_DAY_MASK), name="train_runs_on_mask_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.train_number} {self.name}"

    @property
    def runs_on(self) -> list[str]:
        return codes_from_mask(self.runs_on_mask)

    def runs_on_date(self, travel_date) -> bool:
        return bool(self.runs_on_mask & weekday_bit(travel_date.weekday()))

    def stop_list(self) -> list["Stop"]:
        """The stops in route order: as rendered with the row (`with_rendered_schedule`), else
        through `stops` (prefetched with the train, or read now). Not to be changed: a train kept
        between requests shares its list with every thread."""
        return list(self.stops.all()) if self.rendered_stops is None else self.rendered_stops

    def class_list(self) -> list["TrainClass"]:
        """The classes in `layouts.CLASS_ORDER`, from where `stop_list` takes the stops."""
        return list(self.classes.all()) if self.rendered_classes is None else self.rendered_classes

    def save(self, *args, **kwargs):
        self.source_key = normalize_station(self.source)
        self.destination_key = normalize_station(self.destination)
        super().save(*args, **kwargs)


STATION_CODE_PATTERN = r"^[A-Z]{2,5}$"


class Station(models.Model):
    """A station's code (NDLS, BCT, KOTA): one code names one station on every train.

    Stops name their station by its name (`Stop.station`, searched by `Stop.station_key`); this
    table only pairs a name's key with its code, so a stop needs no join to be searched, and a
    station without a code (most of a load test's) needs no row. Written by `trains.stations`
    when a stop brings a `station_code`.
    """

    code = models.CharField(
        max_length=5,
        unique=True,
        validators=[RegexValidator(STATION_CODE_PATTERN, "A station code is 2 to 5 capital letters.")],
    )
    name = models.CharField(max_length=64)
    key = models.CharField(max_length=64, unique=True, editable=False)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def save(self, *args, **kwargs):
        self.key = normalize_station(self.name)
        super().save(*args, **kwargs)


class Stop(models.Model):
    """The train's `index`-th stop (0-based). Segment i is the stretch from stop i to stop i + 1.

    `day_offset` counts days from the run's origin date to the day the train leaves this stop
    (arrives, at the last stop). An intermediate stop whose arrival time is later than its
    departure time was reached the day before it is left.
    """

    train = models.ForeignKey(Train, on_delete=models.CASCADE, related_name="stops")
    index = models.PositiveSmallIntegerField()
    station = models.CharField(max_length=64)
    station_key = models.CharField(max_length=64, editable=False)
    arrival_time = models.TimeField(null=True, blank=True)
    departure_time = models.TimeField(null=True, blank=True)
    day_offset = models.PositiveSmallIntegerField(default=0, validators=[MaxValueValidator(MAX_DAY_OFFSET)])
    distance_km = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["train_id", "index"]
        constraints = [
            models.UniqueConstraint(fields=["train", "index"], name="stop_train_index_unique"),
            models.UniqueConstraint(fields=["train", "station_key"], name="stop_train_station_unique"),
            models.CheckConstraint(condition=Q(day_offset__lte=MAX_DAY_OFFSET), name="stop_day_offset_range"),
        ]
        # Search joins two stops of one train by station: (station_key, train, index) covers it.
        indexes = [models.Index(fields=["station_key", "train", "index"], name="stop_station_idx")]

    def __str__(self) -> str:
        return f"{self.station} (stop {self.index + 1} of train {self.train_id})"

    def save(self, *args, **kwargs):
        self.station_key = normalize_station(self.station)
        super().save(*args, **kwargs)

    def departure_day(self) -> int | None:
        return None if self.departure_time is None else self.day_offset

    def arrival_day(self) -> int | None:
        return arrival_day(self.arrival_time, self.departure_time, self.day_offset)


class StopPair(models.Model):
    """Every ordered pair of a train's stops (i before j): the index search walks.

    Derived from `Stop` by `index_stops` whenever stops are written, never edited. With it,
    "trains from X to Y" is one range of (`from_key`, `to_key`), as exact as a route was in
    version 1, instead of a join of every stop at X with the train's stops at Y.
    """

    train = models.ForeignKey(Train, on_delete=models.CASCADE, related_name="+")
    from_key = models.CharField(max_length=64)
    to_key = models.CharField(max_length=64)
    from_index = models.PositiveSmallIntegerField()
    to_index = models.PositiveSmallIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["from_key", "to_key", "train"], name="stop_pair_route_unique"),
        ]
        indexes = [
            # Covers search's read of a route (train and both indexes): no row lookup per train.
            models.Index(fields=["from_key", "to_key", "train", "from_index", "to_index"], name="stop_pair_route_legs"),
        ]

    def __str__(self) -> str:
        return f"{self.from_key} -> {self.to_key} on train {self.train_id}"


def index_stops(train_ids) -> None:
    """Rebuild what search reads of these trains' stops, from the stops: `StopPair` rows, `stops_json`.

    Called wherever stops are written (`trains.services`, the demo seed, the test factories), in
    the same transaction.
    """
    from django.db import connection

    train_ids = list(train_ids)
    if not train_ids:
        return
    StopPair.objects.filter(train_id__in=train_ids).delete()
    with connection.cursor() as cursor:
        cursor.execute(statements.insert_stop_pairs(connection.vendor, len(train_ids)), train_ids)
    rendered: dict[int, list[dict]] = {train_id: [] for train_id in train_ids}
    for stop in Stop.objects.filter(train_id__in=train_ids).order_by("train_id", "index"):
        rendered[stop.train_id].append(stop_data(stop))
    _store_rendered("stops_json", rendered)


def index_classes(train_ids) -> None:
    """Render `classes_json` of these trains from their classes, wherever classes are written."""
    rendered: dict[int, list[dict]] = {train_id: [] for train_id in train_ids}
    for travel_class in TrainClass.objects.filter(train_id__in=rendered).order_by("train_id", "rank"):
        rendered[travel_class.train_id].append(class_data(travel_class))
    _store_rendered("classes_json", rendered)


def _store_rendered(field: str, rendered: dict[int, list[dict]]) -> None:
    Train.objects.bulk_update(
        [
            Train(pk=train_id, **{field: json.dumps(items, separators=(",", ":"), ensure_ascii=False)})
            for train_id, items in rendered.items()
        ],
        [field],
        batch_size=500,
    )


def with_rendered_schedule(train: Train) -> Train:
    """`train` with its stops and classes (`Train.stop_list`, `Train.class_list`) built from
    `stops_json` and `classes_json`, instead of two more queries.

    What one read of the train row gives is consistent: the rendered stops and classes are written
    in the transaction that writes the rows (`index_stops`, `index_classes`), which also saves the
    train row, so they are the schedule as of the row's `updated_at` (a booking checks that under
    its run lock). The rendering loses nothing a journey needs: stop times have no seconds (the
    API's clock is HH:MM), a stop's index is its position and a class's rank its layout's order.
    """
    stops = [
        Stop(
            train_id=train.pk,
            index=index,
            station=stop["station"],
            station_key=normalize_station(stop["station"]),
            arrival_time=_clock_of(stop["arrival_time"]),
            departure_time=_clock_of(stop["departure_time"]),
            day_offset=stop["day_offset"],
            distance_km=stop["distance_km"],
        )
        for index, stop in enumerate(json.loads(train.stops_json))
    ]
    classes = [
        TrainClass(
            train_id=train.pk,
            code=travel_class["code"],
            rank=CLASS_ORDER.get(travel_class["code"], 0),
            coaches=travel_class["coaches"],
            seats=travel_class["seats"],
            fare_per_km=None if travel_class["fare_per_km"] is None else Decimal(travel_class["fare_per_km"]),
            **quota_fields(travel_class.get("quotas"), travel_class.get("rac_berths")),
        )
        for travel_class in json.loads(train.classes_json)
    ]
    # Read through `stop_list` and `class_list`; the `stops` and `classes` relations still read
    # the database, as they would for any train.
    train.rendered_stops, train.rendered_classes = stops, classes
    return train


def _clock_of(rendered: str | None) -> time | None:
    if rendered is None:
        return None
    hours, minutes = rendered.split(":")
    return time(int(hours), int(minutes))


class TrainClass(models.Model):
    """A travel class of a train: `coaches` coaches of the class's layout (`trains.layouts`).

    `GEN` has no coaches: its `seats` are set directly. For every other class `seats` is
    `coaches` x the layout's seats per coach, kept here so that reads need no layout lookup.
    """

    train = models.ForeignKey(Train, on_delete=models.CASCADE, related_name="classes")
    code = models.CharField(max_length=3)
    rank = models.PositiveSmallIntegerField(default=0)  # position in `layouts.CLASS_ORDER`
    coaches = models.PositiveSmallIntegerField(null=True, blank=True)
    seats = models.PositiveIntegerField()
    fare_per_km = models.DecimalField(max_digits=7, decimal_places=2, null=True, blank=True)
    # Seats set aside for the Tatkal, senior citizens' and ladies' quotas, and side lowers sold
    # as RAC: which seat numbers they are follows from these and the layout (`trains.pools`).
    quota_tq = models.PositiveIntegerField("TQ seats", default=0)
    quota_ss = models.PositiveIntegerField("SS seats", default=0)
    quota_ld = models.PositiveIntegerField("LD seats", default=0)
    rac_berths = models.PositiveIntegerField("RAC berths", default=0)

    class Meta:
        ordering = ["train_id", "rank"]
        verbose_name_plural = "classes"
        constraints = [
            models.UniqueConstraint(fields=["train", "code"], name="class_train_code_unique"),
            models.CheckConstraint(condition=Q(seats__gte=1, seats__lte=MAX_TOTAL_SEATS), name="class_seats_range"),
        ]

    def __str__(self) -> str:
        return f"{self.code} of train {self.train_id}"

    @property
    def quotas(self) -> dict[str, int]:
        """The seats set aside per quota, as the API names them."""
        return {"TQ": self.quota_tq, "SS": self.quota_ss, "LD": self.quota_ld}


def quota_fields(quotas: dict | None, rac_berths: int | None) -> dict:
    """`TrainClass` fields from the API's `quotas` ({TQ, SS, LD}, each may be left out) and `rac_berths`."""
    quotas = quotas or {}
    return {
        "quota_tq": quotas.get("TQ", 0),
        "quota_ss": quotas.get("SS", 0),
        "quota_ld": quotas.get("LD", 0),
        "rac_berths": rac_berths or 0,
    }
