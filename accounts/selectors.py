from django.contrib.auth import get_user_model

User = get_user_model()


def user_for_login(*, email: str | None = None, username: str | None = None) -> User | None:
    """The user with this email, or else this username, matched case-insensitively.

    Each identifier is looked up only in its own field: a username may contain '@', so guessing
    the field from the value could sign someone in as the wrong person.
    """
    if email:
        return User.objects.filter(email__iexact=email.strip()).first()
    if username:
        return User.objects.filter(username__iexact=username.strip()).first()
    return None
