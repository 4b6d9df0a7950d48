"""Every write on runs, bookings and holds: the five operations, each one transaction.

Each checks its input, then opens a transaction whose first statement on the run locks it
through the inventory (`bookings.inventory.locking`, which says why the lock order keeps MariaDB
free of deadlocks), decides under that lock and writes through the inventory (`allocation`,
`queues`), and raises a domain error (`bookings.errors`) where a rule says no.
"""

from datetime import date, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from bookings import cancellation, outbox, selectors
from bookings.errors import (
    HoldAlreadyConfirmed,
    HoldExpired,
    HoldOutdated,
    NoSuchTrain,
    SeatsUnavailable,
    SoldOut,
)
from bookings.inventory import allocation, locking, queues, quotas, refusals
from bookings.inventory.seat_choice import (
    PassengerRequest,
    assign_chosen_seats,
    choose_for_passengers,
    choose_from_blocks,
)
from bookings.models import MAX_SEATS_PER_BOOKING, Booking, Hold, SeatAllocation, TrainRun
from bookings.retry import retry_lock_conflicts
from irctc.exceptions import ApplicationError, InvalidInput, NotFound
from trains.journeys import Journey, plan_journey
from trains.models import Train
from trains.pools import GENERAL_QUOTA

# --- Bookings ---------------------------------------------------------------------------------


@retry_lock_conflicts
def book_seats(
    *,
    user: User,
    train: Train,
    travel_date: date,
    seats: int | None = None,
    passengers: list[dict] | None = None,
    from_station: str | None = None,
    to_station: str | None = None,
    class_code: str | None = None,
    quota: str = GENERAL_QUOTA,
    allow_waitlist: bool = False,
) -> Booking:
    """Book a journey for `seats` travellers or the named `passengers` from the class's `quota`
    pool: every one confirmed, or refused; with `allow_waitlist`, each in the order given
    confirmed while seats last, then RAC (GN), then waitlisted (GN and TQ), or refused when the
    waitlist has no room for them (`queues.place_passengers`).

    `train` may be as an earlier request read it (`selectors.train_for_booking`): see `_planned_journey`.
    """
    count, requests = _passenger_requests(seats, passengers)
    route = dict(travel_date=travel_date, from_station=from_station, to_station=to_station, class_code=class_code)
    journey = _planned_journey(train, route, requests, quota=quota, count=count)
    with refusals.refusing_early(journey, quota, count, allow_waitlist), transaction.atomic():
        run, open_seats = locking.lock_run_of(journey)
        journey, open_seats = allocation.prepare_run(
            run, journey, open_seats, route, on_promoted=cancellation.notify_moves
        )
        quotas.check_quota(journey, quota, count, requests)  # the train as it is under the lock
        charted = run.charted_at is not None
        blocks = quotas.pool_blocks(open_seats.blocks, journey, quota, charted=charted)
        if requests:
            seat_numbers = choose_for_passengers(blocks=blocks, code=journey.class_code, passengers=requests)
        else:
            seat_numbers = choose_from_blocks(blocks, count)
        common = dict(user=user, run=run, journey=journey, passengers=requests, quota=quota, last_write=True)
        if seat_numbers is not None:
            return allocation.create_booking(
                **common,
                placements=allocation.confirmed(seat_numbers),
                confirmation_email_due=outbox.confirmation_email_due(user),
            )
        if not allow_waitlist or quota in quotas.CONFIRMED_ONLY or charted:
            available = sum(last - first + 1 for first, last in blocks)
            after_chart = " The chart is prepared: only free berths are sold, no RAC or waitlist." if charted else ""
            raise SoldOut(f"Only {available} seat(s) free for this journey.{after_chart}", available_seats=available)
        placements = queues.place_passengers(
            run=run,
            journey=journey,
            quota=quota,
            count=count,
            passengers=requests,
            blocks=blocks,
            rac_places=open_seats.rac_places,
        )
        return allocation.create_booking(**common, placements=placements)


