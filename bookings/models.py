"""Runs, bookings, holds and the seats they occupy, segment by segment.

A `TrainRun` is one train on one origin date, and the row every write on that run locks first.
Its inventory is per class: seat n of class c of the run. Who sits where is recorded once, in
`SeatAllocation`: one row per occupied seat *and segment* of the route, owned by either a
confirmed booking or a hold. A journey from stop i to stop j occupies segments i .. j-1, so
New Delhi -> Kota and Kota -> Mumbai share a berth without sharing a row. The unique
(run, class, segment, seat) constraint is the second line of defence behind the run lock: even
a code path that forgot the lock cannot sell a seat twice on any segment. Freeing a seat
deletes its rows, because MariaDB has no partial unique indexes.

An RAC place is allocated the same way, as a seat numbered past every seat a class may have
(`RAC_PLACE_BASE` + the place's number): place k shares the class's ((k - 1) // 2)-th RAC berth
with its neighbour. The same unique key then keeps any side-lower berth to two RAC passengers
per segment, with no constraint of its own, and a class may grow without its seat numbers
meeting its places. Every passenger of a booking has a row, named or not, and the allocations of
one passenger are the booking's rows of their seat (`Passenger.allocated_seat`).
"""

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Q
from django.utils import timezone

from trains.fares import FareBreakdown, booking_fare
from trains.models import Train

# Travellers one booking or hold may name: IRCTC's limit for an e-ticket.
MAX_SEATS_PER_BOOKING = 6
# RAC place k of a class is allocated as seat RAC_PLACE_BASE + k: past any class's seats
# (`trains.models.MAX_TOTAL_SEATS`), so resizing a class never turns a place into a seat.
RAC_PLACE_BASE = 100_000
# A booking's columns of each passenger's fare, in the order of `trains.fares.FareBreakdown`.
FARE_COLUMNS = ("base_fare", "reservation_charge", "superfast_charge", "tatkal_charge", "gst", "passenger_fare")


def _money(verbose_name: str):
    return models.DecimalField(verbose_name, max_digits=9, decimal_places=2, null=True, blank=True)


class TrainRun(models.Model):
    """One train on one origin date (the day it leaves its first stop), created at first use."""

    # A run without bookings (say, only expired holds) may go with its train; booking history may not.
    train = models.ForeignKey(Train, on_delete=models.CASCADE, related_name="runs")
    run_date = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)
    # Set once, under the run's lock, when its chart is prepared (`bookings.charting`): from then
    # on the quotas' seats are general, nobody is sold RAC or the waitlist, and it is never set again.
    charted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["run_date", "train_id"]
        constraints = [models.UniqueConstraint(fields=["train", "run_date"], name="run_train_date_unique")]
        indexes = [models.Index(fields=["run_date"], name="run_date_idx")]

    def __str__(self) -> str:
        return f"{self.train.train_number} from {self.run_date:%Y-%m-%d}"


class BookingQuerySet(models.QuerySet):
    def visible_to(self, user):
        """An ADMIN sees every booking; anyone else only their own (others' are "not found")."""
        return self if user.is_admin_role else self.filter(user=user)


