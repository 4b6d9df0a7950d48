"""Rules of the replica router that hold whatever the servers do (any database engine)."""

import pytest
from django.db import transaction

from irctc import db_router


@pytest.fixture
def lag_tolerant_read():
    """As inside a `@read_from_replica` view that was given replica1."""
    token = db_router._read_alias.set("replica1")
    yield
    db_router._read_alias.reset(token)


def test_reads_outside_a_lag_tolerant_view_go_to_the_primary():
    assert db_router.read_alias() == "default"


@pytest.mark.django_db(transaction=True)
def test_a_read_inside_a_transaction_goes_to_the_primary(lag_tolerant_read):
    assert db_router.read_alias() == "replica1"
    with transaction.atomic():
        assert db_router.read_alias() == "default"
    assert db_router.read_alias() == "replica1"


def test_every_write_goes_to_the_primary(lag_tolerant_read):
    assert db_router.ReplicaRouter().db_for_write(None) == "default"


@pytest.mark.django_db
def test_without_the_cache_a_user_counts_as_a_recent_writer(user, monkeypatch):
    def cache_down(*args, **kwargs):
        raise ConnectionError("Redis is down")

    monkeypatch.setattr(db_router.cache, "get", cache_down)

    assert db_router.wrote_recently(user) is True
