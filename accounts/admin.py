from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from accounts.models import User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ["username", "email", "role", "is_active", "date_joined", "last_login"]
    list_filter = ["role", "is_active", "is_staff"]
    search_fields = ["username", "email"]
    fieldsets = DjangoUserAdmin.fieldsets + (("Role", {"fields": ["role"]}),)
    add_fieldsets = DjangoUserAdmin.add_fieldsets + ((None, {"fields": ["email", "role"]}),)