def cache_keys_read_before_lock(booking: dict) -> list[str]:
    """The cache keys `book_seats(**booking)` reads before it takes the run lock (its early
    refusal's), for a view to read ahead with its own; none where it reads none, or where the
    booking is refused before it would read them. Raises nothing the booking's rules raise."""
    route = {key: booking.get(key) for key in ("travel_date", "from_station", "to_station", "class_code")}
    try:
        # Where the journey is not bookable, `book_seats` says so before it reads the cache.
        journey = plan_journey(train=booking["train"], **route, for_booking=False)
    except ApplicationError:
        return []
    return refusals.cache_keys_read_early(journey, booking.get("quota", GENERAL_QUOTA))


def _planned_journey(
    train: Train, route: dict, passengers: list[PassengerRequest], *, quota: str, count: int
) -> Journey:
    """The journey `plan_journey` gives for `route`, the passengers' berth preferences and the
    quota's rules checked.

    `train` may be as an earlier request read it (`selectors.train_for_booking`). A journey it
    allows is checked again under the run lock (`allocation.prepare_run`), but a refusal must be
    right now: it is given only once the train's row says the train has not changed since, and on
    the train as it is otherwise.
    """
    try:
        journey = plan_journey(train=train, **route)
        _check_preferences(journey, passengers)
        quotas.check_quota(journey, quota, count, passengers)
        return journey
    except ApplicationError:
        current = selectors.current_train(train.pk)
        if current is not None and current.updated_at == train.updated_at:
            raise
    if current is None:
        raise NoSuchTrain(train.pk)
    journey = plan_journey(train=current, **route)
    _check_preferences(journey, passengers)
    quotas.check_quota(journey, quota, count, passengers)
    return journey


def cancel_booking(*, booking_id: int, by: User) -> Booking:
    """Cancel every passenger of a booking still travelling, with the railway's charges
    (`cancellation.cancel_passengers`, which frees their places and promotes the queues)."""
    booking, _refund = cancellation.cancel_passengers(booking_id=booking_id, by=by)
    return booking


def _visible_booking(booking_id: int, by: User) -> Booking:
    booking = Booking.objects.visible_to(by).filter(pk=booking_id).first()
    if booking is None:
        raise NotFound("No such booking.")
    return booking


# --- Holds ------------------------------------------------------------------------------------


