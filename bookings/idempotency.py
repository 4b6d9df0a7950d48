"""`Idempotency-Key` for the writes a client may retry: book, hold, confirm.

The same user sending the same key again gets the first response again (same status, same body)
and nothing new is created; the same key with a different request is refused with 422.

Exactly-once comes from one transaction that holds the claim, the work and its answer:
1. *Claim*: insert the record for (user, key), PENDING. The unique constraint lets exactly one
   request win. The row stays uncommitted while the request runs, so it is a lock the database
   holds for as long as its owner lives: a concurrent replay's insert waits on it (up to
   `DB_LOCK_WAIT_SECONDS`, then 409 with Retry-After), and sees the answer once it commits.
2. *Execute*: run the view and store its response on the record; commit both together.

If the request fails in any way (a 5xx, an exception, the database or the worker process dying)
the transaction rolls back and the claim goes with it, so a retry runs at once instead of
waiting for a stale claim to expire: there is nothing to clean up, and nothing that could fail
to be cleaned up while the database is down. A committed PENDING record (left by the two-step
claim of an earlier version) has no owner and is taken over.
"""

import functools
import hashlib
import json
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import DatabaseError, IntegrityError, transaction
from django.http import Http404
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter
from rest_framework import status
from rest_framework.exceptions import APIException
from rest_framework.response import Response

from bookings.errors import IdempotencyInProgress, IdempotencyKeyReused, SeatClash
from bookings.models import IdempotencyRecord
from bookings.retry import retry_lock_conflicts
from irctc.database_unavailable import lock_wait_timed_out
from irctc.exceptions import ApplicationError, InvalidInput

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 64
CLAIM_ATTEMPTS = 3


IDEMPOTENCY_KEY_PARAMETER = OpenApiParameter(
    HEADER,
    # As `_read_key` checks: 1 to 64 characters that `str.isprintable` takes. Of the Latin-1 a header
    # carries, it refuses the control characters, the no-break space and the soft hyphen.
    {
        "type": "string",
        "minLength": 1,
        "maxLength": MAX_KEY_LENGTH,
        "pattern": "^[^\\u0000-\\u001f\\u007f-\\u00a0\\u00ad]*$",
    },
    OpenApiParameter.HEADER,
    description="1 to 64 printable characters. Repeating it repeats the first response; kept 24 hours.",
)


class _NotRecorded(Exception):
    """A server error: roll back whatever the view did and let the client retry the key."""

    def __init__(self, response):
        self.response = response


def _read_key(request) -> str | None:
    key = request.headers.get(HEADER)
    if key is None:
        return None
    if not key or len(key) > MAX_KEY_LENGTH or not key.isprintable():
        raise InvalidInput({HEADER: [f"Must be 1 to {MAX_KEY_LENGTH} printable characters."]})
    return key


def _fingerprint(request) -> str:
    try:
        body = json.dumps(request.data, sort_keys=True, separators=(",", ":"), default=str)
    except (TypeError, ValueError):
        body = repr(request.data)
    return hashlib.sha256(f"{request.method} {request.path}\n{body}".encode()).hexdigest()


def _replay(record: IdempotencyRecord) -> Response:
    response = Response(record.response_body, status=record.response_status)
    response["Idempotent-Replayed"] = "true"
    return response


def _forget_expired(user) -> None:
    """Delete the user's keys older than `IDEMPOTENCY_KEY_HOURS`, by primary key.

    Read first without locking, so a request doesn't wait on another one's claim (an uncommitted
    row next to the range a ranged DELETE would lock).
    """
    expired_before = timezone.now() - timedelta(hours=settings.IDEMPOTENCY_KEY_HOURS)
    expired = list(IdempotencyRecord.objects.filter(user=user, created_at__lt=expired_before).values_list("pk")[:100])
    if expired:
        IdempotencyRecord.objects.filter(pk__in=[pk for (pk,) in expired]).delete()


def _claim(user, key: str, fingerprint: str) -> IdempotencyRecord | Response:
    """The PENDING record this request now owns, or the response to give instead of running.

    Runs inside the request's transaction: the record is this request's for as long as that
    transaction lasts.
    """
    for _ in range(CLAIM_ATTEMPTS):
        try:
            with transaction.atomic():
                return IdempotencyRecord.objects.create(user=user, key=key, fingerprint=fingerprint)
        except IntegrityError:
            pass  # committed by someone else: an answer to replay
        except DatabaseError as exc:
            if lock_wait_timed_out(exc):
                # The first request with this key is still running.
                raise IdempotencyInProgress() from None
            raise
        record = IdempotencyRecord.objects.filter(user=user, key=key).first()
        if record is None:
            continue  # expired and deleted by a concurrent request: claim again
        if record.fingerprint != fingerprint:
            raise IdempotencyKeyReused()
        if record.state == IdempotencyRecord.State.DONE:
            return _replay(record)
        # A committed PENDING record has no transaction behind it, so no owner: take its place.
        taken = IdempotencyRecord.objects.filter(pk=record.pk, state=IdempotencyRecord.State.PENDING).update(
            created_at=timezone.now()
        )
        if taken:
            record.refresh_from_db()
            return record
    raise IdempotencyInProgress()


@retry_lock_conflicts
def _run_once(view, request, key: str, post, args, kwargs) -> Response:
    """Claim the key, run the view and record its answer, all in one transaction."""
    _forget_expired(request.user)
    fingerprint = _fingerprint(request)
    try:
        with transaction.atomic():
            claimed = _claim(request.user, key, fingerprint)
            if isinstance(claimed, Response):
                return claimed
            try:
                response = post(view, request, *args, **kwargs)
            except SeatClash:
                raise  # not an answer: `retry_lock_conflicts` runs this transaction again
            except (ApplicationError, APIException, Http404, PermissionDenied) as exc:
                # A refusal (sold out, taken seats, ...) is an answer too: replays must see it again.
                # The view's handler (`irctc.errors.exception_handler`) gives it as the API does.
                response = view.handle_exception(exc)
            if response.status_code >= status.HTTP_500_INTERNAL_SERVER_ERROR:
                # A server error or a dependency down: roll back the work and the claim, so the
                # client's retry runs again.
                raise _NotRecorded(response)
            claimed.state = IdempotencyRecord.State.DONE
            claimed.response_status = response.status_code
            claimed.response_body = response.data
            claimed.save(update_fields=["state", "response_status", "response_body"])
    except _NotRecorded as not_recorded:
        return not_recorded.response
    return response


def idempotent(post):
    """Decorate an APIView's `post` so an `Idempotency-Key` header makes it safe to retry."""

    @functools.wraps(post)
    def wrapper(view, request, *args, **kwargs):
        key = _read_key(request)
        if key is None:
            return post(view, request, *args, **kwargs)
        return _run_once(view, request, key, post, args, kwargs)

    return wrapper
