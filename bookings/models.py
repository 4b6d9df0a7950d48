"""Runs, bookings, holds and the seats they occupy.

A `TrainRun` is the unit of inventory and the row every write on that run locks first. Who sits
where is recorded once, in `SeatAllocation`: one row per occupied seat, owned by either a
confirmed booking or a hold. Its unique (run, seat_number) constraint is the second line of
defence behind the run lock: even a code path that forgot the lock cannot sell a seat twice.
Freeing a seat deletes its row, because MariaDB has no partial unique indexes.
"""

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Q
from django.utils import timezone

from trains.models import Train


class TrainRun(models.Model):
    """One train on one travel date, created the first time anyone books or holds on it."""

    # A run without bookings (say, only expired holds) may go with its train; booking history may not.
    train = models.ForeignKey(Train, on_delete=models.CASCADE, related_name="runs")
    travel_date = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["travel_date", "train_id"]
        constraints = [models.UniqueConstraint(fields=["train", "travel_date"], name="run_train_date_unique")]
        indexes = [models.Index(fields=["travel_date"], name="run_travel_date_idx")]

    def __str__(self) -> str:
        return f"{self.train.train_number} on {self.travel_date:%Y-%m-%d}"

    @property
    def waitlist_limit(self) -> int:
        """Seats that may wait on this run: `WAITLIST_PERCENT`% of the train's seats, rounded down."""
        return max(0, self.train.total_seats * settings.WAITLIST_PERCENT // 100)


class BookingQuerySet(models.QuerySet):
    def visible_to(self, user):
        """An ADMIN sees every booking; anyone else only their own (others' are "not found")."""
        return self if user.is_admin_role else self.filter(user=user)


class Booking(models.Model):
    class Status(models.TextChoices):
        CONFIRMED = "CONFIRMED", "Confirmed"
        WAITLISTED = "WAITLISTED", "Waitlisted"
        CANCELLED = "CANCELLED", "Cancelled"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="bookings")
    run = models.ForeignKey(TrainRun, on_delete=models.PROTECT, related_name="bookings")
    pnr = models.CharField("PNR", max_length=10, unique=True)
    status = models.CharField(max_length=10, choices=Status.choices)
    seats = models.PositiveSmallIntegerField()
    # The waitlist is served in this order, so it must never be rewritten after creation.
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    cancelled_at = models.DateTimeField(null=True, blank=True)

    objects = BookingQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["run", "status", "created_at"], name="booking_run_queue_idx"),
            models.Index(fields=["user", "created_at"], name="booking_user_created_idx"),
            models.Index(fields=["status", "created_at"], name="booking_status_created_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(seats__gte=1), name="booking_seats_positive"),
        ]

    def __str__(self) -> str:
        return f"PNR {self.pnr} ({self.status})"


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
    seat_numbers = models.JSONField(default=list)
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
    """One occupied seat of a run, owned by a confirmed booking or by a hold, never both."""

    run = models.ForeignKey(TrainRun, on_delete=models.CASCADE, related_name="allocations")
    seat_number = models.PositiveIntegerField()
    booking = models.ForeignKey(Booking, on_delete=models.CASCADE, null=True, blank=True, related_name="allocations")
    hold = models.ForeignKey(Hold, on_delete=models.CASCADE, null=True, blank=True, related_name="allocations")

    class Meta:
        ordering = ["run_id", "seat_number"]
        constraints = [
            models.UniqueConstraint(fields=["run", "seat_number"], name="allocation_run_seat_unique"),
            models.CheckConstraint(
                condition=Q(booking__isnull=False, hold__isnull=True) | Q(booking__isnull=True, hold__isnull=False),
                name="allocation_one_owner",
            ),
            models.CheckConstraint(condition=Q(seat_number__gte=1), name="allocation_seat_positive"),
        ]

    def __str__(self) -> str:
        return f"Seat {self.seat_number} of run {self.run_id}"


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
