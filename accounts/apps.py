from django.apps import AppConfig
from django.db.models.signals import pre_delete, pre_save


class AccountsConfig(AppConfig):
    name = "accounts"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from accounts import user_cache
        from accounts.models import User

        pre_save.connect(user_cache.forget_changed_user, sender=User, dispatch_uid="accounts.forget_saved_user")
        pre_delete.connect(user_cache.forget_changed_user, sender=User, dispatch_uid="accounts.forget_deleted_user")
