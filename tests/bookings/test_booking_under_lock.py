"""What a booking decides under its run lock: the train as it is then, and a PNR of its own.

The booking reads the train before it takes the lock and checks under the lock, in its free-seat
read, that the train row has not been saved since; a PNR that collides is drawn again inside the
same transaction, without a savepoint. These run on SQLite and on MariaDB, without threads: the
change is made on the booking's own connection, between its first read and its lock.
"""

import pytest
from django.db import transaction

from bookings import services
from bookings.errors import SoldOut
from bookings.inventory import allocation, locking
from bookings.models import Booking, Hold, SeatAllocation
from irctc.exceptions import Conflict, InvalidInput
from tests.bookings.helpers import book, booking_body, seats_of, tomorrow
from tests.factories import make_train, make_user
from tests.trains.helpers import sell
from trains import services as train_services


def _change_the_train_before_the_lock(monkeypatch, change):
    """Run `change` once, after the booking has read and planned on the train, before its lock."""
    lock_run_of = locking.lock_run_of

    def changed_then_locked(*args, **kwargs):
        change()
        return lock_run_of(*args, **kwargs)

    monkeypatch.setattr(locking, "lock_run_of", changed_then_locked)


@pytest.mark.django_db
def test_a_train_retired_between_the_first_read_and_the_lock_is_not_booked(monkeypatch, user):
    train = make_train()
    _change_the_train_before_the_lock(monkeypatch, lambda: train_services.retire_train(train_id=train.pk))

    with pytest.raises(InvalidInput, match="not in service"):
        book(user, train)

    assert not Booking.objects.exists()


@pytest.mark.django_db
def test_a_class_cut_between_the_first_read_and_the_lock_is_what_the_booking_sells(monkeypatch, user):
    train = make_train(classes=[{"code": "3A", "coaches": 2}])
    sell(train, user=make_user("early"), class_code="3A", seat_numbers=range(1, 65))  # coach 1 sold out
    cut = lambda: train_services.update_train(train_id=train.pk, classes=[{"code": "3A", "coaches": 1}])  # noqa: E731
    _change_the_train_before_the_lock(monkeypatch, cut)

    with pytest.raises(SoldOut):
        book(user, train)

    assert not SeatAllocation.objects.filter(seat_number__gt=64).exists()


@pytest.mark.django_db
def test_a_hold_sees_a_class_cut_between_the_first_read_and_the_lock(monkeypatch, user):
    train = make_train(classes=[{"code": "3A", "coaches": 2}])
    sell(train, user=make_user("early"), class_code="3A", seat_numbers=range(1, 65))
    cut = lambda: train_services.update_train(train_id=train.pk, classes=[{"code": "3A", "coaches": 1}])  # noqa: E731
    _change_the_train_before_the_lock(monkeypatch, cut)

    with pytest.raises(SoldOut):
        services.hold_seats(user=user, train=train, travel_date=tomorrow(), seats=1)

    assert not Hold.objects.exists()


def _draws(monkeypatch, *pnrs):
    """`new_pnr` answers these PNRs in turn, then draws as usual."""
    queue, draw = list(pnrs), allocation.new_pnr
    monkeypatch.setattr(allocation, "new_pnr", lambda: queue.pop(0) if queue else draw())


# The booking's own transaction is the outermost one here: nothing wraps it in a savepoint.
@pytest.mark.django_db(transaction=True)
def test_a_pnr_drawn_again_is_replaced_and_the_booking_commits(monkeypatch):
    passenger = make_user("collider")
    train = make_train(total_seats=3)
    first = book(passenger, train)
    _draws(monkeypatch, first.pnr, first.pnr, "4444444444")

    second = book(passenger, train)

    assert (second.pnr, second.status, seats_of(second)) == ("4444444444", Booking.Status.CONFIRMED, [2])
    assert Booking.objects.get(pnr=first.pnr).pk == first.pk
    assert Booking.objects.get(pnr="4444444444").pk == second.pk


@pytest.mark.django_db
def test_a_pnr_collision_inside_the_idempotency_transaction_still_books_once(monkeypatch, user_client, train):
    first = user_client.post("/api/bookings/", booking_body(train), format="json").json()
    _draws(monkeypatch, first["pnr"])

    response = user_client.post("/api/bookings/", booking_body(train), format="json", HTTP_IDEMPOTENCY_KEY="k1")
    again = user_client.post("/api/bookings/", booking_body(train), format="json", HTTP_IDEMPOTENCY_KEY="k1")

    assert response.status_code == 201, response.json()
    assert response.json()["pnr"] != first["pnr"]
    assert again.json() == response.json()
    assert Booking.objects.count() == 2


@pytest.mark.django_db
def test_a_confirmed_hold_draws_again_on_a_pnr_collision(monkeypatch, user, train):
    first = book(user, train)
    hold = services.hold_seats(user=user, train=train, travel_date=tomorrow(), seats=1)
    _draws(monkeypatch, first.pnr)

    booking = services.confirm_hold(hold_id=hold.pk, by=user)

    assert booking.pnr != first.pnr
    assert seats_of(booking) == hold.seat_numbers


@pytest.mark.django_db(transaction=True)
def test_a_pnr_that_keeps_colliding_is_refused_and_leaves_nothing(monkeypatch):
    passenger = make_user("unlucky")
    train = make_train(total_seats=3)
    first = book(passenger, train)
    monkeypatch.setattr(allocation, "new_pnr", lambda: first.pnr)

    with pytest.raises(Conflict) as refused:
        book(passenger, train)

    assert refused.value.code == "pnr_busy"
    assert list(Booking.objects.values_list("pk", flat=True)) == [first.pk]
    assert SeatAllocation.objects.count() == 1


# The booking commits with its inserts (one round trip on MariaDB) only where its own
# transaction is the outermost one; inside a larger one it must stay part of it.
@pytest.mark.django_db(transaction=True)
def test_a_booking_inside_a_larger_transaction_goes_when_that_transaction_fails():
    passenger = make_user("enclosed")
    train = make_train(total_seats=3)

    with pytest.raises(RuntimeError), transaction.atomic():
        book(passenger, train)
        raise RuntimeError("the enclosing work fails after the booking")

    assert not Booking.objects.exists()
    assert not SeatAllocation.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_booking_in_its_own_transaction_is_committed_with_its_seats():
    passenger = make_user("alone")
    train = make_train(total_seats=3)

    booking = book(passenger, train)

    assert (Booking.objects.get().pk, seats_of(booking)) == (booking.pk, [1])
