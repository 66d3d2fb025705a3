"""First-day messages to families through GOV.UK Notify (issue 9, "Messages to families" and "Done
when": "A test sends a first-day SMS through the fake Notify server and records its delivery
status"; seed 002 lines 122-132, first-day calling). The real `notifications-python-client` talks
to a fake Notify on 127.0.0.1 (interop.md 3.2); nothing reaches the network."""

from __future__ import annotations

import base64

import pytest
from click.testing import CliRunner
from django.contrib.auth import get_user_model

from muster.audit.models import AuditEvent
from muster.cli import main
from muster.core.slots import Session
from muster.interop import notify
from muster.interop.models import NotifyMessage, PupilContact
from muster.statutory.letters.merge import merge_letter
from muster.statutory.models import ContactAttempt, Letter
from tests.interop.fake_notify import API_KEY, SERVICE_ID, FakeNotify
from tests.statutory.conftest import PRESENT, Town, week_of

pytestmark = pytest.mark.django_db

SMS_TEMPLATE = "0b6e5a3c-8f1d-4c2b-9e7a-1d3f5b7c9e0a"
EMAIL_TEMPLATE = "5c1d9e7b-3a2f-4e6d-8b0c-9f1e2d3c4b5a"


@pytest.fixture
def absent(monkeypatch):
    """Larkfield Primary with two pupils absent with no reason on Monday of week 3: one family
    with a mobile, one with only an email; and the school's Notify key named, not stored."""
    town = Town()
    school = town.schools[0]
    texted = town.pupil("Fernsby")
    emailed = town.pupil("Hollowmere")
    for pupil in (texted, emailed):
        town.enrol(pupil, school, [PRESENT, PRESENT, "NN////////"])
    PupilContact.objects.create(pupil=texted, order=1, title="Ms", forename="Ada", surname="Fernsby",
                                phones=[{"kind": "H", "number": "01632 960111"},
                                        {"kind": "M", "number": "07700 900111"}])
    PupilContact.objects.create(pupil=emailed, order=1, forename="Bo", surname="Hollowmere",
                                email="bo.hollowmere@example.org")
    monkeypatch.setenv("NOTIFY_KEY_TEST", API_KEY)
    return town, school, texted, emailed


def test_first_day_sms_goes_through_notify_and_its_delivery_status_is_in_the_contact_log(absent):
    town, school, texted, emailed = absent
    day = week_of(3)
    with FakeNotify() as fake:
        notify.set_notify_templates(school=school, by=None, api_key_name="NOTIFY_KEY_TEST", base_url=fake.url,
                                    first_day_sms_template=SMS_TEMPLATE, first_day_email_template=EMAIL_TEMPLATE)
        sent = notify.send_first_day_messages(school=school, day=day, session=Session.AM, by=None)
        assert sorted((s["upn"], s["kind"], s["status"]) for s in sent) == sorted(
            [(texted.upn, "sms", "created"), (emailed.upn, "email", "created")])
        (sms_id,) = [i for i, m in fake.sent.items() if m["kind"] == "sms"]
        assert fake.sent[sms_id]["phone_number"] == "07700 900111", "the mobile, not the home number"
        assert fake.sent[sms_id]["template_id"] == SMS_TEMPLATE
        assert fake.sent[sms_id]["personalisation"]["school_name"] == school.name
        attempt = ContactAttempt.objects.get(pupil=texted)
        assert (attempt.method, attempt.outcome, attempt.absence_on) == ("sms", "sent", day)
        # Notify delivers the SMS but not the email; the statuses are read back and recorded.
        (email_id,) = [i for i in fake.sent if i != sms_id]
        fake.status[sms_id], fake.status[email_id] = "delivered", "permanent-failure"
        checked = notify.record_delivery_statuses(school=school, by=None)
    assert {m.notification_id: m.status for m in checked} == {sms_id: "delivered", email_id: "permanent-failure"}
    attempt.refresh_from_db()
    assert attempt.outcome == "sent" and "delivered" in attempt.note
    failed = ContactAttempt.objects.get(pupil=emailed)
    assert failed.outcome == "not_delivered" and "permanent-failure" in failed.note
    assert AuditEvent.objects.filter(record_kind="notify_message", action="change").count() == 2


def test_a_family_already_messaged_for_the_day_is_not_messaged_again(absent):
    town, school, texted, emailed = absent
    with FakeNotify() as fake:
        notify.set_notify_templates(school=school, by=None, api_key_name="NOTIFY_KEY_TEST", base_url=fake.url,
                                    first_day_sms_template=SMS_TEMPLATE)
        first = notify.send_first_day_messages(school=school, day=week_of(3), by=None)
        again = notify.send_first_day_messages(school=school, day=week_of(3), by=None)
    assert [s["status"] for s in first if s["upn"] == texted.upn] == ["created"]
    assert [s["skipped"] for s in first if s["upn"] == emailed.upn] != [""], "no email template: skipped"
    assert [s["upn"] for s in again] == [emailed.upn]
    assert len(fake.sent) == 1


def test_with_no_key_the_message_is_recorded_as_would_have_sent_and_nothing_is_logged(absent):
    """The demo needs no key: it shows what would have been sent (issue 9, item 4)."""
    town, school, texted, _ = absent
    notify.set_notify_templates(school=school, by=None, first_day_sms_template=SMS_TEMPLATE)
    sent = notify.send_first_day_messages(school=school, day=week_of(3), by=None)
    assert [(s["upn"], s["status"]) for s in sent if s["kind"]] == [(texted.upn, "would-have-sent")]
    assert NotifyMessage.objects.get(pupil=texted).status == "would-have-sent"
    assert not ContactAttempt.objects.exists()


