from django.contrib import admin

from muster.accounts.models import SignInAttempt


@admin.register(SignInAttempt)
class SignInAttemptAdmin(admin.ModelAdmin):
    """Sign-in attempts, to see why a username is locked; a record, so never edited."""

    list_display = ("at", "username", "outcome", "address")
    list_filter = ("outcome",)
    search_fields = ("username",)
    date_hierarchy = "at"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
