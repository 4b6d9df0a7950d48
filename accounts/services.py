from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import timezone
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.tokens import RefreshToken

from irctc.errors import Conflict, DomainError

User = get_user_model()


class InvalidRefreshToken(DomainError):
    status_code = 400
    default_code = "token_not_valid"
    default_detail = "The refresh token is invalid, expired or already revoked."


def register_user(*, username: str, email: str, password: str) -> User:
    """Create a passenger. Public registration can never create an ADMIN."""
    taken = {}
    if User.objects.filter(username__iexact=username).exists():
        taken["username"] = ["That username is already registered."]
    if User.objects.filter(email__iexact=email).exists():
        taken["email"] = ["That email is already registered."]
    if taken:
        raise Conflict("That username or email is already registered.", code="already_registered", fields=taken)
    try:
        with transaction.atomic():
            return User.objects.create_user(
                username=username, email=email.strip().lower(), password=password, role=User.Role.USER
            )
    except IntegrityError as exc:
        # The serializer checked first; this is the race where two requests register at once.
        raise Conflict("That username or email is already registered.", code="already_registered") from exc


def issue_tokens(user: User) -> dict:
    refresh = RefreshToken.for_user(user)
    return {"access": str(refresh.access_token), "refresh": str(refresh)}


def revoke_refresh_token(*, user: User, refresh: str) -> None:
    """Blacklist one refresh token of `user`, so it can no longer mint access tokens."""
    try:
        token = RefreshToken(refresh)
    except TokenError as exc:
        raise InvalidRefreshToken() from exc
    if str(token.get("user_id")) != str(user.pk):
        raise InvalidRefreshToken("That refresh token belongs to someone else.")
    token.blacklist()


def record_login(user: User) -> None:
    User.objects.filter(pk=user.pk).update(last_login=timezone.now())
