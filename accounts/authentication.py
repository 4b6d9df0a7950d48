"""JWT authentication that takes the token's user from the cache instead of a query per request.

The token is verified exactly as simplejwt does it (signature, expiry, type); only the user
lookup changes. A cached user passes the same checks as one read from the database: it must be
active, and with CHECK_REVOKE_TOKEN the token must carry the hash of the current password. The
cache entry is invalidated by every change to the user (see accounts/user_cache.py), so a
deactivation, a role change, a password change or a deletion applies from the next request on.

A token this process has verified is also remembered until it expires: its signature and claims
can't change (the same bytes verify the same way), only the clock can make it invalid, and that
is checked on every use. Nothing revokes an access token before it expires (docs/api.md, Accounts: logout), and
the user behind it is still looked up (and checked) on every request.
"""

import time

from django.core.cache import cache
from django.utils.translation import gettext_lazy as _
from drf_spectacular.contrib.rest_framework_simplejwt import SimpleJWTScheme
from rest_framework_simplejwt.authentication import JWTAuthentication
from rest_framework_simplejwt.exceptions import AuthenticationFailed, InvalidToken
from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.utils import get_md5_hash_password

from accounts import user_cache
from irctc import throttling
from irctc.cache import is_redis
from irctc.process_memory import verified_tokens

PASSWORD_HASH = "_token_password_hash"
# Where a view that read the user's cache entry together with its own reads leaves it
# (`read_user_with`): `(key, entry)`, the entry None if the cache held none.
_ENTRY_READ = "_cached_user_entry_read"


def token_user_id(request):
    """The id of the user the request's bearer token names, if the token is valid and users are
    cached, for a view that reads the cache before DRF authenticates (to read the user with its
    own keys). Raises nothing: authentication proper says what is wrong with a token."""
    if not user_cache.enabled():
        return None
    authenticator = CachedUserJWTAuthentication()
    try:
        header = authenticator.get_header(request)
        raw_token = authenticator.get_raw_token(header) if header else None
        if raw_token is None:
            return None
        return authenticator.get_validated_token(raw_token)[api_settings.USER_ID_CLAIM]
    except Exception:  # noqa: BLE001
        return None


def read_user_with(request, user_id, keys: list[str]) -> dict | None:
    """For a view that reads cache keys of its own before DRF authenticates: the user `user_id`
    (`token_user_id`) and `keys`, read in one round trip, with the throttle windows its request is
    counted in counted in it too on Redis (elsewhere there is no round trip to save, and the
    throttles count on their own). Authentication and the throttles then take theirs from here;
    the view gets what the cache holds of `keys` (None when the cache is down: nothing is handed
    over, and authentication reads on its own)."""
    windows = throttling.windows_of_user(request, user_id) if is_redis(cache) else {}
    entry, counts, found = user_cache.cached_user_with(user_id, windows, keys)
    if found is None:
        return None
    setattr(getattr(request, "_request", request), _ENTRY_READ, (user_cache.key_for(user_id), entry))
    if counts:
        throttling.counted_with_user(request, counts)
    return found


class CachedUserJWTAuthentication(JWTAuthentication):
    def authenticate(self, request):
        self._request = request
        self._entry_read = getattr(request, _ENTRY_READ, None)
        return super().authenticate(request)

    def get_validated_token(self, raw_token: bytes):
        known = verified_tokens.get(raw_token)
        if known is not None and time.time() < known[0]:
            return known[1]
        token = super().get_validated_token(raw_token)
        expires = token.payload.get("exp")
        if isinstance(expires, int | float):
            verified_tokens.put(raw_token, (expires, token))
        return token

    def get_user(self, validated_token):
        if not user_cache.enabled():
            return super().get_user(validated_token)
        try:
            user_id = validated_token[api_settings.USER_ID_CLAIM]
        except KeyError as exc:
            raise InvalidToken(_("Token contained no recognizable user identification")) from exc
        read = getattr(self, "_entry_read", None)
        if read is not None and read[0] == user_cache.key_for(user_id):
            entry = read[1]
        else:
            # The throttles that count this user are counted in the same round trip.
            request = getattr(self, "_request", None)
            windows = throttling.windows_of_user(request, user_id) if request is not None else {}
            entry, counts = user_cache.cached_user(user_id, windows)
            if counts:
                throttling.counted_with_user(request, counts)
        # An entry cached while CHECK_REVOKE_TOKEN was off has no password hash to check against.
        if isinstance(entry, dict) and (PASSWORD_HASH in entry or not api_settings.CHECK_REVOKE_TOKEN):
            return self._checked(user_cache.user_from(entry), entry.get(PASSWORD_HASH), validated_token)
        user = super().get_user(validated_token)
        if entry is None:
            extra = {PASSWORD_HASH: get_md5_hash_password(user.password)} if api_settings.CHECK_REVOKE_TOKEN else {}
            user_cache.remember(user, extra)
        return user

    @staticmethod
    def _checked(user, password_hash, validated_token):
        """The checks simplejwt's get_user makes on the row it reads, made on the cached one."""
        if api_settings.CHECK_USER_IS_ACTIVE and not user.is_active:
            raise AuthenticationFailed(_("User is inactive"), code="user_inactive")
        if api_settings.CHECK_REVOKE_TOKEN and validated_token.get(api_settings.REVOKE_TOKEN_CLAIM) != password_hash:
            raise AuthenticationFailed(_("The user's password has been changed."), code="password_changed")
        return user


class CachedUserJWTScheme(SimpleJWTScheme):
    """Documents the same bearer scheme in the OpenAPI schema as simplejwt's own class."""

    target_class = CachedUserJWTAuthentication
