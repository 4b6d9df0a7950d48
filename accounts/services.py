from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import timezone
from rest_framework import status
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.settings import api_settings as jwt_settings
from rest_framework_simplejwt.tokens import RefreshToken

from accounts import selectors
from irctc.errors import Conflict, DomainError

User = get_user_model()


class InvalidCredentials(DomainError):
    status_code = status.HTTP_401_UNAUTHORIZED
    default_code = "invalid_credentials"
    default_detail = "Wrong email/username or password."


class RefreshRejected(DomainError):
    """The refresh token can't mint new tokens: malformed, expired, revoked, or its user is gone."""

    status_code = status.HTTP_401_UNAUTHORIZED
    default_code = "token_not_valid"
    default_detail = "The refresh token is invalid, expired or already used."


class InvalidRefreshToken(DomainError):
    status_code = status.HTTP_400_BAD_REQUEST
    default_code = "token_not_valid"
    default_detail = "The refresh token is invalid, expired or already revoked."


def _taken_fields(*, username: str, email: str) -> dict:
    taken = {}
    if User.objects.filter(username__iexact=username).exists():
        taken["username"] = ["That username is already registered."]
    if User.objects.filter(email__iexact=email).exists():
        taken["email"] = ["That email is already registered."]
    return taken


def register_user(*, username: str, email: str, password: str) -> User:
    """Create a passenger. Public registration can never create an ADMIN."""
    email = email.strip().lower()
    taken = _taken_fields(username=username, email=email)
    if taken:
        raise Conflict("That username or email is already registered.", code="already_registered", fields=taken)
    try:
        with transaction.atomic():
            return User.objects.create_user(username=username, email=email, password=password, role=User.Role.USER)
    except IntegrityError as exc:
        # Two registrations raced past the check above; the unique indexes let only one in.
        raise Conflict(
            "That username or email is already registered.",
            code="already_registered",
            fields=_taken_fields(username=username, email=email),
        ) from exc


def authenticate(*, password: str, email: str | None = None, username: str | None = None) -> User:
    """The active user these credentials belong to; `InvalidCredentials` for anything else."""
    user = selectors.user_for_login(email=email, username=username)
    if user is None:
        # Hash anyway, as Django's ModelBackend does, so response time doesn't reveal who exists.
        User().set_password(password)
        raise InvalidCredentials()
    if not user.check_password(password) or not user.is_active:
        raise InvalidCredentials()
    User.objects.filter(pk=user.pk).update(last_login=timezone.now())
    return user


def issue_tokens(user: User) -> dict:
    refresh = RefreshToken.for_user(user)
    return {"access": str(refresh.access_token), "refresh": str(refresh)}


def rotate_refresh_token(*, refresh: str) -> dict:
    """A new access/refresh pair for a valid refresh token, which is blacklisted so it works once.

    simplejwt's own refresh serializer crashes (500) on a token whose user was deleted and lets two
    simultaneous refreshes of one token both succeed; this does neither.
    """
    try:
        token = RefreshToken(refresh)
    except TokenError as exc:
        raise RefreshRejected() from exc
    user = User.objects.filter(pk=token.get(jwt_settings.USER_ID_CLAIM)).first()
    if user is None or not user.is_active:
        raise RefreshRejected("No active account for this refresh token.", code="no_active_account")
    try:
        _, newly_blacklisted = token.blacklist()
    except IntegrityError:
        newly_blacklisted = False
    if not newly_blacklisted:
        raise RefreshRejected()
    return issue_tokens(user)


def revoke_refresh_token(*, user: User, refresh: str) -> None:
    """Blacklist one refresh token of `user`, so it can no longer mint access tokens."""
    try:
        token = RefreshToken(refresh)
    except TokenError as exc:
        raise InvalidRefreshToken() from exc
    if str(token.get(jwt_settings.USER_ID_CLAIM)) != str(user.pk):
        raise InvalidRefreshToken("That refresh token belongs to someone else.", code="token_not_yours")
    token.blacklist()
