"""Reads over runs, bookings and holds.

The seat map and the sold-seat checks are what the trains app relies on. A seat counts as taken when a
confirmed booking owns it or a hold that has not expired yet does: a read never waits for the
next write to sweep expired holds away.
"""

from datetime import date

from django.db import connection
from django.db.models import Case, Count, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from bookings.models import Booking, Hold, SeatAllocation, TrainRun
from trains.models import Train


def _occupied_seats(now=None) -> QuerySet:
    """Allocations that keep a seat from being sold right now."""
    return SeatAllocation.objects.filter(Q(booking__isnull=False) | Q(hold__expires_at__gt=now or timezone.now()))


def occupied_seats_sql(*, train_id: str, travel_date: str) -> tuple[str, list]:
    """A correlated subquery counting the taken seats of the run of `train_id` on `travel_date`.

    Both arguments are SQL expressions of the enclosing query. The same rule as
    `_occupied_seats`, for a statement written out by hand (the train search); change both
    together (the booking state machine checks that search and the seat map agree).
    """
    allocation, run, hold = (model._meta.db_table for model in (SeatAllocation, TrainRun, Hold))
    sql = (
        f"SELECT COUNT(*) FROM {allocation} sa"
        f" INNER JOIN {run} sr ON sr.id = sa.run_id"
        f" LEFT OUTER JOIN {hold} sh ON sh.id = sa.hold_id"
        f" WHERE sr.train_id = {train_id} AND sr.travel_date = {travel_date}"
        " AND (sa.booking_id IS NOT NULL OR sh.expires_at > %s)"
    )
    return sql, [connection.ops.adapt_datetimefield_value(timezone.now())]


def seat_map(*, train: Train, travel_date: date) -> dict:
    """`{total_seats, available_seats, free_seat_numbers}` for one run."""
    occupied = set(
        _occupied_seats().filter(run__train=train, run__travel_date=travel_date).values_list("seat_number", flat=True)
    )
    free_seat_numbers = [seat for seat in range(1, train.total_seats + 1) if seat not in occupied]
    return {
        "total_seats": train.total_seats,
        "available_seats": len(free_seat_numbers),
        "free_seat_numbers": free_seat_numbers,
    }


def max_seats_sold_on_future_runs(train: Train) -> int:
    """The most seats confirmed or held on any run of `train` from today on (0 if none)."""
    busiest = (
        _occupied_seats()
        .filter(run__train=train, run__travel_date__gte=timezone.localdate())
        .order_by()
        .values("run_id")
        .annotate(seats=Count("id"))
        .order_by("-seats")
        .values_list("seats", flat=True)
        .first()
    )
    return busiest or 0


def has_active_future_bookings(train: Train) -> bool:
    """Whether any run of `train` from today on has a CONFIRMED or WAITLISTED booking."""
    return Booking.objects.filter(
        run__train=train,
        run__travel_date__gte=timezone.localdate(),
        status__in=[Booking.Status.CONFIRMED, Booking.Status.WAITLISTED],
    ).exists()


def weekdays_with_active_future_bookings(train: Train) -> set[int]:
    """The weekdays (`date.weekday()`) of future runs of `train` that have active bookings."""
    dates = (
        Booking.objects.filter(
            run__train=train,
            run__travel_date__gte=timezone.localdate(),
            status__in=[Booking.Status.CONFIRMED, Booking.Status.WAITLISTED],
        )
        .values_list("run__travel_date", flat=True)
        .distinct()
    )
    return {travel_date.weekday() for travel_date in dates}


# --- Bookings as the API shows them ------------------------------------------------------------


def _with_display_data(bookings: QuerySet) -> QuerySet:
    """Train, seats and waitlist position for every booking in a fixed number of queries.

    The position is counted when read, from the bookings still waiting ahead, so it moves up as
    soon as someone ahead is promoted or cancels.
    """
    ahead = (
        Booking.objects.filter(run=OuterRef("run"), status=Booking.Status.WAITLISTED)
        .filter(Q(created_at__lt=OuterRef("created_at")) | Q(created_at=OuterRef("created_at"), id__lt=OuterRef("id")))
        .order_by()
        .values("run")
        .annotate(count=Count("id"))
        .values("count")
    )
    return (
        bookings.select_related("run__train")
        .prefetch_related(
            Prefetch("allocations", queryset=SeatAllocation.objects.order_by("seat_number"), to_attr="seat_allocations")
        )
        .annotate(
            waitlist_position=Case(
                When(
                    status=Booking.Status.WAITLISTED,
                    then=Coalesce(Subquery(ahead, output_field=IntegerField()), Value(0)) + 1,
                ),
                default=None,
                output_field=IntegerField(),
            )
        )
    )


def booking_for_display(booking_id: int) -> Booking:
    return _with_display_data(Booking.objects.filter(pk=booking_id)).get()


def new_booking_for_display(booking: Booking) -> Booking:
    """A booking `book_seats` just returned, ready to show.

    A confirmed one already carries all `_with_display_data` would read back (its run and train
    as read under the run lock, its `seat_allocations`, no waitlist position), and reading it
    back cost as much CPU as making it. A waitlisted one needs its position counted.
    """
    if booking.status == Booking.Status.CONFIRMED and hasattr(booking, "seat_allocations"):
        return booking
    return booking_for_display(booking.pk)


def visible_booking(*, booking_id: int, user) -> Booking | None:
    return _with_display_data(Booking.objects.visible_to(user).filter(pk=booking_id)).first()


def bookings_of(user) -> QuerySet:
    """The user's own bookings, newest first."""
    return _with_display_data(Booking.objects.filter(user=user)).order_by("-created_at", "-id")


def all_bookings() -> QuerySet:
    """Every booking, newest first: the operators' view."""
    return _with_display_data(Booking.objects.all()).order_by("-created_at", "-id")


def hold_for_display(hold_id: int) -> Hold:
    return Hold.objects.select_related("run__train").get(pk=hold_id)


def pnr_status(pnr: str) -> Booking | None:
    """The booking a PNR names, as anyone holding the ticket may see it (None if there is none)."""
    return _with_display_data(Booking.objects.filter(pnr=pnr)).first()
