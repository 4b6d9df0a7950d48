"""The signed-in user, kept in the cache so that authenticating a request needs no database query.

Every change to a user row marks its entry invalid (a tombstone) *before* the write and again
once it commits, from each way the code changes users: `save()` and `delete()` (signals, wired
in apps.py) and `User.objects.filter(...).update(...)` / `bulk_update` (`UserQuerySet`). While
the tombstone lasts, requests read the user from the database and don't cache it, so a request
that read the row just before a change committed can't put the old row back into the cache (it
stores with `add`, which the tombstone blocks). A raw SQL UPDATE of the user table bypasses all
of this; entries expire after AUTH_USER_CACHE_SECONDS anyway.

What's cached is the row without its password hash; the password field is deferred, so code that
reads it (or saves the user) loads it from the database as usual.
"""

import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import transaction

from irctc.cache import read_and_count

logger = logging.getLogger(__name__)

INVALIDATED = "invalidated"
# Written at every sign-in, read by nothing a request does: an update of it alone keeps the entry.
FIELDS_ALLOWED_STALE = {"last_login"}
# Longer than any request takes between reading a user row and caching it.
TOMBSTONE_SECONDS = 60


def key_for(user_id) -> str:
    return f"auth-user:{user_id}"


def enabled() -> bool:
    return settings.AUTH_USER_CACHE_SECONDS > 0


def cached_user(user_id, counting: dict[str, int] | None = None):
    """`(entry, counts)`: the cached user, None if absent, or INVALIDATED while a change is
    settling; and, for `counting` (`{key: seconds}`: throttle windows), their values after each was
    counted once, in the same round trip (`irctc.cache.read_and_count`).

    A cache that is down reads as INVALIDATED, and counts nothing (None): the caller goes to the
    database and caches nothing, and the throttles count on their own (and let the request through).
    """
    entry, counts, _found = cached_user_with(user_id, counting, [])
    return entry, counts


def cached_user_with(user_id, counting: dict[str, int] | None, also: list[str]):
    """`(entry, counts, found)`: `cached_user`, and what the cache holds of the keys `also` (None
    when it is down), read in the same round trip."""
    key = key_for(user_id)
    try:
        found, counts = read_and_count(cache, [key, *also], counting or {})
    except Exception:  # noqa: BLE001 - any cache failure means "ask the database"
        return INVALIDATED, None, None
    return found.get(key), dict(zip(counting or {}, counts, strict=True)), found


def remember(user, extra: dict) -> None:
    User = get_user_model()
    fields = {f.attname: getattr(user, f.attname) for f in User._meta.concrete_fields if f.attname != "password"}
    try:
        cache.add(key_for(user.pk), {**fields, **extra}, timeout=settings.AUTH_USER_CACHE_SECONDS)
    except Exception:  # noqa: BLE001 - not caching only costs the next request a query
        pass


def user_from(entry: dict):
    """A User built from a cache entry, as if loaded by a query that deferred the password."""
    User = get_user_model()
    names = [f.attname for f in User._meta.concrete_fields if f.attname in entry]
    return User.from_db("default", names, [entry[name] for name in names])


def forget(user_ids) -> None:
    """Invalidate these users' entries now and once the current transaction commits.

    The first write raises if the cache is down, before the change is made, so the change fails
    rather than leaving a stale entry to be served when the cache comes back.
    """
    if not enabled():
        return
    keys = [key_for(user_id) for user_id in user_ids]
    if not keys:
        return
    _tombstone(keys)
    transaction.on_commit(lambda: _tombstone(keys, quiet=True))


def forget_changed_user(sender, instance, update_fields=None, **kwargs):
    """pre_save / pre_delete of a User."""
    if instance.pk is None:
        return
    if update_fields is not None and set(update_fields) <= FIELDS_ALLOWED_STALE:
        return
    forget([instance.pk])


def _tombstone(keys, quiet=False):
    try:
        cache.set_many(dict.fromkeys(keys, INVALIDATED), timeout=TOMBSTONE_SECONDS)
    except Exception:
        if not quiet:
            raise
        # The tombstone written before the change still holds for TOMBSTONE_SECONDS.
        logger.exception("could not re-invalidate cached users %s after commit", keys)