class Booking(models.Model):
    class Status(models.TextChoices):
        CONFIRMED = "CONFIRMED", "Confirmed"
        RAC = "RAC", "RAC"
        WAITLISTED = "WAITLISTED", "Waitlisted"
        CANCELLED = "CANCELLED", "Cancelled"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="bookings")
    run = models.ForeignKey(TrainRun, on_delete=models.PROTECT, related_name="bookings")
    pnr = models.CharField("PNR", max_length=10, unique=True)
    status = models.CharField(max_length=10, choices=Status.choices)
    seats = models.PositiveSmallIntegerField()
    class_code = models.CharField("class", max_length=3, default="GEN")
    # The class's pool the seats come from (`trains.pools`): GN, TQ, SS or LD. GN and TQ each
    # have a waitlist of their own.
    quota = models.CharField(max_length=2, default="GN")
    # The journey: stop indexes on the run's route, and the stations as the ticket names them.
    from_index = models.PositiveSmallIntegerField(default=0)
    to_index = models.PositiveSmallIntegerField(default=1)
    from_station = models.CharField(max_length=64)
    to_station = models.CharField(max_length=64)
    travel_date = models.DateField()  # the day the train leaves `from_station`
    fare = models.DecimalField(max_digits=10, decimal_places=0, null=True, blank=True)
    # Each passenger's fare with its charges, as charged when booked (every passenger of a booking
    # pays the same: `trains.fares`), null with `fare`; `fare` is `passenger_fare` x passengers.
    base_fare = _money("base fare")
    reservation_charge = _money("reservation charge")
    superfast_charge = _money("superfast charge")
    tatkal_charge = _money("Tatkal charge")
    gst = _money("GST")
    passenger_fare = _money("fare per passenger")
    # The waitlist is served in this order, so it must never be rewritten after creation.
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    # The confirmation e-mail's outbox (`bookings.outbox`): written with the booking's own INSERT,
    # so that the request pays no statement and no broker call for it, and a broker that is down
    # delays the e-mail instead of losing it.
    confirmation_email_due = models.BooleanField(default=False, editable=False)

    objects = BookingQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["run", "class_code", "status", "created_at"], name="booking_run_queue_idx"),
            models.Index(fields=["user", "created_at"], name="booking_user_created_idx"),
            models.Index(fields=["status", "created_at"], name="booking_status_created_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(seats__gte=1), name="booking_seats_positive"),
            models.CheckConstraint(condition=Q(to_index__gt=models.F("from_index")), name="booking_journey_forward"),
        ]

    def __str__(self) -> str:
        return f"PNR {self.pnr} ({self.status})"

    @property
    def segments(self) -> range:
        return range(self.from_index, self.to_index)

    @staticmethod
    def status_of(passenger_statuses) -> str:
        """A booking's status from its passengers' current ones: waitlisted while one waits, RAC
        while one is RAC, confirmed while anyone travels, else cancelled."""
        statuses = set(passenger_statuses)
        if Passenger.Status.WL in statuses:
            return Booking.Status.WAITLISTED
        if Passenger.Status.RAC in statuses:
            return Booking.Status.RAC
        if Passenger.Status.CNF in statuses:
            return Booking.Status.CONFIRMED
        return Booking.Status.CANCELLED

    @property
    def waitlist_position(self) -> int | None:
        """Where the booking's first waitlisted passenger stands now, when read for display
        (`bookings.selectors`, which counts each passenger's `current_position`); else None."""
        positions = [
            getattr(passenger, "current_position", None)
            for passenger in getattr(self, "passenger_list", ())
            if passenger.status == Passenger.Status.WL
        ]
        return min((position for position in positions if position is not None), default=None)

    @property
    def fare_breakdown(self) -> FareBreakdown | None:
        """Each passenger's fare with its charges, as charged when booked; None without a fare."""
        if self.passenger_fare is None:
            return None
        return FareBreakdown(*(getattr(self, column) for column in FARE_COLUMNS))

    @staticmethod
    def fare_fields(breakdown: FareBreakdown | None, passengers: int) -> dict:
        """The columns a new booking of `passengers` records of its fare."""
        amounts = (None,) * len(FARE_COLUMNS) if breakdown is None else breakdown
        return {"fare": booking_fare(breakdown, passengers), **dict(zip(FARE_COLUMNS, amounts, strict=True))}


class Passenger(models.Model):
    """A traveller on a booking, in the order given: named, or unnamed (a booking of `seats`).

    Each has a status of their own: as at booking (`booking_status`, `booking_position` in the
    RAC or waitlist queue then) and now (`status`; the position now is counted when read, never
    stored, since it moves whenever someone ahead does). `seat_number` is the berth while `CNF`,
    and the shared side-lower berth while `RAC`, whose place is `rac_place`.
    """

    class Gender(models.TextChoices):
        MALE = "M", "Male"
        FEMALE = "F", "Female"
        TRANSGENDER = "T", "Transgender"

    class Status(models.TextChoices):
        CNF = "CNF", "Confirmed"
        RAC = "RAC", "RAC"
        WL = "WL", "Waitlisted"
        CANCELLED = "CANCELLED", "Cancelled"

    booking = models.ForeignKey(Booking, on_delete=models.CASCADE, related_name="passengers")
    position = models.PositiveSmallIntegerField()  # 1-based, as on the ticket
    name = models.CharField(max_length=50, null=True, blank=True)
    age = models.PositiveSmallIntegerField(null=True, blank=True)
    gender = models.CharField(max_length=1, choices=Gender.choices, null=True, blank=True)
    berth_preference = models.CharField(max_length=2, null=True, blank=True)
    seat_number = models.PositiveIntegerField(null=True, blank=True)
    booking_status = models.CharField(max_length=3, choices=Status.choices[:3], default=Status.CNF)
    booking_position = models.PositiveSmallIntegerField(null=True, blank=True)
    status = models.CharField(max_length=9, choices=Status.choices, default=Status.CNF)
    rac_place = models.PositiveSmallIntegerField("RAC place", null=True, blank=True)

    class Meta:
        ordering = ["booking_id", "position"]
        constraints = [models.UniqueConstraint(fields=["booking", "position"], name="passenger_position_unique")]

    def __str__(self) -> str:
        if self.name is None:
            return f"Passenger {self.position} ({self.status})"
        return f"{self.name} ({self.age}{self.gender})"

    @property
    def allocated_seat(self) -> int | None:
        """The seat number of this passenger's allocations (with the booking's id): the berth while
        CNF, the RAC place while RAC, none otherwise."""
        if self.status == Passenger.Status.CNF:
            return self.seat_number
        if self.status == Passenger.Status.RAC:
            return rac_place_seat(self.rac_place)
        return None


