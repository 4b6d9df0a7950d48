"""PUT/PATCH/DELETE of a train is a 409 when it would strand a sold seat of a future run.

Bookings are written straight into the inventory tables (`sell`), as the booking engine stores
them, so that these rules are tested on their own.
"""

from datetime import timedelta

import pytest
from django.utils import timezone

from bookings.models import Hold, SeatAllocation, TrainRun
from tests.factories import make_train
from tests.trains.helpers import RAJDHANI_CLASSES, RAJDHANI_STOPS, rajdhani_body, sell, stop
from trains.models import WEEKDAYS

pytestmark = pytest.mark.django_db


@pytest.fixture
def rajdhani(db):
    return make_train(stops=RAJDHANI_STOPS, classes=RAJDHANI_CLASSES, train_number="12951", name="Rajdhani")


def patch(client, train, body):
    return client.patch(f"/api/trains/{train.id}/", body, format="json")


def without(code):
    return [travel_class for travel_class in RAJDHANI_CLASSES if travel_class["code"] != code]


def with_coaches(code, coaches):
    return [{**c, "coaches": coaches} if c["code"] == code else c for c in RAJDHANI_CLASSES]


def state(train):
    return (
        list(train.stops.values_list("station", "arrival_time", "departure_time", "day_offset")),
        list(train.classes.values_list("code", "coaches", "seats")),
        train.__class__.objects.values_list("runs_on_mask", "total_seats").get(pk=train.pk),
    )


# --- classes -------------------------------------------------------------------------------------


@pytest.mark.parametrize("status", ["CONFIRMED", "WAITLISTED"])
def test_removing_a_class_with_future_bookings_is_a_conflict(admin_client, user, rajdhani, status):
    sell(rajdhani, user=user, class_code="1A", status=status)
    before = state(rajdhani)

    response = patch(admin_client, rajdhani, {"classes": without("1A")})

    assert response.status_code == 409, response.json()
    assert response.json()["code"] == "class_has_bookings"
    assert response.json()["classes"] == ["1A"]
    assert state(rajdhani) == before


def test_removing_a_class_booked_only_in_another_class_is_fine(admin_client, user, rajdhani):
    sell(rajdhani, user=user, class_code="3A")

    response = patch(admin_client, rajdhani, {"classes": without("1A")})

    assert response.status_code == 200, response.json()
    assert [c["code"] for c in response.json()["classes"]] == ["2A", "3A"]


def test_a_version_1_put_replacing_a_booked_class_with_general_is_a_conflict(admin_client, user, rajdhani):
    sell(rajdhani, user=user, class_code="2A")
    body = {
        "train_number": "12951",
        "name": "Rajdhani",
        "source": "Mumbai Central",
        "destination": "New Delhi",
        "departure_time": "17:00",
        "arrival_time": "08:32",
        "arrival_day_offset": 1,
        "total_seats": 968,
    }

    response = admin_client.put(f"/api/trains/{rajdhani.id}/", body, format="json")

    assert response.status_code == 409
    assert response.json()["code"] == "class_has_bookings"


def test_fewer_coaches_than_the_highest_sold_seat_is_a_conflict(admin_client, user, rajdhani):
    # 3A has 64 seats per coach: seat 100 is in coach B2.
    sell(rajdhani, user=user, class_code="3A", seat_numbers=[100])
    before = state(rajdhani)

    refused = patch(admin_client, rajdhani, {"classes": with_coaches("3A", 1)})
    allowed = patch(admin_client, rajdhani, {"classes": with_coaches("3A", 2)})

    assert refused.status_code == 409, refused.json()
    assert refused.json()["code"] == "seats_already_sold"
    assert (refused.json()["class"], refused.json()["seats_sold"]) == ("3A", 100)
    assert allowed.status_code == 200, allowed.json()
    assert rajdhani.classes.get(code="3A").seats == 128
    assert before != state(rajdhani)


