"""RAC and a status per passenger: placing a booking's passengers CNF, then RAC, then WL in the
order given; statuses as booked and now; the promotion chain as places come free."""

import pytest

from bookings import services
from bookings.models import RAC_PLACE_BASE, Booking, Passenger, SeatAllocation
from tests.bookings.helpers import tomorrow
from tests.conftest import client_for
from tests.factories import make_train, make_user, route

pytestmark = pytest.mark.django_db

DELHI, KOTA, MUMBAI = "Delhi", "Kota", "Mumbai"
# One bay of a sleeper coach: berths 1-6 and side upper 8 are confirmed, side lower 7 is the RAC
# berth (two RAC places), so GN confirms 7 passengers per segment, then RAC takes 2.
CONFIRMED_BERTHS = 7  # 1-6 and 8
RAC_BERTH = 7


@pytest.fixture(autouse=True)
def roomy_waitlist(settings):
    settings.WAITLIST_PERCENT = 100


@pytest.fixture
def rider(db):
    return make_user("rider")


def sleeper_bay(rac_berths=1, **class_fields):
    return make_train(
        stops=route(DELHI, KOTA, MUMBAI),
        classes=[{"code": "SL", "seats": 8, "rac_berths": rac_berths, "fare_per_km": "0.50", **class_fields}],
    )


def book(user, train, seats=None, *, names=None, frm=DELHI, to=MUMBAI, allow_waitlist=True, **extra):
    passengers = None
    if names is not None:
        passengers = [{"name": name, "age": 30, "gender": "M"} for name in names]
    return services.book_seats(
        user=user,
        train=train,
        travel_date=tomorrow(),
        seats=seats,
        passengers=passengers,
        from_station=frm,
        to_station=to,
        allow_waitlist=allow_waitlist,
        **extra,
    )


def shown(user, booking) -> dict:
    response = client_for(user).get(f"/api/bookings/{booking.pk}/")
    assert response.status_code == 200, response.json()
    return response.json()


def statuses(body) -> list[tuple]:
    """(booked, now) per passenger, as "CNF", "RAC 2", "WL 1"."""

    def label(status):
        return status["status"] if status["position"] is None else f"{status['status']} {status['position']}"

    return [(label(p["booking_status"]), label(p["current_status"])) for p in body["passengers"]]


def fill_berths(user, train, count=CONFIRMED_BERTHS, **journey):
    """Book `count` confirmed berths, in bookings of at most 6; the last booking."""
    while count > 6:
        book(user, train, 6, allow_waitlist=False, **journey)
        count -= 6
    return book(user, train, count, allow_waitlist=False, **journey)


# --- Placement -----------------------------------------------------------------------------------


def test_a_booking_mixes_confirmed_rac_and_waitlisted_passengers_in_the_order_given(rider):
    train = sleeper_bay()
    fill_berths(rider, train, 5)

    booking = book(rider, train, names=["A", "B", "C", "D", "E", "F"])
    body = shown(rider, booking)

    assert body["status"] == "WAITLISTED"
    assert statuses(body) == [("CNF", "CNF")] * 2 + [("RAC 1", "RAC 1"), ("RAC 2", "RAC 2"), ("WL 1", "WL 1")] * 1 + [
        ("WL 2", "WL 2")
    ]
    names = [p["name"] for p in body["passengers"]]
    assert names == ["A", "B", "C", "D", "E", "F"]
    berths = [(p["seat_number"], p["coach"], p["berth"], p["berth_type"]) for p in body["passengers"]]
    assert berths[:4] == [(6, "S1", 6, "UB"), (8, "S1", 8, "SU"), (7, "S1", 7, "SL"), (7, "S1", 7, "SL")]
    assert berths[4:] == [(None, None, None, None)] * 2
    assert body["seat_numbers"] == [6, 8]  # the confirmed berths
    assert body["waitlist_position"] == 1
    assert all(p["fare"] == body["passengers"][0]["fare"] is not None for p in body["passengers"])
    places = SeatAllocation.objects.filter(booking=booking, seat_number__gt=RAC_PLACE_BASE)
    assert sorted(set(places.values_list("seat_number", flat=True))) == [RAC_PLACE_BASE + 1, RAC_PLACE_BASE + 2]


