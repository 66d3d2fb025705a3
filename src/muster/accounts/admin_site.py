"""The admin site, open only to staff whose session is verified by an authenticator-app code.

Django's own admin sign-in form is replaced by Muster's sign-in pages; the admin's sign-out
button signs out through them too. The check here repeats the middleware's on purpose: the
admin holds children's records, so it must not depend on the middleware list alone.
"""

from __future__ import annotations

from django.contrib.admin import AdminSite
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.views.decorators.cache import never_cache

from muster.accounts.middleware import is_verified
from muster.accounts.views import safe_next_url, sign_out


class VerifiedAdminSite(AdminSite):
    site_header = "Muster"
    site_title = "Muster"
    index_title = "Registers and people"

    def has_permission(self, request) -> bool:
        return super().has_permission(request) and is_verified(request.user)

    @method_decorator(never_cache)
    @login_not_required
    def login(self, request, extra_context=None):
        next_url = request.GET.get(REDIRECT_FIELD_NAME) or reverse("admin:index", current_app=self.name)
        if self.has_permission(request):
            return redirect(safe_next_url(request, next_url))
        if is_verified(request.user):
            raise PermissionDenied  # signed in with password and code, but not admin staff
        return redirect_to_login(next_url, reverse("accounts:sign_in"))

    def logout(self, request, extra_context=None):
        return sign_out(request)

