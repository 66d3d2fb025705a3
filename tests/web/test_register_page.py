"""Taking a class's register from the page (issue 6, page 2): mark all present, then the
exceptions; saved through record_marks; changing a saved mark is a correction that asks why and
keeps the old mark in its history (muster.registers.corrections)."""

from __future__ import annotations

from muster.people.models import TeachingGroup
from muster.registers.models import MarkBatch, MarkChange
from tests.web.conftest import TODAY


def _register(as_user, demo):
    teacher = demo.get(username="teacher")
    group = TeachingGroup.objects.get(teachers=teacher)
    client = as_user("teacher")
    return client, f"/registers/{group.pk}/{TODAY.isoformat()}/PM/"


def _marks(response) -> dict[str, str]:
    return {row.field: row.wanted for row in response.context["rows"]}


def test_mark_all_present_then_an_exception_and_save(as_user, demo):
    client, url = _register(as_user, demo)
    shown = client.get(url)
    assert shown.status_code == 200
    before = _marks(shown)
    held = {field: mark for field, mark in before.items() if mark}  # e.g. a demo's planted illness
    assert len(held) < len(before)  # the afternoon register is not yet taken
    seen = {f"seen-{r.enrolment.pk}": f"{r.seen.version}:{r.seen.code}" for r in shown.context["rows"]}
    prefilled = client.post(url, {**seen, **before, "action": "all-present"})
    marks = _marks(prefilled)
    assert marks == {field: held.get(field, "\\") for field in before}
    absent = sorted(set(marks) - set(held))[0]
    marks[absent] = "N"
    saved = client.post(url, {**seen, **marks, "action": "save", "reason": ""})
    assert saved.status_code == 302
    batch = MarkBatch.objects.filter(source=MarkBatch.Source.REGISTER).latest("pk")
    assert batch.created_by.username == "teacher"
    again = _marks(client.get(url))
    assert again[absent] == "N" and list(again.values()).count("\\") == len(again) - 1 - len(held)


def test_changing_a_saved_mark_asks_why_and_keeps_the_old_mark(as_user, demo):
    client, url = _register(as_user, demo)
    shown = client.get(url)
    rows = shown.context["rows"]
    seen = {f"seen-{r.enrolment.pk}": f"{r.seen.version}:{r.seen.code}" for r in rows}
    marks = {r.field: r.seen.code or "\\" for r in rows}
    fresh = next(r for r in rows if not r.seen.code)
    client.post(url, {**seen, **marks, "action": "save"})
    shown = client.get(url)
    rows = shown.context["rows"]
    seen = {f"seen-{r.enrolment.pk}": f"{r.seen.version}:{r.seen.code}" for r in rows}
    changed = dict(_marks(shown))
    changed[fresh.field] = "M"
    refused = client.post(url, {**seen, **changed, "action": "save", "reason": ""})
    assert refused.status_code == 200
    assert b"Say why you are changing the marks of" in refused.content
    assert _marks(client.get(url))[fresh.field] == "\\"
    done = client.post(url, {**seen, **changed, "action": "save", "reason": "Letter from the dentist"})
    assert done.status_code == 302
    change = MarkChange.objects.latest("pk")
    assert (change.previous_code, change.offered_code, change.reason) == ("\\", "M", "Letter from the dentist")


def test_a_register_of_someone_elses_class_is_not_found(as_user, demo):
    group = TeachingGroup.objects.first()
    client = as_user("social-worker")
    assert client.get(f"/registers/{group.pk}/{TODAY.isoformat()}/AM/").status_code == 404


def test_a_code_withdrawn_before_the_day_is_refused_naming_the_pupil(as_user, demo):
    """H (agreed family holiday) was withdrawn on 19 August 2024 (reference 2.2)."""
    client, url = _register(as_user, demo)
    rows = client.get(url).context["rows"]
    seen = {f"seen-{r.enrolment.pk}": f"{r.seen.version}:{r.seen.code}" for r in rows}
    fresh = next(r for r in rows if not r.seen.code)
    marks = {r.field: r.seen.code or "\\" for r in rows} | {fresh.field: "H"}
    refused = client.post(url, {**seen, **marks, "action": "save"})
    assert refused.status_code == 200
    (error,) = refused.context["errors"]
    assert error.field == fresh.field and error.message.startswith(f"{fresh.name}: ")
    assert _marks(client.get(url)) == {r.field: r.seen.code for r in rows}  # nothing saved