def test_without_allow_waitlist_every_passenger_is_confirmed_or_nothing_is_booked(rider):
    train = sleeper_bay()
    fill_berths(rider, train, 5)
    client = client_for(rider)
    before = (Booking.objects.count(), Passenger.objects.count(), SeatAllocation.objects.count())

    response = client.post(
        "/api/bookings/",
        {"train": train.id, "travel_date": str(tomorrow()), "seats": 3, "from_station": DELHI, "to_station": MUMBAI},
        format="json",
    )

    assert response.status_code == 409, response.json()
    assert response.json()["code"] == "sold_out"
    assert (Booking.objects.count(), Passenger.objects.count(), SeatAllocation.objects.count()) == before


def test_a_booking_of_seats_alone_has_unnamed_passengers_with_statuses(rider):
    train = sleeper_bay()
    fill_berths(rider, train, 6)

    body = shown(rider, book(rider, train, 3))

    assert [(p["name"], p["age"], p["gender"]) for p in body["passengers"]] == [(None, None, None)] * 3
    assert statuses(body) == [("CNF", "CNF"), ("RAC 1", "RAC 1"), ("RAC 2", "RAC 2")]
    assert body["status"] == "RAC"


def test_the_waitlist_refuses_a_booking_it_has_no_room_for_and_counts_passengers(rider, settings):
    settings.WAITLIST_PERCENT = 50  # of GN's 7 confirmed berths: 3 passengers
    train = sleeper_bay()
    fill_berths(rider, train)
    book(rider, train, 2)  # RAC 1, 2
    book(rider, train, 2)  # WL 1, 2
    client = client_for(rider)
    before = Passenger.objects.count()

    response = client.post(
        "/api/bookings/",
        {"train": train.id, "travel_date": str(tomorrow()), "seats": 2, "allow_waitlist": True},
        format="json",
    )

    assert response.status_code == 409, response.json()
    assert response.json()["code"] == "waitlist_full"
    assert response.json()["waitlist_seats_left"] == 1
    assert Passenger.objects.count() == before
    assert shown(rider, book(rider, train, 1))["passengers"][0]["current_status"] == {"status": "WL", "position": 3}


def test_two_journeys_on_different_segments_share_one_rac_place(rider):
    train = sleeper_bay()
    fill_berths(rider, train)

    to_kota = book(rider, train, 1, to=KOTA)
    from_kota = book(rider, train, 1, frm=KOTA)
    through = book(rider, train, 1)
    behind = book(rider, train, 1, to=KOTA)

    places = [passenger.rac_place for b in (to_kota, from_kota, through) for passenger in b.passenger_list]
    assert places == [1, 1, 2]
    assert [passenger.seat_number for b in (to_kota, from_kota, through) for passenger in b.passenger_list] == [
        RAC_BERTH
    ] * 3
    assert statuses(shown(rider, to_kota)) == [("RAC 1", "RAC 1")]
    assert statuses(shown(rider, from_kota)) == [("RAC 2", "RAC 2")]
    assert statuses(shown(rider, behind)) == [("WL 1", "WL 1")]


def test_a_class_without_rac_berths_waitlists_at_once(rider):
    train = sleeper_bay(rac_berths=0)
    fill_berths(rider, train, 8)

    body = shown(rider, book(rider, train, 1))

    assert statuses(body) == [("WL 1", "WL 1")]


def test_booking_status_follows_its_passengers():
    cnf, rac, wl, cancelled = "CNF", "RAC", "WL", "CANCELLED"
    assert Booking.status_of([cnf, cnf]) == "CONFIRMED"
    assert Booking.status_of([cnf, rac]) == "RAC"
    assert Booking.status_of([cnf, rac, wl]) == "WAITLISTED"
    assert Booking.status_of([cancelled, cnf]) == "CONFIRMED"
    assert Booking.status_of([cancelled, rac]) == "RAC"
    assert Booking.status_of([cancelled, cancelled]) == "CANCELLED"