def test_a_sale_on_one_segment_counts_for_the_seat_check(admin_client, user, rajdhani):
    sell(rajdhani, user=user, class_code="2A", seat_numbers=[200], from_index=3, to_index=4)

    response = patch(admin_client, rajdhani, {"classes": with_coaches("2A", 4)})

    assert response.status_code == 409
    assert response.json()["seats_sold"] == 200


def test_a_live_hold_counts_as_sold_and_an_expired_one_does_not(admin_client, user, rajdhani):
    run = TrainRun.objects.create(train=rajdhani, run_date=timezone.localdate() + timedelta(days=2))

    def hold(seat, expires_in):
        held = Hold.objects.create(
            user=user,
            run=run,
            class_code="1A",
            from_index=0,
            to_index=5,
            from_station="Mumbai Central",
            to_station="New Delhi",
            travel_date=run.run_date,
            seat_numbers=[seat],
            expires_at=timezone.now() + expires_in,
        )
        SeatAllocation.objects.bulk_create(
            SeatAllocation(run=run, class_code="1A", segment=segment, seat_number=seat, hold=held)
            for segment in range(5)
        )
        return held

    hold(20, timedelta(minutes=-1))
    assert patch(admin_client, rajdhani, {"classes": with_coaches("1A", 1)}).status_code == 200
    live = hold(24, timedelta(minutes=3))
    assert patch(admin_client, rajdhani, {"classes": without("1A")}).json()["code"] == "class_has_bookings"
    live.expires_at = timezone.now() - timedelta(seconds=1)
    live.save()
    assert patch(admin_client, rajdhani, {"classes": without("1A")}).status_code == 200


def test_lowering_general_seats_below_a_sale_is_a_conflict_and_raising_them_is_fine(admin_client, user, train):
    sell(train, user=user, seat_numbers=[1, 2, 3, 4])

    assert patch(admin_client, train, {"total_seats": 3}).json()["code"] == "seats_already_sold"
    assert patch(admin_client, train, {"total_seats": 4}).status_code == 200
    assert patch(admin_client, train, {"total_seats": 400}).status_code == 200


# --- which runs and bookings count ----------------------------------------------------------------


def test_a_run_still_on_its_way_counts(admin_client, user, rajdhani):
    # The run left Dibrugarh the day before yesterday; the journey from Patna (day 2) starts today.
    long_route = [
        stop("Dibrugarh", departure="19:00", km=0),
        stop("Guwahati", "02:00", "02:20", day=1, km=430),
        stop("Patna", "04:00", "04:10", day=2, km=1400),
        stop("New Delhi", "20:00", day=3, km=2400),
    ]
    train = make_train(stops=long_route, total_seats=60)
    today = timezone.localdate()
    sell(train, user=user, run_date=today - timedelta(days=2), from_index=2, to_index=3, seat_numbers=[60])

    response = patch(admin_client, train, {"total_seats": 59})

    assert response.status_code == 409
    assert response.json()["code"] == "seats_already_sold"


def test_a_journey_that_has_begun_or_a_run_long_gone_does_not_count(admin_client, user, train):
    today = timezone.localdate()
    sell(train, user=user, run_date=today - timedelta(days=1), seat_numbers=[50])
    sell(train, user=user, run_date=today - timedelta(days=4), seat_numbers=[49])
    sell(train, user=user, status="CANCELLED", seat_numbers=[48])

    assert patch(admin_client, train, {"total_seats": 10}).status_code == 200
    assert admin_client.delete(f"/api/trains/{train.id}/").status_code == 204


# --- weekdays ------------------------------------------------------------------------------------


