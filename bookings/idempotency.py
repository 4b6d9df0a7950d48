"""`Idempotency-Key` for the writes a client may retry: book, hold, confirm.

The same user sending the same key again gets the first response again (same status, same body)
and nothing new is created; the same key with a different request is refused with 422.

Exactly-once comes from two steps:
1. *Claim*: insert a PENDING record for (user, key) in its own short transaction. The unique
   constraint lets exactly one request win; a concurrent replay finds the record and waits for it
   to finish (or, after `REPLAY_WAIT_SECONDS`, gets 409 with Retry-After).
2. *Execute*: run the view and store its response on the record in ONE transaction, so the
   booking and the record of it commit together. If the process dies in between, both roll back
   and the PENDING record turns stale, so a later retry may claim it and run again.
"""

import functools
import hashlib
import json
import time
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework import status
from rest_framework.exceptions import APIException, ValidationError
from rest_framework.response import Response

from bookings.models import IdempotencyRecord
from irctc.errors import Conflict, Unprocessable

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 64
# How long a replay waits for the first request with its key before answering 409.
REPLAY_WAIT_SECONDS = 5.0
REPLAY_POLL_SECONDS = 0.05
# A PENDING record older than this belongs to a request that died: nothing it did committed.
STALE_PENDING = timedelta(seconds=60)


IDEMPOTENCY_KEY_PARAMETER = OpenApiParameter(
    HEADER,
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    description="Any string up to 64 characters. Repeating it repeats the first response; kept 24 hours.",
)


class IdempotencyKeyReused(Unprocessable):
    default_code = "idempotency_key_reused"
    default_detail = "This Idempotency-Key was already used with a different request."


class IdempotencyInProgress(Conflict):
    default_code = "idempotency_in_progress"
    default_detail = "A request with this Idempotency-Key is still being processed; retry shortly."
    wait = 1  # seconds, sent as Retry-After


class _NotRecorded(Exception):
    """A server error: roll back whatever the view did and let the client retry the key."""

    def __init__(self, response):
        self.response = response


def _read_key(request) -> str | None:
    key = request.headers.get(HEADER)
    if key is None:
        return None
    if not key or len(key) > MAX_KEY_LENGTH or not key.isprintable():
        raise ValidationError({HEADER: [f"Must be 1 to {MAX_KEY_LENGTH} printable characters."]})
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


def _claim(user, key: str, fingerprint: str) -> IdempotencyRecord | Response:
    """The PENDING record this request now owns, or the response to give instead of running."""
    expired_before = timezone.now() - timedelta(hours=settings.IDEMPOTENCY_KEY_HOURS)
    IdempotencyRecord.objects.filter(user=user, created_at__lt=expired_before).delete()
    deadline = time.monotonic() + REPLAY_WAIT_SECONDS
    while True:
        try:
            with transaction.atomic():
                return IdempotencyRecord.objects.create(user=user, key=key, fingerprint=fingerprint)
        except IntegrityError:
            pass
        record = IdempotencyRecord.objects.filter(user=user, key=key).first()
        if record is None:
            continue  # expired and deleted by a concurrent request: claim again
        if record.fingerprint != fingerprint:
            raise IdempotencyKeyReused()
        if record.state == IdempotencyRecord.State.DONE:
            return _replay(record)
        if record.created_at < timezone.now() - STALE_PENDING:
            # The first request died before committing anything; take its place.
            taken = IdempotencyRecord.objects.filter(
                pk=record.pk, state=IdempotencyRecord.State.PENDING, created_at=record.created_at
            ).update(created_at=timezone.now())
            if taken:
                record.refresh_from_db()
                return record
            continue
        if time.monotonic() >= deadline:
            raise IdempotencyInProgress()
        time.sleep(REPLAY_POLL_SECONDS)


def idempotent(post):
    """Decorate an APIView's `post` so an `Idempotency-Key` header makes it safe to retry."""

    @functools.wraps(post)
    def wrapper(view, request, *args, **kwargs):
        key = _read_key(request)
        if key is None:
            return post(view, request, *args, **kwargs)
        claimed = _claim(request.user, key, _fingerprint(request))
        if isinstance(claimed, Response):
            return claimed
        try:
            with transaction.atomic():
                try:
                    response = post(view, request, *args, **kwargs)
                except (APIException, Http404, PermissionDenied) as exc:
                    # A refusal (sold out, taken seats, ...) is an answer too: replays must see it again.
                    response = view.handle_exception(exc)
                if response.status_code >= status.HTTP_500_INTERNAL_SERVER_ERROR:
                    raise _NotRecorded(response)
                claimed.state = IdempotencyRecord.State.DONE
                claimed.response_status = response.status_code
                claimed.response_body = response.data
                claimed.save(update_fields=["state", "response_status", "response_body"])
        except _NotRecorded as not_recorded:
            claimed.delete()
            return not_recorded.response
        except BaseException:
            # Nothing committed; free the key so the client's retry runs instead of waiting.
            claimed.delete()
            raise
        return response

    return wrapper
