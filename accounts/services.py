"""Every change to an account: registration, sign-in, and the rotation and revocation of refresh
tokens. Refusals are the domain errors of `accounts.errors`; the tokens come from `accounts.tokens`."""

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts import selectors, tokens
from accounts.errors import AlreadyRegistered, InvalidCredentials, InvalidRefreshToken, RefreshRejected

User = get_user_model()


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
        raise AlreadyRegistered(fields=taken)
    try:
        with transaction.atomic():
            return User.objects.create_user(username=username, email=email, password=password, role=User.Role.USER)
    except IntegrityError as exc:
        # Two registrations raced past the check above; the unique indexes let only one in.
        raise AlreadyRegistered(fields=_taken_fields(username=username, email=email)) from exc


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
    return tokens.issue_pair(user)


def rotate_refresh_token(*, refresh: str) -> dict:
    """A new access/refresh pair for a valid refresh token, which is blacklisted so it works once.

    simplejwt's own refresh serializer crashes (500) on a token whose user was deleted and lets two
    simultaneous refreshes of one token both succeed; this does neither.
    """
    try:
        token = tokens.read_refresh(refresh)
    except tokens.UnreadableToken as exc:
        raise RefreshRejected() from exc
    user = User.objects.filter(pk=tokens.user_id_of(token)).first()
    if user is None or not user.is_active:
        raise RefreshRejected("No active account for this refresh token.", code="no_active_account")
    try:
        newly_blacklisted = tokens.blacklist(token)
    except IntegrityError:
        newly_blacklisted = False
    if not newly_blacklisted:
        raise RefreshRejected()
    return issue_tokens(user)


def revoke_refresh_token(*, user: User, refresh: str) -> None:
    """Blacklist one refresh token of `user`, so it can no longer mint access tokens."""
    try:
        token = tokens.read_refresh(refresh)
    except tokens.UnreadableToken as exc:
        raise InvalidRefreshToken() from exc
    if str(tokens.user_id_of(token)) != str(user.pk):
        raise InvalidRefreshToken("That refresh token belongs to someone else.", code="token_not_yours")
    tokens.blacklist(token)
