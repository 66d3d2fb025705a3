"""Messages to families through GOV.UK Notify (issue 9, "Messages to families"; interop.md 3).

The first-day message goes to the family of each pupil on the school's calling list
(`muster.statutory.calling`) whom nobody has reached yet, as an SMS to the first contact with a
mobile number, else an email, with the school's own Notify template. A message sent is a line in
the contact log (`muster.statutory.actions.log_contact`); its delivery status, read back from
Notify, is recorded on it (a failure makes the line "not delivered").

The school's API key is never stored: `NotifySettings.api_key_name` names the environment
variable (or Django setting) holding it. With no key, as in the demo, each message is recorded as
"would have sent" and nothing leaves Muster. Tests point the real client at a fake server.

A merged letter (`statutory.Letter`) goes by email with the school's letter template: Notify's
"send a file by email" (`prepare_upload`), the PDF when there is one, else the Word file.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from notifications_python_client.errors import HTTPError
from notifications_python_client.notifications import NotificationsAPIClient
from notifications_python_client.utils import prepare_upload

from muster.audit.log import record_event
from muster.core.roles import Action, RecordKind
from muster.core.slots import Session
from muster.interop.models import NotifyMessage, NotifySettings, PupilContact
from muster.people import access
from muster.registers.models import Pupil, School
from muster.statutory import calling
from muster.statutory.actions import log_contact
from muster.statutory.models import ContactAttempt, Letter

NOTIFY_URL = "https://api.notifications.service.gov.uk"
MOBILE = re.compile(r"^(\+44\s?7|07)[\d\s]{9,12}$")
"""A UK mobile number, the only kind an SMS can reach."""


class NotifyNotSet(ValueError):
    """The school has no Notify settings, or none for this message."""


def api_key(notify: NotifySettings) -> str | None:
    """The school's key, looked up by name; None when not set (the demo)."""
    if not notify.api_key_name:
        return None
    return os.environ.get(notify.api_key_name) or getattr(settings, notify.api_key_name, None) or None


def client_for(notify: NotifySettings) -> NotificationsAPIClient | None:
    key = api_key(notify)
    if key is None:
        return None
    return NotificationsAPIClient(key, base_url=notify.base_url or NOTIFY_URL, timeout=30)


@dataclass(frozen=True)
class Planned:
    """A message to send, or why none can be."""

    pupil: Pupil
    upn: str
    kind: str = ""
    recipient: str = ""
    contact: str = ""
    template_id: str = ""
    personalisation: dict | None = None
    skipped: str = ""

    def as_dict(self) -> dict:
        return {"upn": self.upn, "kind": self.kind, "recipient": self.recipient, "contact": self.contact,
                "template_id": self.template_id, "skipped": self.skipped}


def _plan(pupil: Pupil, school: School, notify: NotifySettings, day: dt.date) -> Planned:
    personalisation = {"child_name": pupil.preferred_name or pupil.legal_forename, "school_name": school.name,
                       "absence_date": f"{day:%A} {day.day} {day:%B %Y}"}
    contacts = list(PupilContact.objects.filter(pupil=pupil).order_by("order"))
    for c in contacts:
        mobile = next((p.get("number", "") for p in c.phones if MOBILE.match(p.get("number", "").strip())), "")
        if mobile and notify.first_day_sms_template:
            return Planned(pupil, pupil.upn, "sms", mobile.strip(), _who(c), notify.first_day_sms_template,
                           personalisation)
    for c in contacts:
        if c.email and notify.first_day_email_template:
            return Planned(pupil, pupil.upn, "email", c.email, _who(c), notify.first_day_email_template,
                           personalisation)
    return Planned(pupil, pupil.upn, skipped="no mobile number or email on record for a template the school has")


def _who(contact: PupilContact) -> str:
    return f"{contact.title} {contact.forename} {contact.surname}".replace("  ", " ").strip()[:120]


def first_day_plan(*, school: School, day: dt.date, by, session: Session = Session.AM) -> list[Planned]:
    """The first-day messages due: one per pupil on the calling list not yet reached nor messaged."""
    notify = NotifySettings.objects.filter(school_urn=school.urn).first()
    if notify is None:
        raise NotifyNotSet(f"school {school.urn} has no Notify templates set")
    enrolments = None if by is None else access.enrolments_visible_to(by, Action.CHANGE, RecordKind.REGISTER)
    rows = calling.calling_list(school=school, day=day, session=session, enrolments=enrolments)
    done = set(NotifyMessage.objects.filter(school_urn=school.urn, purpose="first-day", absence_on=day)
               .values_list("pupil_id", flat=True))
    pupils = Pupil.objects.in_bulk([r.pupil_id for r in rows if not r.contact_made and r.pupil_id not in done])
    return [_plan(pupils[r.pupil_id], school, notify, day) for r in rows if r.pupil_id in pupils]