@retry_lock_conflicts
def hold_seats(
    *,
    user: User,
    train: Train,
    travel_date: date,
    seat_numbers: list[int] | None = None,
    seats: int | None = None,
    passengers: list[dict] | None = None,
    from_station: str | None = None,
    to_station: str | None = None,
    class_code: str | None = None,
    quota: str = GENERAL_QUOTA,
) -> Hold:
    """Hold the given seats, or seats chosen as for a booking, of the class's `quota` pool, for
    `HOLD_SECONDS`.

    Given seats and named passengers, who sits where follows the passengers' wishes
    (`seat_choice.assign_chosen_seats`), not the order either was listed in.
    """
    if seat_numbers is not None:
        _check_seat_count(len(seat_numbers), "seat_numbers")
        if len(set(seat_numbers)) != len(seat_numbers):
            raise InvalidInput({"seat_numbers": ["A seat is listed twice."]})
        if seats is not None:
            raise InvalidInput({"seat_numbers": ["Give either seat_numbers or seats, not both."]})
        seats = len(seat_numbers)
    count, requests = _passenger_requests(seats, passengers, field="seat_numbers" if seat_numbers else "seats")
    journey = plan_journey(
        train=train, travel_date=travel_date, from_station=from_station, to_station=to_station, class_code=class_code
    )
    _check_preferences(journey, requests)
    quotas.check_quota(journey, quota, count, requests)
    if seat_numbers is not None:
        _check_seat_numbers(journey, quota, seat_numbers, charted=None)
    with transaction.atomic():
        run, open_seats = locking.lock_run_of(journey)
        journey, open_seats = allocation.prepare_run(run, journey, open_seats, on_promoted=cancellation.notify_moves)
        quotas.check_quota(journey, quota, count, requests)  # the train as it is under the lock
        charted = run.charted_at is not None
        if seat_numbers is not None:
            _check_seat_numbers(journey, quota, seat_numbers, charted=charted)
        blocks = quotas.pool_blocks(open_seats.blocks, journey, quota, charted=charted)
        free = {seat for first, last in blocks for seat in range(first, last + 1)}
        if seat_numbers is not None:
            clashing = sorted(set(seat_numbers) - free)
            if clashing:
                raise SeatsUnavailable(
                    f"Seat(s) {', '.join(map(str, clashing))} already held or booked for this journey.",
                    seat_numbers=clashing,
                )
            if requests:
                seat_numbers = assign_chosen_seats(
                    seat_numbers=seat_numbers, code=journey.class_code, passengers=requests
                )
        elif requests:
            seat_numbers = choose_for_passengers(blocks=blocks, code=journey.class_code, passengers=requests)
        else:
            seat_numbers = choose_from_blocks(blocks, count)
        if seat_numbers is None:
            raise SoldOut(f"Only {len(free)} seat(s) free for this journey.", available_seats=len(free))
        hold = Hold.objects.create(
            user=user,
            run=run,
            **allocation.journey_fields(journey),
            quota=quota,
            seat_numbers=sorted(seat_numbers),
            passengers=[request.as_dict(seat) for request, seat in zip(requests, seat_numbers, strict=False)],
            expires_at=timezone.now() + timedelta(seconds=settings.HOLD_SECONDS),
        )
        allocation.allocate(run, journey.class_code, journey.segments, seat_numbers, hold=hold)
    return hold


@retry_lock_conflicts
def confirm_hold(*, hold_id: int, by: User) -> Booking:
    """Turn a live hold into a CONFIRMED booking of the same seats and passengers (unnamed ones
    for a hold of `seats` alone)."""
    run_id = _owned_hold(hold_id, by).run_id
    with transaction.atomic():
        run = locking.lock_run(run_id)
        hold = _owned_hold(hold_id, by, for_update=True)
        if hold.booking_id is not None:
            raise HoldAlreadyConfirmed(booking_id=hold.booking_id)
        if hold.expires_at <= timezone.now():
            raise HoldExpired()
        requests = [
            PassengerRequest(**{key: value for key, value in passenger.items() if key != "seat_number"})
            for passenger in hold.passengers
        ]
        seat_numbers = [passenger["seat_number"] for passenger in hold.passengers] or hold.seat_numbers
        booking = allocation.create_booking(
            user=by,
            run=run,
            journey=_journey_of_hold(run, hold),
            placements=allocation.confirmed(seat_numbers),
            passengers=requests,
            quota=hold.quota,
            allocate=False,
            confirmation_email_due=outbox.confirmation_email_due(by),
        )
        held = list(hold.allocations.values_list("pk", flat=True))
        SeatAllocation.objects.filter(pk__in=held).update(hold=None, booking=booking)
        hold.booking = booking
        hold.save(update_fields=["booking"])
    return booking


@retry_lock_conflicts
def release_hold(*, hold_id: int, by: User) -> None:
    """Give a hold's seats back, to the waitlist first; the hold is gone for its owner."""
    run_id = _owned_hold(hold_id, by).run_id
    with transaction.atomic():
        run = locking.lock_run(run_id)
        hold = _owned_hold(hold_id, by, for_update=True)
        if hold.booking_id is not None:
            raise HoldAlreadyConfirmed("This hold is now a booking; cancel the booking instead.")
        allocation.free_seats(hold.allocations.all())
        # Kept, not deleted: deleting would cascade to allocations by `hold_id`, a range scan.
        hold.released_at = timezone.now()
        hold.save(update_fields=["released_at"])
        allocation.sweep_expired_holds(run)
        cancellation.promote_and_notify(run)


