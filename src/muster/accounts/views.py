"""The sign-in pages: password, then a code (or setting up an app), and sign-out.

Views parse, call `actions` and render; the rules are in `actions`, `lockout` and
`authenticator`. No page uses JavaScript.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import REDIRECT_FIELD_NAME, get_user_model
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from muster.accounts import actions, authenticator, session_state
from muster.accounts.forms import ENTER_CODE, CodeForm, PasswordForm
from muster.accounts.lockout import Lock
from muster.accounts.middleware import is_verified

WRONG_PASSWORD = "The username or password is not correct"
WRONG_CODE = "The code is not correct. Enter the latest code from your authenticator app"


def safe_next_url(request: HttpRequest, url: str | None) -> str:
    """Where to go after signing in: a page of this site, else the default."""
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def locked_message(lock: Lock) -> str:
    minutes = lock.minutes_left(timezone.now())
    return (
        "There have been too many wrong passwords or codes for this username. "
        f"You can try again in {minutes} minute{'s' if minutes != 1 else ''}"
    )


@login_not_required
@never_cache
@require_http_methods(["GET", "POST"])
def sign_in(request: HttpRequest) -> HttpResponse:
    next_url = safe_next_url(request, request.POST.get("next") or request.GET.get(REDIRECT_FIELD_NAME))
    if is_verified(request.user):
        return redirect(next_url)
    form = PasswordForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        result = actions.check_password(request, **form.cleaned_data)
        if isinstance(result, actions.Refused):
            if result.lock:
                form.add_error("username", locked_message(result.lock))
            else:
                form.add_error("password", WRONG_PASSWORD)
        else:
            session_state.begin(request.session, user=result, backend=result.backend,
                                next_url=next_url, now=timezone.now())
            has_app = authenticator.confirmed_device(result) is not None
            return redirect("accounts:code" if has_app else "accounts:set_up_app")
    return render(request, "accounts/sign_in.html", {"form": form, "next": next_url})


@login_not_required
@never_cache
@require_http_methods(["GET", "POST"])
def code(request: HttpRequest) -> HttpResponse:
    pending, user = _pending_sign_in(request)
    if user is None:
        return redirect("accounts:sign_in")
    if authenticator.confirmed_device(user) is None:
        return redirect("accounts:set_up_app")
    form = CodeForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        device = actions.check_code(request, user=user, code=form.cleaned_data["code"])
        if not isinstance(device, actions.Refused):
            actions.complete_sign_in(request, user=user, device=device, backend=pending.backend)
            return redirect(pending.next_url)
        form.add_error("code", locked_message(device.lock) if device.lock else WRONG_CODE)
    return render(request, "accounts/code.html", {"form": form, "enter_code": ENTER_CODE})


@login_not_required
@never_cache
@require_http_methods(["GET", "POST"])
def set_up_app(request: HttpRequest) -> HttpResponse:
    pending, user = _pending_sign_in(request)
    if user is None:
        return redirect("accounts:sign_in")
    if authenticator.confirmed_device(user) is not None:
        return redirect("accounts:code")
    if not pending.new_key:
        pending.new_key = authenticator.new_key()
        session_state.keep_new_key(request.session, pending.new_key)
    form = CodeForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        device = actions.set_up_app(request, user=user, hex_key=pending.new_key,
                                    code=form.cleaned_data["code"])
        if not isinstance(device, actions.Refused):
            actions.complete_sign_in(request, user=user, device=device, backend=pending.backend)
            messages.success(request, "Your authenticator app is set up. You will need a code "
                                      "from it each time you sign in.")
            return redirect(pending.next_url)
        form.add_error("code", locked_message(device.lock) if device.lock else WRONG_CODE)
    username = user.get_username()
    return render(request, "accounts/set_up_app.html", {
        "form": form,
        "enter_code": ENTER_CODE,
        "qr_code": authenticator.qr_code_svg(pending.new_key, username),
        "key": authenticator.base32_key(pending.new_key),
        "account_name": f"{settings.OTP_TOTP_ISSUER}:{username}",
    })


@login_not_required
@never_cache
@require_http_methods(["GET", "POST"])
def sign_out(request: HttpRequest) -> HttpResponse:
    """GET asks to confirm; only a POST (with its CSRF token) signs out."""
    if request.method == "POST":
        actions.sign_out(request)
        messages.info(request, "You have signed out.")
        return redirect("accounts:sign_in")
    return render(request, "accounts/sign_out.html")


def _pending_sign_in(request: HttpRequest):
    """The half-done sign-in and its user, or (None, None) after a message saying why not."""
    pending = session_state.pending(request.session)
    if pending is None:
        return None, None
    if pending.expired(timezone.now()):
        session_state.end_pending(request.session)
        minutes = int(session_state.PENDING_FOR.total_seconds() // 60)
        messages.info(request, f"You took more than {minutes} minutes to enter the code. "
                               "Enter your username and password again.")
        return None, None
    user = get_user_model().objects.filter(pk=pending.user_id, is_active=True).first()
    if user is None:
        session_state.end_pending(request.session)
    return pending, user
