"""The JSON Web Tokens the account services hand out and take back.

Infrastructure: simplejwt mints, reads and blacklists them here, so that the services speak of
users and tokens, never of the library (its exceptions included).
"""

from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.tokens import RefreshToken


class UnreadableToken(Exception):
    """Not a refresh token this server signed and would still honour: malformed, tampered with,
    expired, of another type, or already blacklisted."""


def issue_pair(user) -> dict[str, str]:
    """A new `{access, refresh}` pair for `user`."""
    refresh = RefreshToken.for_user(user)
    return {"access": str(refresh.access_token), "refresh": str(refresh)}


def read_refresh(raw: str) -> RefreshToken:
    """The refresh token `raw` encodes, or `UnreadableToken`."""
    try:
        return RefreshToken(raw)
    except TokenError as exc:
        raise UnreadableToken(str(exc)) from exc


def user_id_of(token: RefreshToken):
    """The id of the user the token was issued to (None if it names none)."""
    return token.get(api_settings.USER_ID_CLAIM)


def blacklist(token: RefreshToken) -> bool:
    """Blacklist `token`, so it can mint no more tokens; False if it was blacklisted already.

    A concurrent blacklisting of the same token may raise the database's IntegrityError instead.
    """
    _, newly_blacklisted = token.blacklist()
    return newly_blacklisted
