"""Pushing pupils and enrolments (issue 9 item 1: "push pupils and enrolments", checked as
pupils.csv is (formats.md), all or nothing, idempotent by a client batch id), each token's own
rate limit ("rate limits"), and the lists' pages and ordering."""

from __future__ import annotations

import datetime as dt

import pytest

from muster.api.actions import set_token_rate
from muster.api.models import ApiToken
from muster.core.roles import Role
from muster.registers.models import Enrolment, Pupil
from muster.statutory.models import LaReturn
from tests.api.test_role_matrix import Town
from tests.exchange.samples import upn

pytestmark = pytest.mark.django_db


def _item(town: Town, serial: int, **changes) -> dict:
    item = {"upn": upn(serial), "legal_surname": f"Newby{serial}", "legal_forename": "Ada",
            "date_of_birth": "2016-05-01", "nc_year": "5", "school_urn": town.school.urn,
            "enrolment_start": town.day.isoformat()}
    item.update(changes)
    return item


def _state():
    return sorted(Pupil.objects.values_list("upn", "legal_surname")), Enrolment.objects.count()


def test_a_pupils_batch_with_one_bad_item_changes_nothing_and_names_it(caller):
    town = Town()
    lead = caller(town.users[Role.ATTENDANCE_LEAD])
    before = _state()
    items = [_item(town, 2), _item(town, 3, nc_year="15"), _item(town, 4, school_urn="100001")]
    answer = lead.post("/api/v1/pupils", {"client_batch_id": "roll-1", "enrolments": items})
    assert answer.status_code == 422
    assert [(e["index"], e["field"]) for e in answer.json()["errors"]] == [(1, "nc_year"), (2, "school_urn")]
    assert _state() == before


def test_a_pupils_batch_is_written_once_and_the_same_batch_again_changes_nothing(caller):
    town = Town()
    lead = caller(town.users[Role.ATTENDANCE_LEAD])
    body = {"client_batch_id": "roll-2", "enrolments": [_item(town, 2), _item(town, 3)]}
    first = lead.post("/api/v1/pupils", body)
    assert first.status_code == 200 and first.json()["added"] == 4  # 2 pupils + 2 enrolments
    after = _state()
    again = lead.post("/api/v1/pupils", body)
    assert again.json() == first.json() and _state() == after
    other = lead.post("/api/v1/pupils", {"client_batch_id": "roll-2", "enrolments": [_item(town, 5)]})
    assert other.status_code == 409 and _state() == after


def test_a_pupils_batch_leaves_out_columns_no_item_sends(caller):
    """An MIS that does not send care status does not wipe the care status held."""
    town = Town()
    lead = caller(town.users[Role.ATTENDANCE_LEAD])
    p = town.pupil
    item = {"upn": p.upn, "legal_surname": "Quennell-Hart", "legal_forename": p.legal_forename,
            "date_of_birth": p.date_of_birth.isoformat(), "nc_year": p.nc_year, "school_urn": town.school.urn,
            "enrolment_start": (town.day - dt.timedelta(days=60)).isoformat()}
    answer = lead.post("/api/v1/pupils", {"client_batch_id": "rename", "enrolments": [item]})
    assert answer.status_code == 200, answer.json()
    p.refresh_from_db()
    assert (p.legal_surname, p.looked_after, p.care_authority) == ("Quennell-Hart", True, "998")


def test_each_token_has_its_own_rate_limit(caller):
    town = Town()
    officer = caller(town.users[Role.LA_ATTENDANCE_OFFICER], name="slow")
    set_token_rate(token=ApiToken.objects.get(name="slow"), per_minute=2)
    fast = caller(town.users[Role.LA_ATTENDANCE_OFFICER], name="fast")
    assert [officer.get("/api/v1/returns").status_code for _ in range(3)] == [200, 200, 429]
    assert fast.get("/api/v1/returns").status_code == 200


def test_returns_are_paged_and_ordered(caller):
    town = Town()
    for n in range(3):
        LaReturn.objects.create(kind=LaReturn.Kind.ATTENDANCE, pupil=town.pupil, school=town.school, met_on=town.day - dt.timedelta(days=n),
                                due_on=town.day + dt.timedelta(days=5 - n))
    from muster.people.models import Involvement

    Involvement.objects.create(pupil=town.pupil, local_authority=town.school.local_authority,
                               reason=Involvement.Reason.STATUTORY, starts=town.day)
    officer = caller(town.users[Role.LA_ATTENDANCE_OFFICER])
    page = officer.get("/api/v1/returns?ordering=-due_on&limit=2").json()
    assert page["count"] == 3
    assert [r["due_on"] for r in page["items"]] == [(town.day + dt.timedelta(days=5 - n)).isoformat() for n in (0, 1)]
    rest = officer.get("/api/v1/returns?ordering=-due_on&limit=2&offset=2").json()
    assert [r["due_on"] for r in rest["items"]] == [(town.day + dt.timedelta(days=3)).isoformat()]
