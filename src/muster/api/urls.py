"""/api/v1/: the API's views sign in by bearer token, not by the staff site's password and code,
so they are marked `login_not_required` for muster.accounts.middleware.VerifiedSignInRequiredMiddleware
(every operation still requires a token: muster.api.auth)."""

from django.contrib.auth.decorators import login_not_required

from muster.api.api import api

patterns, _, namespace = api.urls
app_name = namespace  # "api": Ninja reverses its own URLs in this namespace
for pattern in patterns:
    pattern.callback = login_not_required(pattern.callback)

urlpatterns = patterns
