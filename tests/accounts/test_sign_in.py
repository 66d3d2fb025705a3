"""Signing in takes a password and then a code from an authenticator app (issue "People, roles
and trust": TOTP two-factor for all staff)."""

from __future__ import annotations

import re

import pytest
import time_machine
from django.contrib import admin
from django.test import RequestFactory
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.accounts.conftest import (
    PASSWORD,
    code_for,
    code_for_key,
    give_code,
    give_password,
    make_person,
    sign_in,
)

pytestmark = pytest.mark.django_db


def test_a_new_users_password_is_stored_with_argon2(person):
    assert person.password.startswith("argon2$")


def test_anonymous_people_are_sent_to_sign_in_from_every_page(client):
    for path in ("/", "/admin/", "/admin/registers/pupil/", "/admin/auth/user/"):
        response = client.get(path, follow=True)
        assert response.redirect_chain[-1][0].startswith("/sign-in/?next=/")
        assert "Sign in to Muster" in response.text


def test_a_password_alone_does_not_sign_in(client, person):
    response = give_password(client, person.username)
    assert response.url == "/sign-in/code/"
    assert "Sign in to Muster" in client.get("/admin/", follow=True).text
    assert "_auth_user_id" not in client.session


def test_a_user_without_a_verified_code_cannot_open_the_admin(client, person):
    client.force_login(person)  # a session with a password but no code
    response = client.get("/admin/registers/pupil/", follow=True)
    assert response.redirect_chain[-1][0] == "/sign-in/?next=/admin/registers/pupil/"


def test_the_admin_site_itself_refuses_an_unverified_session(person):
    """The admin checks again, not relying on the middleware alone."""
    request = RequestFactory().get("/admin/")
    request.user = person
    person.is_verified = lambda: False
    assert not admin.site.has_permission(request)
    person.is_verified = lambda: True
    assert admin.site.has_permission(request)


def test_password_and_code_open_the_admin(client, person):
    sign_in(client, person)
    assert client.get("/admin/").status_code == 200
    assert client.get("/admin/accounts/signinattempt/").status_code == 200


def test_the_page_asked_for_is_shown_after_signing_in(client, person):
    response = client.get("/admin/registers/school/", follow=True)
    assert response.redirect_chain[-1][0] == "/sign-in/?next=/admin/registers/school/"
    client.post("/sign-in/", {"username": person.username, "password": PASSWORD,
                               "next": "/admin/registers/school/"})
    response = give_code(client, code_for(TOTPDevice.objects.get(user=person)))
    assert response.url == "/admin/registers/school/"


def test_a_next_page_on_another_site_is_ignored(client, person):
    client.post("/sign-in/", {"username": person.username, "password": PASSWORD,
                              "next": "https://elsewhere.example/"})
    response = give_code(client, code_for(TOTPDevice.objects.get(user=person)))
    assert response.url == "/"


def test_a_wrong_password_and_an_unknown_username_get_the_same_answer(client, person):
    wrong_password = give_password(client, person.username, "not the password at all")
    unknown = give_password(client, "nobody.here", "not the password at all")
    for response in (wrong_password, unknown):
        assert response.status_code == 200
        assert "The username or password is not correct" in response.text
    def page(response, username):
        return re.sub(r'name="csrfmiddlewaretoken" value="\w+"', "", response.text.replace(username, ""))

    assert page(wrong_password, person.username) == page(unknown, "nobody.here")


def test_errors_are_listed_and_linked_to_their_fields(client):
    response = client.post("/sign-in/", {"username": "", "password": ""})
    assert response.text.count('class="error-summary"') == 1
    assert '<a href="#id_username">Enter your username</a>' in response.text
    assert '<a href="#id_password">Enter your password</a>' in response.text
    assert re.search(r'<input[^>]*id="id_username"[^>]*aria-describedby="username-error"', response.text)
    assert "<title>Error: Sign in" in response.text


def test_a_wrong_code_is_refused_with_a_message_linked_to_the_field(client, person):
    give_password(client, person.username)
    device = TOTPDevice.objects.get(user=person)
    response = give_code(client, code_for(device, steps_ahead=5))
    assert response.status_code == 200
    assert '<a href="#id_code">The code is not correct' in response.text
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize("code,message", [
    ("", "Enter the 6-digit code from your authenticator app"),
    ("12345", "The code must be 6 digits"),
    ("12a456", "The code must only include numbers"),
])
def test_a_malformed_code_says_what_is_wrong(client, person, code, message):
    give_password(client, person.username)
    assert message in give_code(client, code).text


def test_a_code_with_a_space_in_the_middle_is_accepted(client, person):
    give_password(client, person.username)
    code = code_for(TOTPDevice.objects.get(user=person))
    assert give_code(client, f"{code[:3]} {code[3:]}").url == "/"