def send_first_day_messages(
    *, school: School, day: dt.date, by, session: Session = Session.AM, dry_run: bool = False,
    client: NotificationsAPIClient | None = None,
) -> list[dict]:
    """Send (or, with `dry_run`, only list) the first-day messages; each one sent is logged as a
    contact. `client` defaults to the school's own; with no key the message "would have sent"."""
    planned = first_day_plan(school=school, day=day, by=by, session=session)
    if dry_run:
        return [dict(p.as_dict(), status="dry run") for p in planned]
    notify = NotifySettings.objects.get(school_urn=school.urn)
    client = client or client_for(notify)
    answers = []
    for p in planned:
        if p.skipped:
            answers.append(dict(p.as_dict(), status="skipped"))
            continue
        answers.append(_send(p, school, day, by, client))
    return answers


def _send(p: Planned, school: School, day: dt.date, by, client) -> dict:
    outgoing = Outgoing(
        pupil=p.pupil, school_urn=school.urn, purpose="first-day", kind=p.kind, recipient=p.recipient,
        template_id=p.template_id, personalisation=p.personalisation or {},
        reference=f"muster-first-day-{school.urn}-{p.upn}-{day.isoformat()}-{uuid.uuid4().hex[:8]}",
        summary=f"first-day {p.kind} for absence on {day}", absence_on=day)
    message = _send_and_record(outgoing, by=by, client=client, contact_log=(school, p.contact))
    return dict(p.as_dict(), status=message.status, notification_id=message.notification_id)


@dataclass(frozen=True)
class Outgoing:
    """One message for Notify, as it is sent and as it is kept."""

    pupil: Pupil
    school_urn: str
    purpose: str
    kind: str
    recipient: str
    template_id: str
    personalisation: dict
    reference: str
    summary: str
    """The audit line, before ": <status>"."""
    absence_on: dt.date | None = None
    file: tuple[str, bytes] | None = None
    """(filename, content): sent as Notify's file to download, kept by its name only."""


@dataclass(frozen=True)
class Answer:
    """What Notify said: the notification's id and status, or why it refused."""

    notification_id: str = ""
    status: str = NotifyMessage.WOULD_HAVE_SENT
    refusal: str | None = None


def _call_notify(outgoing: Outgoing, client: NotificationsAPIClient | None) -> Answer:
    """Send through Notify; with no client (no key, the demo) the message "would have sent"."""
    if client is None:
        return Answer()
    personalisation = outgoing.personalisation
    if outgoing.file is not None:
        filename, content = outgoing.file
        upload = prepare_upload(io.BytesIO(content), filename=filename, confirm_email_before_download=True)
        personalisation = {**personalisation, "link_to_file": upload}
    try:
        if outgoing.kind == "sms":
            sent = client.send_sms_notification(phone_number=outgoing.recipient, template_id=outgoing.template_id,
                                                personalisation=personalisation, reference=outgoing.reference)
        else:
            sent = client.send_email_notification(email_address=outgoing.recipient,
                                                  template_id=outgoing.template_id,
                                                  personalisation=personalisation, reference=outgoing.reference)
    except HTTPError as refused:
        return Answer(status=f"refused {refused.status_code}"[:30], refusal=str(refused.message))
    return Answer(notification_id=sent["id"], status="created")


def _send_and_record(outgoing: Outgoing, *, by, client: NotificationsAPIClient | None,
                     contact_log: tuple[School, str] | None = None) -> NotifyMessage:
    """Send one message and keep it, with its audit line, in one transaction. With
    `contact_log` (the school and the contact's name) a message that reached Notify, accepted or
    refused, is also a line in the contact log; one that only "would have sent" is not."""
    answer = _call_notify(outgoing, client)
    with transaction.atomic():
        attempt = None
        if contact_log is not None and client is not None:
            school, contact = contact_log
            if answer.refusal is None:
                outcome = ContactAttempt.Outcome.SENT
                note = f"GOV.UK Notify {outgoing.kind} {answer.notification_id}: {answer.status}"
            else:
                outcome, note = ContactAttempt.Outcome.NOT_DELIVERED, f"GOV.UK Notify refused it: {answer.refusal}"
            attempt = log_contact(pupil=outgoing.pupil, school=school, method=outgoing.kind, outcome=outcome,
                                  by=by, absence_on=outgoing.absence_on, contact=contact, note=note)
        kept = outgoing.personalisation
        if outgoing.file is not None:
            kept = {**kept, "file": outgoing.file[0]}
        message = NotifyMessage.objects.create(
            pupil=outgoing.pupil, school_urn=outgoing.school_urn, purpose=outgoing.purpose,
            absence_on=outgoing.absence_on, kind=outgoing.kind, recipient=outgoing.recipient,
            template_id=outgoing.template_id, personalisation=kept, reference=outgoing.reference,
            notification_id=answer.notification_id, status=answer.status,
            contact_attempt_id=attempt.pk if attempt else None, sent_at=timezone.now())
        record_event(user=by, action="create", record_kind="notify_message", record_id=message.pk,
                     pupil_id=outgoing.pupil.pk, summary=f"{outgoing.summary}: {answer.status}",
                     source="notify")
    return message