def rac_place_seat(place: int) -> int:
    """The seat number RAC place `place` (1-based) of a class is allocated as."""
    return RAC_PLACE_BASE + place


def is_rac_place(seat_number: int) -> bool:
    return seat_number > RAC_PLACE_BASE


class HoldQuerySet(models.QuerySet):
    def live(self, now=None):
        return self.filter(booking__isnull=True, released_at__isnull=True, expires_at__gt=now or timezone.now())


class Hold(models.Model):
    """Seats reserved for one user until `expires_at`, while they pay.

    The row outlives its seats: after expiry the allocations go, but the hold stays so that a late
    confirm is told 410 rather than 404. Once confirmed, `booking` points at the result; once
    released by its owner, `released_at` is set and the hold no longer exists for the API.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="holds")
    run = models.ForeignKey(TrainRun, on_delete=models.CASCADE, related_name="holds")
    class_code = models.CharField("class", max_length=3, default="GEN")
    quota = models.CharField(max_length=2, default="GN")
    from_index = models.PositiveSmallIntegerField(default=0)
    to_index = models.PositiveSmallIntegerField(default=1)
    from_station = models.CharField(max_length=64)
    to_station = models.CharField(max_length=64)
    travel_date = models.DateField()
    seat_numbers = models.JSONField(default=list)
    # The passengers the booking will carry, in order, each with the seat it was given.
    passengers = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    booking = models.OneToOneField(Booking, on_delete=models.SET_NULL, null=True, blank=True, related_name="from_hold")
    released_at = models.DateTimeField(null=True, blank=True)

    objects = HoldQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["run", "expires_at"], name="hold_run_expires_idx")]

    def __str__(self) -> str:
        return f"Hold {self.pk} on {self.run_id}"

    @property
    def is_live(self) -> bool:
        return self.booking_id is None and self.released_at is None and self.expires_at > timezone.now()


class SeatAllocation(models.Model):
    """One seat of a run's class occupied on one segment, by a confirmed booking or a hold."""

    run = models.ForeignKey(TrainRun, on_delete=models.CASCADE, related_name="allocations")
    class_code = models.CharField(max_length=3, default="GEN")
    segment = models.PositiveSmallIntegerField(default=0)
    seat_number = models.PositiveIntegerField()
    booking = models.ForeignKey(Booking, on_delete=models.CASCADE, null=True, blank=True, related_name="allocations")
    hold = models.ForeignKey(Hold, on_delete=models.CASCADE, null=True, blank=True, related_name="allocations")

    class Meta:
        ordering = ["run_id", "class_code", "seat_number", "segment"]
        constraints = [
            # Segment before seat: "seats taken on segments i..j-1" is then one index range.
            models.UniqueConstraint(
                fields=["run", "class_code", "segment", "seat_number"], name="allocation_run_seat_unique"
            ),
            models.CheckConstraint(
                condition=Q(booking__isnull=False, hold__isnull=True) | Q(booking__isnull=True, hold__isnull=False),
                name="allocation_one_owner",
            ),
            models.CheckConstraint(condition=Q(seat_number__gte=1), name="allocation_seat_positive"),
        ]

    def __str__(self) -> str:
        return f"Seat {self.seat_number} ({self.class_code}) of run {self.run_id} on segment {self.segment}"


class Refund(models.Model):
    """Money given back on a booking: one row per cancellation (of some passengers or all) and
    one for a cancellation at charting. `amount` + `charge` is the fare of `passengers`."""

    booking = models.ForeignKey(Booking, on_delete=models.CASCADE, related_name="refunds")
    amount = models.DecimalField(max_digits=10, decimal_places=2)
    charge = models.DecimalField(max_digits=10, decimal_places=2)
    passengers = models.JSONField(default=list)  # their numbers on the booking
    at_charting = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["booking_id", "created_at", "id"]

    def __str__(self) -> str:
        return f"Refund of {self.amount} on {self.booking_id}"


class IdempotencyRecord(models.Model):
    """The first response to a (user, Idempotency-Key) pair, replayed to retries for 24 hours."""

    class State(models.TextChoices):
        PENDING = "PENDING"
        DONE = "DONE"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=64)
    fingerprint = models.CharField(max_length=64)
    state = models.CharField(max_length=7, choices=State.choices, default=State.PENDING)
    response_status = models.PositiveSmallIntegerField(null=True)
    response_body = models.JSONField(null=True, encoder=DjangoJSONEncoder)
    # Not auto_now_add: taking over a stale PENDING record restarts its clock.
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="idempotency_user_key_unique")]
        indexes = [models.Index(fields=["user", "created_at"], name="idempotency_user_age_idx")]

    def __str__(self) -> str:
        return f"{self.key} ({self.state})"