def _owned_hold(hold_id: int, by: User, *, for_update: bool = False) -> Hold:
    """The user's own hold; anyone else's, or one released meanwhile, does not exist."""
    holds = Hold.objects.select_for_update() if for_update else Hold.objects.all()
    hold = holds.filter(pk=hold_id, user=by, released_at__isnull=True).first()
    if hold is None:
        raise NotFound("No such hold.")
    return hold


def _journey_of_hold(run: TrainRun, hold: Hold) -> Journey:
    """The held journey on the train as it is now; a route or class changed since is a conflict."""
    stops = list(run.train.stops.all())
    classes = {train_class.code: train_class for train_class in run.train.classes.all()}
    if (
        hold.to_index >= len(stops)
        or hold.class_code not in classes
        or stops[hold.from_index].station != hold.from_station
        or stops[hold.to_index].station != hold.to_station
    ):
        raise HoldOutdated()
    return Journey(
        train=run.train,
        from_stop=stops[hold.from_index],
        to_stop=stops[hold.to_index],
        train_class=classes[hold.class_code],
        run_date=run.run_date,
    )


# --- What a request asks for ------------------------------------------------------------------


def _passenger_requests(seats: int | None, passengers: list[dict] | None, *, field: str = "seats") -> tuple[int, list]:
    """How many travel, and who: `seats` alone, `passengers` alone, or both agreeing."""
    requests = [PassengerRequest(**passenger) for passenger in passengers or []]
    if seats is None and not requests:
        raise InvalidInput({field: ["Give seats (a count) or passengers."]})
    if seats is not None and requests and seats != len(requests):
        raise InvalidInput({field: [f"seats is {seats} but {len(requests)} passenger(s) are listed."]})
    count = seats if seats is not None else len(requests)
    _check_seat_count(count, field if seats is not None else "passengers")
    return count, requests


def _check_seat_count(seats: int, field: str = "seats") -> None:
    if not 1 <= seats <= MAX_SEATS_PER_BOOKING:
        raise InvalidInput({field: [f"Between 1 and {MAX_SEATS_PER_BOOKING} seats at a time."]})


def _check_seat_numbers(journey: Journey, quota: str, seat_numbers: list[int], *, charted: bool | None) -> None:
    """Seats asked for by number are seats of the class, of the quota's pool (on a charted run, of
    the general seats after the chart), and not RAC berths. `charted` None: not known yet (before
    the run's lock), so only the seat numbers are checked."""
    total = journey.train_class.seats
    if any(not 1 <= seat <= total for seat in seat_numbers):
        raise InvalidInput({"seat_numbers": [f"Class {journey.class_code} has seats 1 to {total}."]})
    pools = quotas.pools_of_journey(journey)
    if charted is None or (pools.plain and quota == GENERAL_QUOTA):
        return
    if charted:
        after_chart = quotas.general_after_chart(pools)
        pool = range(1, total + 1) if after_chart is None else after_chart
    else:
        pool = pools.seats[quota]
    outside = sorted(set(seat_numbers) - set(pool))
    if outside:
        raise InvalidInput(
            {
                "seat_numbers": [
                    f"Seat(s) {', '.join(map(str, outside))} are not {quota} berths of class {journey.class_code} "
                    "(the seat map with this quota lists them)."
                ]
            }
        )


def _check_preferences(journey: Journey, passengers: list[PassengerRequest]) -> None:
    types = journey.berth_types
    offered = ", ".join(dict.fromkeys(types)) or "none (no berth types in this class)"
    errors = [
        {
            "berth_preference": [
                f"{passenger.berth_preference} is not a berth type of class {journey.class_code}; choose one of {offered}."
            ]
        }
        if passenger.berth_preference and passenger.berth_preference not in types
        else {}
        for passenger in passengers
    ]
    if any(errors):
        raise InvalidInput({"passengers": errors})