# --- The promotion chain -------------------------------------------------------------------------


def test_a_freed_berth_goes_to_the_first_rac_passenger_and_their_place_to_the_first_waitlisted(rider):
    train = sleeper_bay()
    one = fill_berths(rider, train, 1)
    four = fill_berths(rider, train, 4)
    mixed = book(rider, train, names=["A", "B", "C", "D", "E", "F"])  # CNF CNF RAC RAC WL WL

    services.cancel_booking(booking_id=one.pk, by=rider)
    body = shown(rider, mixed)

    assert statuses(body) == [
        ("CNF", "CNF"),
        ("CNF", "CNF"),
        ("RAC 1", "CNF"),
        ("RAC 2", "RAC 1"),
        ("WL 1", "RAC 2"),
        ("WL 2", "WL 1"),
    ]
    assert body["status"] == "WAITLISTED"
    assert body["passengers"][2]["seat_number"] == 1  # the freed berth
    assert [p["seat_number"] for p in body["passengers"][3:]] == [RAC_BERTH, RAC_BERTH, None]

    services.cancel_booking(booking_id=four.pk, by=rider)
    body = shown(rider, mixed)

    assert [p["current_status"] for p in body["passengers"]] == [{"status": "CNF", "position": None}] * 6
    assert body["status"] == "CONFIRMED"
    assert body["waitlist_position"] is None
    assert body["seat_numbers"] == [1, 2, 3, 4, 6, 8]
    assert not SeatAllocation.objects.filter(booking=mixed, seat_number__gt=RAC_PLACE_BASE).exists()


def test_a_cancelled_rac_passenger_s_place_goes_to_the_first_waitlisted(rider):
    train = sleeper_bay()
    fill_berths(rider, train)
    first_rac = book(rider, train, 1)
    second_rac = book(rider, train, 1)
    waiting = book(rider, train, 2)

    services.cancel_booking(booking_id=first_rac.pk, by=rider)

    assert statuses(shown(rider, second_rac)) == [("RAC 2", "RAC 1")]
    assert statuses(shown(rider, waiting)) == [("WL 1", "RAC 2"), ("WL 2", "WL 1")]
    waiting.refresh_from_db()
    assert waiting.status == "WAITLISTED"
    cancelled = shown(rider, first_rac)
    assert cancelled["status"] == "CANCELLED"
    assert statuses(cancelled) == [("RAC 1", "CANCELLED")]
    assert cancelled["passengers"][0]["seat_number"] is None


@pytest.mark.parametrize(
    ("first_waiting", "moves"),
    [
        ((DELHI, MUMBAI), False),  # overlaps the later one: nobody passes it
        ((DELHI, KOTA), True),  # on another segment: the later one may go first
    ],
)
def test_a_waitlisted_passenger_is_not_passed_by_a_later_overlapping_one(rider, first_waiting, moves):
    train = sleeper_bay(rac_berths=0)
    fill_berths(rider, train, 7)  # berths 1-7 the whole way
    book(rider, train, 1, to=KOTA, allow_waitlist=False)  # berth 8 to Kota
    from_kota = book(rider, train, 1, frm=KOTA, allow_waitlist=False)  # berth 8 from Kota
    first = book(rider, train, 1, frm=first_waiting[0], to=first_waiting[1])
    later = book(rider, train, 1, frm=KOTA)

    services.cancel_booking(booking_id=from_kota.pk, by=rider)  # berth 8 is free from Kota only

    assert statuses(shown(rider, first)) == [("WL 1", "WL 1")]
    later_now = shown(rider, later)
    if moves:
        assert statuses(later_now) == [("WL 2", "CNF")]
        assert later_now["seat_numbers"] == [8]
    else:
        assert statuses(later_now) == [("WL 2", "WL 2")]