def record_delivery_status(*, message: NotifyMessage, by, client: NotificationsAPIClient) -> NotifyMessage:
    """Ask Notify how the message fared and record it, on the message and on its contact-log line."""
    if not message.notification_id:
        return message
    got = client.get_notification_by_id(message.notification_id)
    status = str(got.get("status", "unknown"))[:30]
    with transaction.atomic():
        message.status, message.status_checked_at = status, timezone.now()
        message.save(update_fields=["status", "status_checked_at"])
        attempt = ContactAttempt.objects.filter(pk=message.contact_attempt_id).first()
        if attempt is not None:
            attempt.note = f"GOV.UK Notify {message.kind} {message.notification_id}: {status}"
            if status in NotifyMessage.FAILED:
                attempt.outcome = ContactAttempt.Outcome.NOT_DELIVERED
            attempt.save(update_fields=["note", "outcome"])
        record_event(user=by, action="change", record_kind="notify_message", record_id=message.pk,
                     pupil_id=message.pupil_id, summary=f"Notify delivery status: {status}", source="notify")
    return message


def record_delivery_statuses(*, school: School, by, client: NotificationsAPIClient | None = None) -> list[NotifyMessage]:
    """Refresh every message of the school still on its way (not delivered nor failed)."""
    notify = NotifySettings.objects.get(school_urn=school.urn)
    client = client or client_for(notify)
    if client is None:
        return []
    pending = NotifyMessage.objects.filter(school_urn=school.urn).exclude(notification_id="").exclude(
        status__in=("delivered", *NotifyMessage.FAILED))
    return [record_delivery_status(message=m, by=by, client=client) for m in pending]


def send_letter_by_email(*, letter: Letter, by, client: NotificationsAPIClient | None = None) -> NotifyMessage:
    """Email a merged letter to the first family contact with an email address, as a file to
    download through Notify, with the school's letter template. Only someone whose roles reach
    the pupil's registers may send it; with no key the message "would have sent"."""
    if by is not None and not access.pupils_visible_to(by, Action.CHANGE, RecordKind.REGISTER).filter(
            pk=letter.pupil_id).exists():
        raise Letter.DoesNotExist(f"no letter {letter.pk}")
    notify = NotifySettings.objects.filter(school_urn=letter.school.urn).first()
    if notify is None or not notify.letter_email_template:
        raise NotifyNotSet(f"school {letter.school.urn} has no Notify template for letters by email")
    contact = PupilContact.objects.filter(pupil_id=letter.pupil_id).exclude(email="").order_by("order").first()
    if contact is None:
        raise NotifyNotSet(f"no email address on record for the family of {letter.pupil.upn}")
    document, suffix = (bytes(letter.pdf), "pdf") if letter.pdf else (bytes(letter.docx), "docx")
    pupil = letter.pupil
    outgoing = Outgoing(
        pupil=pupil, school_urn=letter.school.urn, purpose="letter", kind=NotifyMessage.Kind.EMAIL,
        recipient=contact.email, template_id=notify.letter_email_template,
        personalisation={"child_name": pupil.preferred_name or pupil.legal_forename,
                         "school_name": letter.school.name, "letter": letter.kind.replace("_", " ")},
        reference=f"muster-letter-{letter.pk}-{uuid.uuid4().hex[:8]}",
        summary=f"{letter.kind} letter {letter.pk} by email", file=(f"{letter.filename}.{suffix}", document))
    return _send_and_record(outgoing, by=by, client=client or client_for(notify))


def set_notify_templates(*, school: School, by, api_key_name: str = "", base_url: str = "",
                         first_day_sms_template: str = "", first_day_email_template: str = "",
                         letter_email_template: str = "") -> NotifySettings:
    """Set a school's Notify templates and the name of its key (never the key)."""
    with transaction.atomic():
        notify, _ = NotifySettings.objects.update_or_create(school_urn=school.urn, defaults={
            "api_key_name": api_key_name, "base_url": base_url,
            "first_day_sms_template": first_day_sms_template,
            "first_day_email_template": first_day_email_template,
            "letter_email_template": letter_email_template})
        record_event(user=by, action="change", record_kind="notify_settings", record_id=notify.pk,
                     summary=f"Notify templates of {school.urn} set (key from {api_key_name or 'nowhere: demo'})",
                     source="notify")
    return notify
