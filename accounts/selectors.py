from django.contrib.auth import get_user_model

User = get_user_model()


def user_for_login(identifier: str) -> User | None:
    """The user whose email (if it looks like one) or username matches, case-insensitively."""
    identifier = identifier.strip()
    field = "email__iexact" if "@" in identifier else "username__iexact"
    return User.objects.filter(**{field: identifier}).first()
