"""Request throttling: login/register/refresh per client IP, booking writes per user, and a general
per-user and anonymous rate for everything else (rates in `settings.THROTTLE_RATES`).

DRF's `SimpleRateThrottle` keeps a timestamp list that it reads and writes back without a lock,
so a burst of parallel requests (the case that matters: a script guessing passwords from many
connections) all read the same history and all get through. These throttles count in fixed
windows with the cache's atomic `add` + `incr` instead, which Redis (several workers) and the
local caches do atomically. On Redis that is one round trip (`irctc.cache.read_and_count`), and a
throttle that counts signed-in users by their id is counted as the request's user is read from
the cache (`counted_with_user`), in the same round trip.
"""

import logging
import time
from abc import ABC, abstractmethod

from django.conf import settings
from django.core.cache import cache
from rest_framework.throttling import BaseThrottle

from irctc.cache import read_and_count

logger = logging.getLogger(__name__)

_PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
# Where the counts made as the user was read are left for the throttles (on Django's request).
_COUNTED = "_throttle_counted_with_user"


def parse_rate(rate: str) -> tuple[int, int]:
    """'30/min' -> (30, 60). The period is read by its first letter, as DRF does."""
    count, period = rate.split("/")
    return int(count), _PERIODS[period.strip()[0].lower()]


def client_ip(request) -> str:
    """`REMOTE_ADDR`, unless `NUM_PROXIES` trusted proxies say to read `X-Forwarded-For`.

    With N trusted proxies the client is the N-th address from the right: everything left of it
    was written by the client itself and can't be trusted.
    """
    remote_addr = request.META.get("REMOTE_ADDR", "")
    forwarded_for = request.META.get("HTTP_X_FORWARDED_FOR")
    if settings.NUM_PROXIES <= 0 or not forwarded_for:
        return remote_addr
    addresses = [address.strip() for address in forwarded_for.split(",") if address.strip()]
    if not addresses:
        return remote_addr
    return addresses[-min(settings.NUM_PROXIES, len(addresses))]


class WindowThrottle(BaseThrottle, ABC):
    """At most N requests per period for one identity, counted in fixed windows."""

    scope: str = ""

    def applies_to(self, request, view) -> bool:
        return True

    @abstractmethod
    def identity(self, request) -> str | None:
        """Whose budget this request spends; None means it isn't counted by this throttle."""

    def identity_of_user(self, user_id) -> str | None:
        """The identity a request signed in as `user_id` would have, for a throttle that counts
        signed-in users by their id; None for the others."""
        return None

    def window(self, request, view, identity: str, now: float) -> tuple[str, int, int] | None:
        """`(key, limit, period)` of the window counting this request at `now`, None if not counted."""
        rate = settings.THROTTLE_RATES.get(self.scope)
        if not rate or not self.applies_to(request, view):
            return None
        limit, period = parse_rate(rate)
        return f"throttle:{self.scope}:{identity}:{int(now // period)}", limit, period

    def allow_request(self, request, view) -> bool:
        identity, now = self.identity(request), time.time()
        window = self.window(request, view, identity, now) if identity is not None else None
        if window is None:
            return True
        key, limit, period = window
        self._retry_after = (int(now // period) + 1) * period - now
        counted = getattr(getattr(request, "_request", request), _COUNTED, {}).pop(key, None)
        if counted is not None:
            return counted <= limit
        try:
            _found, (count,) = read_and_count(cache, [], {key: period + 1})
        except Exception:  # noqa: BLE001
            # A throttle that takes the API down with the cache would be worse than none.
            logger.warning("Throttle cache unavailable; letting the request through", exc_info=True)
            return True
        return count <= limit

    def wait(self) -> float | None:
        return getattr(self, "_retry_after", None)


def _scope_of(view) -> str | None:
    return getattr(view, "throttle_scope", None)


class AuthThrottle(WindowThrottle):
    """Login, register and refresh, per client IP: they are what a password guesser hammers."""

    scope = "auth"

    def applies_to(self, request, view) -> bool:
        return _scope_of(view) == "auth"

    def identity(self, request) -> str:
        return client_ip(request)


class _PerUser:
    """A throttle that counts signed-in users, by their id."""

    def identity(self, request) -> str | None:
        return str(request.user.pk) if request.user and request.user.is_authenticated else None

    def identity_of_user(self, user_id) -> str:
        return str(user_id)


class BookingThrottle(_PerUser, WindowThrottle):
    """Booking, hold and confirm (the writes of views scoped "booking"), per user."""

    scope = "booking"

    def applies_to(self, request, view) -> bool:
        return _scope_of(view) == "booking" and request.method == "POST"


class _GeneralThrottle(WindowThrottle):
    def applies_to(self, request, view) -> bool:
        scoped = _scope_of(view)
        return not (scoped == "auth" or (scoped == "booking" and request.method == "POST"))


class UserThrottle(_PerUser, _GeneralThrottle):
    scope = "user"


class AnonThrottle(_GeneralThrottle):
    scope = "anon"

    def identity(self, request) -> str | None:
        if request.user and request.user.is_authenticated:
            return None
        return client_ip(request)


def windows_of_user(request, user_id) -> dict[str, int]:
    """`{key: seconds}` of the windows the request's view's throttles will count it in once it is
    signed in as `user_id` (the throttles that count signed-in users by their id), for
    authentication to count them as it reads the user (`counted_with_user`)."""
    view = (getattr(request, "parser_context", None) or {}).get("view")
    if view is None:
        return {}
    windows, now = {}, time.time()
    for throttle in view.get_throttles():
        identity = throttle.identity_of_user(user_id) if isinstance(throttle, WindowThrottle) else None
        window = throttle.window(request, view, identity, now) if identity is not None else None
        if window is not None:
            key, _limit, period = window
            windows[key] = period + 1
    return windows


def counted_with_user(request, counts: dict[str, int]) -> None:
    """The windows `windows_of_user` named, counted already (`{key: value after}`): the throttles
    take these values instead of counting the request again."""
    setattr(getattr(request, "_request", request), _COUNTED, counts)