def test_cli_dry_run_lists_the_messages_and_sends_nothing(absent):
    town, school, texted, _ = absent
    notify.set_notify_templates(school=school, by=None, first_day_sms_template=SMS_TEMPLATE)
    result = CliRunner().invoke(main, ["notify", "first-day", "--school", school.urn, "--on",
                                       week_of(3).isoformat(), "--dry-run", "--format", "csv"])
    assert result.exit_code == 0, result.output
    assert f"{texted.upn},sms,07700 900111" in result.output
    assert not NotifyMessage.objects.exists()


LETTER_TEMPLATE = "9a7c5e3b-1d2f-4b6a-8c0e-2f4d6b8a0c1e"


def test_a_merged_letter_goes_by_email_as_a_file_to_download_and_its_status_is_read_back(absent):
    """Issue 9, "letters by email": the letter merged for the pupil (statutory.Letter) goes to
    the first contact with an email, as Notify's file-by-email (`prepare_upload`)."""
    town, school, _, emailed = absent
    letter = merge_letter(kind="below_96", pupil=emailed, school=school, on=week_of(3), by=town.staff)
    with FakeNotify() as fake:
        notify.set_notify_templates(school=school, by=None, api_key_name="NOTIFY_KEY_TEST", base_url=fake.url,
                                    letter_email_template=LETTER_TEMPLATE)
        message = notify.send_letter_by_email(letter=letter, by=None)
        (sent,) = fake.sent.values()
        assert (sent["kind"], sent["email_address"], sent["template_id"]) == (
            "email", "bo.hollowmere@example.org", LETTER_TEMPLATE)
        upload = sent["personalisation"]["link_to_file"]
        assert base64.b64decode(upload["file"]) == bytes(letter.docx)
        assert upload["filename"] == f"{letter.filename}.docx" and upload["confirm_email_before_download"]
        fake.status[message.notification_id] = "delivered"
        (checked,) = notify.record_delivery_statuses(school=school, by=None)
    assert (checked.purpose, checked.status) == ("letter", "delivered")
    assert AuditEvent.objects.filter(record_kind="notify_message", pupil_id=emailed.pk).count() == 2


def test_a_letter_is_not_emailed_without_an_address_nor_by_someone_who_cannot_reach_the_pupil(absent):
    town, school, texted, emailed = absent
    notify.set_notify_templates(school=school, by=None, letter_email_template=LETTER_TEMPLATE)
    no_email = merge_letter(kind="below_96", pupil=texted, school=school, on=week_of(3), by=town.staff)
    with pytest.raises(notify.NotifyNotSet, match="no email address"):
        notify.send_letter_by_email(letter=no_email, by=None)
    letter = merge_letter(kind="below_96", pupil=emailed, school=school, on=week_of(3), by=town.staff)
    stranger = get_user_model().objects.create_user("no-role-here", password="x")
    with pytest.raises(Letter.DoesNotExist):
        notify.send_letter_by_email(letter=letter, by=stranger)
    assert not NotifyMessage.objects.filter(purpose="letter").exists()
    # With no key (the demo) the letter "would have sent": recorded, nothing leaves Muster.
    assert notify.send_letter_by_email(letter=letter, by=None).status == NotifyMessage.WOULD_HAVE_SENT


def test_cli_emails_a_letter_and_says_to_whom(absent):
    town, school, _, emailed = absent
    notify.set_notify_templates(school=school, by=None, letter_email_template=LETTER_TEMPLATE)
    letter = merge_letter(kind="below_96", pupil=emailed, school=school, on=week_of(3), by=town.staff)
    result = CliRunner().invoke(main, ["notify", "letter", str(letter.pk)])
    assert result.exit_code == 0, result.output
    assert f"{emailed.upn} below_96 letter to bo.hollowmere@example.org: would-have-sent" in result.output
    assert CliRunner().invoke(main, ["notify", "letter", "999999"]).output.strip().endswith("no letter 999999")


def test_a_message_notify_refuses_is_kept_as_refused_and_the_first_day_one_is_logged_not_delivered(
        absent, monkeypatch):
    """Both messages take the one send-and-record path: a refusal (here a key Notify does not
    accept, 403) is kept on the message; the first-day one is also a contact-log line saying it
    was not delivered, and the letter is not a contact attempt."""
    town, school, texted, emailed = absent
    monkeypatch.setenv("NOTIFY_KEY_TEST", f"muster_test-{SERVICE_ID}-0f1e2d3c-4b5a-4968-8776-5a4b3c2d1e0f")
    letter = merge_letter(kind="below_96", pupil=emailed, school=school, on=week_of(3), by=town.staff)
    with FakeNotify() as fake:
        notify.set_notify_templates(school=school, by=None, api_key_name="NOTIFY_KEY_TEST", base_url=fake.url,
                                    first_day_sms_template=SMS_TEMPLATE, letter_email_template=LETTER_TEMPLATE)
        sent = notify.send_first_day_messages(school=school, day=week_of(3), by=None)
        emailed_letter = notify.send_letter_by_email(letter=letter, by=None)
    assert not fake.sent
    assert [(s["upn"], s["status"]) for s in sent if s["kind"]] == [(texted.upn, "refused 403")]
    attempt = ContactAttempt.objects.get(pupil=texted)
    assert attempt.outcome == "not_delivered" and attempt.note.startswith("GOV.UK Notify refused it: ")
    assert (emailed_letter.status, emailed_letter.contact_attempt_id) == ("refused 403", None)
    assert emailed_letter.personalisation["file"] == f"{letter.filename}.docx"
    assert not ContactAttempt.objects.filter(pupil=emailed).exists()
    summaries = set(AuditEvent.objects.filter(record_kind="notify_message").values_list("summary", flat=True))
    assert f"below_96 letter {letter.pk} by email: refused 403" in summaries
