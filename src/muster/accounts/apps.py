from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class AccountsConfig(AppConfig):
    name = "muster.accounts"
    verbose_name = "Sign-in"

    def ready(self) -> None:
        from muster.accounts import signals  # noqa: F401  (connects the sign-out record)


class VerifiedAdminConfig(admin_apps.AdminConfig):
    """Django's admin, whose site needs a session verified by an authenticator-app code."""

    default = False  # named in INSTALLED_APPS in place of django.contrib.admin
    default_site = "muster.accounts.admin_site.VerifiedAdminSite"
