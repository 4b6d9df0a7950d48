"""A transaction on MariaDB costs no round trips of its own (irctc/mariadb): `START TRANSACTION`
goes with its first statement, and a COMMIT or ROLLBACK is sent only for a transaction the server
has open. These check what is sent, and that a transaction is still all or nothing."""

import pytest
from django.db import connection, transaction

from accounts.models import User
from tests.factories import make_user
from tests.operations.helpers import record_driver_calls

pytestmark = [
    pytest.mark.skipif(connection.vendor != "mysql", reason="the MariaDB backend's own behaviour"),
    # The atomic blocks here are outermost ones, as a request's are.
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def sent(monkeypatch):
    """The statements sent to the server from now on, one entry per round trip."""
    return record_driver_calls(
        monkeypatch, "cmd_query", lambda query, *_: query.decode() if isinstance(query, bytes) else query
    )


def _users() -> list[str]:
    return list(User.objects.order_by("username").values_list("username", flat=True))


def test_a_transaction_is_its_statements_and_its_commit(sent):
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.execute("SELECT 2")

    assert sent == ["START TRANSACTION; SELECT 1", "SELECT 2", "COMMIT"]


def test_a_transaction_that_sent_nothing_costs_nothing(sent):
    with transaction.atomic():
        pass

    assert sent == []


def test_a_rolled_back_transaction_leaves_nothing_of_its_statements():
    with pytest.raises(RuntimeError), transaction.atomic():
        make_user("first")
        make_user("second")
        raise RuntimeError("the work fails after both inserts")

    assert _users() == []


def test_a_committed_transaction_keeps_its_statements_and_autocommit_is_back_after_it():
    with transaction.atomic():
        make_user("kept")

    assert _users() == ["kept"]
    with connection.cursor() as cursor:
        cursor.execute("SELECT @@session.autocommit")
        assert cursor.fetchone() == (1,)


def test_a_failed_first_statement_still_leaves_its_transaction_to_roll_back():
    make_user("taken")

    with pytest.raises(Exception), transaction.atomic():  # noqa: B017, PT011 - the integrity error
        make_user("taken")

    with transaction.atomic():
        make_user("after")
    assert _users() == ["after", "taken"]
