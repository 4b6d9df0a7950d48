"""Search works from train timetables that each process keeps, and that the cache shares between
processes, while the timetable counter and each train row's `updated_at` stay the same
(`trains.selectors.timetables`). A train changed through the services shows in the very next
search all the same, in this process and in one that never saw the change; a counter the cache
lost never matches what was kept before, and a row whose `updated_at` moved is read again."""

import gc
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone

from irctc import process_memory
from tests.bookings.helpers import tomorrow
from tests.factories import make_train
from trains import search_cache, selectors
from trains.models import Train

pytestmark = pytest.mark.django_db

ROUTE = {"source": "New Delhi", "destination": "Mumbai Central"}


def shown(client, train) -> dict:
    response = client.get("/api/trains/search/", {**ROUTE, "date": tomorrow().isoformat()})
    assert response.status_code == 200, response.content
    (result,) = [r for r in response.json()["results"] if r["id"] == train.id]
    return result


def another_process():
    """What a worker that has served no search yet keeps: nothing."""
    process_memory.timetables.clear()


def kept(generation):
    """What this process keeps of timetables read at `generation`."""
    return process_memory.timetables.current(generation)


def test_a_kept_timetable_costs_no_statement_but_the_route_and_a_new_process_takes_it_from_the_cache(
    user_client, train, django_assert_num_queries
):
    # Each on another date, so that the answer cache has nothing and the search runs.
    day_one, day_two, day_three = (tomorrow() + timedelta(days=n) for n in range(3))
    assert user_client.get("/api/auth/me/").status_code == 200  # the user, now cached
    with django_assert_num_queries(3):  # the route and its runs, then the train and its stops
        user_client.get("/api/trains/search/", {**ROUTE, "date": day_one.isoformat()})
    with django_assert_num_queries(1):  # kept by this process
        user_client.get("/api/trains/search/", {**ROUTE, "date": day_two.isoformat()})
    another_process()
    with django_assert_num_queries(1):  # shared through the cache
        user_client.get("/api/trains/search/", {**ROUTE, "date": day_three.isoformat()})


@pytest.mark.parametrize("process", ["same", "other"])
def test_a_train_change_shows_in_the_next_search_in_any_process(process, user_client, admin_client, train):
    assert shown(user_client, train)["name"] == train.name
    if process == "other":
        another_process()
        assert shown(user_client, train)["name"] == train.name  # now kept here and in the cache
    patch = {
        "name": "Renamed Express",
        "total_seats": 128,
        "classes": [{"code": "3A", "coaches": 2, "fare_per_km": "1.50"}],
    }
    assert admin_client.patch(f"/api/trains/{train.id}/", patch, format="json").status_code == 200

    result = shown(user_client, train)
    assert result["name"] == "Renamed Express"
    assert [(c["class"], c["available_seats"]) for c in result["availability"]] == [("3A", 128)]


def test_a_counter_the_cache_lost_never_matches_what_a_process_kept(user_client, train):
    assert shown(user_client, train)["name"] == train.name
    # A change no service announces, and the cache emptied (flushed, or the counter evicted):
    # the counter starts again from a value the kept timetables can't carry.
    Train.objects.filter(pk=train.pk).update(name="Edited By Hand")
    cache.clear()

    assert shown(user_client, train)["name"] == "Edited By Hand"


def test_a_change_by_hand_that_moves_updated_at_shows_in_the_next_search_that_reads_the_route(user_client, train):
    # No counter moves: only the row's updated_at, which the route statement reads every time.
    assert shown(user_client, train)["name"] == train.name
    Train.objects.filter(pk=train.pk).update(name="Edited By Hand", updated_at=timezone.now())

    # Another date: the answer cache may hold the first answer for SEARCH_CACHE_SECONDS.
    response = user_client.get("/api/trains/search/", {**ROUTE, "date": (tomorrow() + timedelta(days=1)).isoformat()})
    assert [r["name"] for r in response.json()["results"] if r["id"] == train.id] == ["Edited By Hand"]


def test_what_a_process_keeps_of_a_timetable_is_left_out_of_garbage_collections(user_client, train):
    # A worker keeps every train's timetable; each object of it the collector tracks is walked by
    # every full collection, with the GIL held (for 10,000 trains as dataclasses: ~170 ms).
    gc.collect()
    shown(user_client, train)
    gc.collect()  # a dict is left alone from a full collection on, a tuple once its items are
    gc.collect()
    memo = kept(search_cache.current_timetable_generation())
    timetable = memo.values[train.id]
    # All but the timetable itself and its classes (a tuple holding dicts stays tracked).
    parts = {"head": timetable.head, "stops": timetable.stops, "fare rates": timetable.fare_rates}
    assert {name: gc.is_tracked(part) for name, part in parts.items()} == dict.fromkeys(parts, False)
    assert not any(gc.is_tracked(expiry) for expiry in memo.expires.values())


@pytest.fixture
def database_reads(monkeypatch):
    """The train ids each read of timetables from the database asked for, in one process whose
    clock (`clock[0]`) the test sets, with nothing shared through the cache."""
    reads: list[set[int]] = []
    real_read = selectors._timetables_from_database
    monkeypatch.setattr(selectors, "_share", lambda read, versions, generation: None)
    monkeypatch.setattr(
        selectors, "_timetables_from_database", lambda wanted: reads.append(set(wanted)) or real_read(wanted)
    )
    clock = [1000.0]
    monkeypatch.setattr(selectors, "monotonic", lambda: clock[0])
    another_process()
    return reads, clock


def test_a_kept_timetable_is_read_again_once_its_train_row_has_moved_and_only_that_one(database_reads):
    reads, _clock = database_reads
    versions = {make_train(train_number=f"9{n:04d}").id: "2026-12-01 10:00:00.000000" for n in range(5)}
    selectors.timetables(versions, generation="g")
    moved = min(versions)

    reads.clear()
    assert set(selectors.timetables(versions, generation="g")) == set(versions)
    assert reads == []
    assert set(selectors.timetables({**versions, moved: "2026-12-01 10:00:00.000001"}, generation="g")) == set(versions)
    assert reads == [{moved}]


def test_kept_timetables_lapse_one_by_one_and_none_is_kept_past_the_bound(database_reads):
    # A fresh worker reads most timetables within a minute; lapsing together, they would all be
    # read again in one burst that every search in flight waits behind.
    read_from_database, clock = database_reads
    versions = {make_train(train_number=f"9{n:04d}").id: "2026-12-01 10:00:00.000000" for n in range(20)}
    ids = set(versions)
    selectors.timetables(versions, generation="g")
    bound = selectors.TIMETABLE_MEMO_SECONDS
    lapses = sorted(kept("g").expires[train_id] - clock[0] for train_id in ids)
    assert bound / 2 <= lapses[0] and lapses[-1] <= bound
    assert lapses[-1] - lapses[0] > bound / 10  # spread, not one moment

    def read_again_at(seconds_later: float) -> set[int]:
        clock[0] = 1000.0 + seconds_later
        read_from_database.clear()
        assert set(selectors.timetables(versions, generation="g")) == ids
        return set().union(*read_from_database)

    assert read_again_at(lapses[0] - 0.001) == set()
    halfway = read_again_at(lapses[10] - 0.001)
    assert 0 < len(halfway) < len(ids)
    another_process()
    selectors.timetables(versions, generation="g")  # all read at 1000 + lapses[10]
    assert read_again_at(lapses[10] + bound + 0.001) == ids
