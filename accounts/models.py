from django.contrib.auth.models import AbstractUser
from django.contrib.auth.models import UserManager as DjangoUserManager
from django.db import models
from django.db.models.functions import Lower

from accounts import user_cache


class UserQuerySet(models.QuerySet):
    def update(self, **kwargs):
        # `.update()` sends no signal; the cached users it changes must be invalidated here.
        if set(kwargs) - user_cache.FIELDS_ALLOWED_STALE:
            user_cache.forget(list(self.values_list("pk", flat=True)))
        return super().update(**kwargs)


class UserManager(DjangoUserManager.from_queryset(UserQuerySet)):
    def get_by_natural_key(self, username):
        # Usernames are unique case-insensitively, so the admin login and createsuperuser's
        # "already taken" check must match them that way too.
        return self.get(**{f"{self.model.USERNAME_FIELD}__iexact": username})

    def create_superuser(self, username, email=None, password=None, **extra_fields):
        extra_fields.setdefault("role", User.Role.ADMIN)
        return super().create_superuser(username, email, password, **extra_fields)


class User(AbstractUser):
    """A passenger (`USER`) or an operator (`ADMIN`). Email is unique and required."""

    class Role(models.TextChoices):
        USER = "USER", "User"
        ADMIN = "ADMIN", "Admin"

    email = models.EmailField("email address", unique=True)
    role = models.CharField(max_length=5, choices=Role.choices, default=Role.USER)

    REQUIRED_FIELDS = ["email"]
    objects = UserManager()

    class Meta:
        constraints = [
            models.UniqueConstraint(Lower("username"), name="accounts_user_username_ci_unique"),
        ]

    @property
    def is_admin_role(self) -> bool:
        return self.role == self.Role.ADMIN

    def save(self, *args, **kwargs):
        self.email = (self.email or "").strip().lower()
        # An operator needs the Django admin; a superuser is always an operator.
        if self.is_superuser:
            self.role = self.Role.ADMIN
        if self.role == self.Role.ADMIN:
            self.is_staff = True
        super().save(*args, **kwargs)
