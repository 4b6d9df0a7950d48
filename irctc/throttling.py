"""Request throttling: login/register/refresh per client IP, booking writes per user, and a general
per-user and anonymous rate for everything else (rates in `settings.THROTTLE_RATES`).

DRF's `SimpleRateThrottle` keeps a timestamp list that it reads and writes back without a lock,
so a burst of parallel requests (the case that matters: a script guessing passwords from many
connections) all read the same history and all get through. These throttles count in fixed
windows with the cache's atomic `add` + `incr` instead (`irctc.cache.add_and_incr`: one round
trip on Redis), which Redis (several workers) and the local caches do atomically.
"""

import logging
import time
from abc import ABC, abstractmethod

from django.conf import settings
from django.core.cache import cache
from rest_framework.throttling import BaseThrottle

from irctc.cache import add_and_incr

logger = logging.getLogger(__name__)

_PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


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

    def allow_request(self, request, view) -> bool:
        rate = settings.THROTTLE_RATES.get(self.scope)
        if not rate or not self.applies_to(request, view):
            return True
        identity = self.identity(request)
        if identity is None:
            return True
        limit, period = parse_rate(rate)
        now = time.time()
        window = int(now // period)
        self._retry_after = (window + 1) * period - now
        key = f"throttle:{self.scope}:{identity}:{window}"
        try:
            (count,) = add_and_incr(cache, [key], 0, period + 1)
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


class BookingThrottle(WindowThrottle):
    """Booking, hold and confirm (the writes of views scoped "booking"), per user."""

    scope = "booking"

    def applies_to(self, request, view) -> bool:
        return _scope_of(view) == "booking" and request.method == "POST"

    def identity(self, request) -> str | None:
        return str(request.user.pk) if request.user and request.user.is_authenticated else None


class _GeneralThrottle(WindowThrottle):
    def applies_to(self, request, view) -> bool:
        scoped = _scope_of(view)
        return not (scoped == "auth" or (scoped == "booking" and request.method == "POST"))


class UserThrottle(_GeneralThrottle):
    scope = "user"

    def identity(self, request) -> str | None:
        return str(request.user.pk) if request.user and request.user.is_authenticated else None


class AnonThrottle(_GeneralThrottle):
    scope = "anon"

    def identity(self, request) -> str | None:
        if request.user and request.user.is_authenticated:
            return None
        return client_ip(request)