def test_a_code_cannot_be_used_twice(client, person):
    device = TOTPDevice.objects.get(user=person)
    with time_machine.travel(1_900_000_000, tick=False):
        code = code_for(device)
        give_password(client, person.username)
        assert give_code(client, code).url == "/"
        client.post("/sign-out/")
        give_password(client, person.username)
        assert give_code(client, code).status_code == 200


def test_the_code_page_needs_the_password_first(client, person):
    assert client.get("/sign-in/code/").url == "/sign-in/"
    assert client.get("/sign-in/set-up-app/").url == "/sign-in/"


def test_the_code_must_follow_the_password_within_ten_minutes(client, person):
    with time_machine.travel(1_900_000_000, tick=False) as traveller:
        give_password(client, person.username)
        traveller.shift(11 * 60)
        response = give_code(client, code_for(TOTPDevice.objects.get(user=person)))
        assert response.url == "/sign-in/"
        assert "more than 10 minutes" in client.get("/sign-in/").text


def test_an_inactive_user_cannot_sign_in(client, person):
    person.is_active = False
    person.save()
    assert "The username or password is not correct" in give_password(client, person.username).text


def test_a_signed_in_person_who_is_not_admin_staff_is_refused_the_admin(client):
    teacher = make_person("class.teacher", staff=False)
    sign_in(client, teacher)
    assert client.get("/admin/").status_code == 302
    assert client.get("/admin/login/?next=/admin/").status_code == 403


def test_signing_out_ends_the_session(client, person):
    sign_in(client, person)
    assert client.get("/sign-out/").status_code == 200  # asks; only a POST signs out
    assert client.get("/admin/").status_code == 200
    response = client.post("/sign-out/")
    assert response.url == "/sign-in/"
    assert "You have signed out" in client.get("/sign-in/").text
    assert client.get("/admin/", follow=True).redirect_chain[-1][0] == "/sign-in/?next=/admin/"


def test_the_admins_sign_out_button_signs_out(client, person):
    sign_in(client, person)
    assert client.post("/admin/logout/").url == "/sign-in/"
    assert client.get("/admin/").status_code == 302


def test_a_signed_in_person_visiting_sign_in_goes_on_to_the_admin(client, person):
    sign_in(client, person)
    assert client.get("/sign-in/").url == "/"


class TestSettingUpAnApp:
    """A person without an authenticator app sets one up at their first sign-in."""

    @pytest.fixture
    def newcomer(self, db):
        return make_person("new.starter", app=False)

    def _key(self, client) -> str:
        return client.session["muster.sign_in.pending"]["new_key"]

    def test_they_are_shown_a_qr_code_and_the_key_to_type(self, client, newcomer):
        assert give_password(client, newcomer.username).url == "/sign-in/set-up-app/"
        page = client.get("/sign-in/set-up-app/").text
        assert "<svg" in page and "QR code for your authenticator app" in page
        key = re.search(r'id="setup-key">([A-Z2-7 ]+)<', page).group(1)
        assert len(key.replace(" ", "")) == 32
        assert "<script" not in page

    def test_a_first_right_code_sets_up_the_app_and_signs_in(self, client, newcomer):
        give_password(client, newcomer.username)
        client.get("/sign-in/set-up-app/")
        response = client.post("/sign-in/set-up-app/", {"code": code_for_key(self._key(client))})
        assert response.url == "/"
        device = TOTPDevice.objects.get(user=newcomer)
        assert device.confirmed
        assert client.get("/admin/").status_code == 200

    def test_a_wrong_first_code_sets_up_nothing(self, client, newcomer):
        give_password(client, newcomer.username)
        client.get("/sign-in/set-up-app/")
        response = client.post("/sign-in/set-up-app/", {"code": "000000"})
        assert "The code is not correct" in response.text
        assert not TOTPDevice.objects.filter(user=newcomer).exists()

    def test_each_attempt_to_set_up_gets_a_new_key(self, client, newcomer):
        give_password(client, newcomer.username)
        client.get("/sign-in/set-up-app/")
        first = self._key(client)
        client.post("/sign-out/")
        give_password(client, newcomer.username)
        client.get("/sign-in/set-up-app/")
        assert self._key(client) != first

    def test_once_set_up_the_app_is_asked_for_at_each_sign_in(self, client, newcomer):
        give_password(client, newcomer.username)
        client.get("/sign-in/set-up-app/")
        client.post("/sign-in/set-up-app/", {"code": code_for_key(self._key(client))})
        client.post("/sign-out/")
        assert give_password(client, newcomer.username).url == "/sign-in/code/"
        assert client.get("/sign-in/set-up-app/").url == "/sign-in/code/"



def test_signing_in_leads_to_where_the_persons_day_starts(client, person):
    """After the code, each person goes to their start of day (web.navigation.start_of_day):
    the admin only for staff with no school, class or children to see."""
    give_password(client, person.username)
    response = give_code(client, code_for(TOTPDevice.objects.get(user=person)))
    assert response.url == "/"
    assert client.get(response.url).url == "/admin/"