def berth_8_split_at_kota(user, train):
    """Berths 1-6 sold the whole way, berth 8 to Kota and from Kota; the booking from Kota."""
    book(user, train, 6, allow_waitlist=False)
    book(user, train, 1, to=KOTA, allow_waitlist=False)
    return book(user, train, 1, frm=KOTA, allow_waitlist=False)


def test_the_rac_queue_keeps_its_order(rider):
    train = sleeper_bay()
    from_kota = berth_8_split_at_kota(rider, train)
    through = book(rider, train, 1)  # RAC 1, place 1 the whole way
    to_kota = book(rider, train, 1, to=KOTA)  # RAC 2, place 2 to Kota
    later_from_kota = book(rider, train, 1, frm=KOTA)  # RAC 3, place 2 from Kota

    services.cancel_booking(booking_id=from_kota.pk, by=rider)  # berth 8 is free from Kota

    # It fits only the third RAC passenger, whose journey overlaps the first one's: nobody moves.
    assert statuses(shown(rider, through)) == [("RAC 1", "RAC 1")]
    assert statuses(shown(rider, to_kota)) == [("RAC 2", "RAC 2")]
    assert statuses(shown(rider, later_from_kota)) == [("RAC 3", "RAC 3")]


def test_a_berth_no_rac_passenger_fits_goes_straight_to_the_waitlist(rider):
    train = sleeper_bay()
    from_kota = berth_8_split_at_kota(rider, train)
    racs = book(rider, train, 2)  # RAC 1 and 2 the whole way
    waiting = book(rider, train, 1, frm=KOTA)

    services.cancel_booking(booking_id=from_kota.pk, by=rider)

    assert statuses(shown(rider, racs)) == [("RAC 1", "RAC 1"), ("RAC 2", "RAC 2")]
    now = shown(rider, waiting)
    assert statuses(now) == [("WL 1", "CNF")]
    assert now["seat_numbers"] == [8]


def test_a_released_hold_promotes_rac_and_confirm_gives_every_passenger_cnf(rider):
    train = sleeper_bay()
    hold = services.hold_seats(
        user=rider, train=train, travel_date=tomorrow(), seats=2, from_station=DELHI, to_station=MUMBAI
    )
    fill_berths(rider, train, 5)
    rac = book(rider, train, 1)
    assert statuses(shown(rider, rac)) == [("RAC 1", "RAC 1")]

    services.release_hold(hold_id=hold.pk, by=rider)

    assert statuses(shown(rider, rac)) == [("RAC 1", "CNF")]
    second = services.hold_seats(
        user=rider, train=train, travel_date=tomorrow(), seats=1, from_station=DELHI, to_station=MUMBAI
    )
    confirmed = shown(rider, services.confirm_hold(hold_id=second.pk, by=rider))
    assert statuses(confirmed) == [("CNF", "CNF")]
    assert confirmed["passengers"][0]["name"] is None and confirmed["status"] == "CONFIRMED"


# --- PNR status ----------------------------------------------------------------------------------


def test_pnr_status_shows_both_statuses_per_passenger_without_names(rider, anon):
    train = sleeper_bay()
    one = fill_berths(rider, train, 1)
    fill_berths(rider, train, 6)
    booking = book(rider, train, names=["Asha", "Ravi", "Meena"])  # RAC 1, RAC 2, WL 1
    services.cancel_booking(booking_id=one.pk, by=rider)

    body = anon.get(f"/api/pnr/{booking.pnr}/").json()

    assert body["status"] == "RAC"
    assert [(p["number"], p["booking_status"], p["current_status"]) for p in body["passengers"]] == [
        (1, {"status": "RAC", "position": 1}, {"status": "CNF", "position": None}),
        (2, {"status": "RAC", "position": 2}, {"status": "RAC", "position": 1}),
        (3, {"status": "WL", "position": 1}, {"status": "RAC", "position": 2}),
    ]
    assert [(p["coach"], p["berth"], p["berth_type"]) for p in body["passengers"]] == [
        ("S1", 1, "LB"),
        ("S1", 7, "SL"),
        ("S1", 7, "SL"),
    ]
    assert "Asha" not in str(body)