def test_dropping_the_weekday_of_a_booked_run_is_a_conflict(admin_client, user, rajdhani):
    run_date = timezone.localdate() + timedelta(days=3)
    # A Kota -> New Delhi journey travels the day after the run's origin date: the run's day counts.
    sell(rajdhani, user=user, class_code="3A", run_date=run_date, from_index=4, to_index=5)
    origin_day = WEEKDAYS[run_date.weekday()]
    travel_day = WEEKDAYS[(run_date.weekday() + 1) % 7]

    refused = patch(admin_client, rajdhani, {"runs_on": [day for day in WEEKDAYS if day != origin_day]})
    allowed = patch(admin_client, rajdhani, {"runs_on": [day for day in WEEKDAYS if day != travel_day]})

    assert refused.status_code == 409
    assert (refused.json()["code"], refused.json()["weekdays"]) == ("runs_on_has_bookings", [origin_day])
    assert allowed.status_code == 200, allowed.json()


# --- stops ---------------------------------------------------------------------------------------


def _stops_with(index, **changes):
    stops = [dict(entry) for entry in RAJDHANI_STOPS]
    stops[index].update(changes)
    return stops


ROUTE_CHANGES = {
    "added": [*RAJDHANI_STOPS[:2], stop("Bharuch", "20:40", "20:42", km=322), *RAJDHANI_STOPS[2:]],
    "removed": [*RAJDHANI_STOPS[:2], *RAJDHANI_STOPS[3:]],
    "replaced": _stops_with(1, station="Valsad"),
    "reordered": [
        RAJDHANI_STOPS[0],
        {**RAJDHANI_STOPS[2], "arrival_time": "19:43", "departure_time": "19:48", "distance_km": 263},
        {**RAJDHANI_STOPS[1], "arrival_time": "21:06", "departure_time": "21:16", "distance_km": 392},
        *RAJDHANI_STOPS[3:],
    ],
    "moved to another day": [
        *RAJDHANI_STOPS[:5],
        {**RAJDHANI_STOPS[5], "day_offset": 2},
    ],
}


@pytest.mark.parametrize("change", list(ROUTE_CHANGES))
def test_changing_the_stops_of_a_booked_train_is_a_conflict(admin_client, user, rajdhani, change):
    sell(rajdhani, user=user, class_code="3A", from_index=1, to_index=2)
    before = state(rajdhani)

    response = patch(admin_client, rajdhani, {"stops": ROUTE_CHANGES[change]})

    assert response.status_code == 409, response.json()
    assert response.json()["code"] == "stops_have_bookings"
    assert state(rajdhani) == before


@pytest.mark.parametrize("change", list(ROUTE_CHANGES))
def test_the_same_stop_changes_are_fine_without_bookings(admin_client, rajdhani, change):
    response = patch(admin_client, rajdhani, {"stops": ROUTE_CHANGES[change]})

    assert response.status_code == 200, response.json()
    assert response.json()["stops"] == ROUTE_CHANGES[change]


def test_times_distances_and_spelling_may_change_while_booked(admin_client, user, rajdhani):
    sell(rajdhani, user=user, class_code="3A")
    stops = _stops_with(2, station="VADODARA ", arrival_time="21:00", distance_km=395)
    stops[5] = {**stops[5], "arrival_time": "08:45"}

    response = patch(admin_client, rajdhani, {"stops": stops})

    assert response.status_code == 200, response.json()
    assert response.json()["stops"][2]["station"] == "VADODARA"
    assert response.json()["arrival_time"] == "08:45"


def test_a_whole_put_keeping_the_route_is_fine_while_booked(admin_client, user, rajdhani):
    sell(rajdhani, user=user, class_code="3A")

    response = admin_client.put(
        f"/api/trains/{rajdhani.id}/", rajdhani_body(name="Rajdhani Express", runs_on=WEEKDAYS), format="json"
    )

    assert response.status_code == 200, response.json()


# --- retiring ------------------------------------------------------------------------------------


def test_retiring_a_train_with_a_booking_on_an_intermediate_journey_is_a_conflict(admin_client, user, rajdhani):
    sell(rajdhani, user=user, class_code="2A", from_index=2, to_index=4)

    response = admin_client.delete(f"/api/trains/{rajdhani.id}/")

    assert response.status_code == 409
    assert response.json()["code"] == "train_has_bookings"
    rajdhani.refresh_from_db()
    assert rajdhani.is_active
