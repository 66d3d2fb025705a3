"""The first-day calling list on a school's Today page: the pupils absent with no reason, the
ones with a social worker or in care first (seed 002 lines 128-131: contact on the first day of
absence; children with a social worker are the most at risk), each with the contacts tried so far
that day and a one-click form that logs another through the statutory app's `log_contact`."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from muster.statutory.actions import log_contact
from muster.statutory.models import ContactAttempt
from muster.web.school_day import AbsentPupil

METHODS = [
    (m.value, m.label) for m in ContactAttempt.Method if m is not ContactAttempt.Method.LETTER
]
"""How a family is reached on the first day: a letter is too slow for a calling list."""
OUTCOMES = list(ContactAttempt.Outcome.choices)


class ContactRefused(ValueError):
    """A method or outcome the list does not offer, in words for the person."""


@dataclass
class Caller:
    """One row of the calling list."""

    absent: AbsentPupil
    in_care: bool = False
    social_worker: bool = False
    contacts: list[ContactAttempt] = field(default_factory=list)
    form: SafeString = SafeString("")
    pid: str = ""
    """The pupil's id as text, for the page's links and ids (an int would be localised)."""

    @property
    def first(self) -> bool:
        return self.in_care or self.social_worker

    @property
    def reached(self) -> bool:
        return any(c.reached for c in self.contacts)


def calling_list(absent: list[AbsentPupil], *, school, day: dt.date, pupils, shows_care: bool) -> list[Caller]:
    """`absent` from school_day, ordered: in care or with a social worker first (only for a person
    who may know it, `shows_care`, so the order tells no one else), then by year and name.
    `pupils`: the Pupil query set the person may see, for the care and social-worker flags."""
    rows = [Caller(a) for a in absent]
    ids = [a.pupil_id for a in absent]
    if shows_care and ids:
        flags = {pk: (care, worker) for pk, care, worker in
                 pupils.filter(pk__in=ids).values_list("pk", "looked_after", "has_social_worker")}
        for row in rows:
            row.in_care, row.social_worker = flags.get(row.absent.pupil_id, (False, False))
    by_pupil: dict[int, list[ContactAttempt]] = {}
    for attempt in ContactAttempt.objects.filter(school=school, absence_on=day, pupil_id__in=ids).order_by("made_at"):
        by_pupil.setdefault(attempt.pupil_id, []).append(attempt)
    for row in rows:
        row.contacts = by_pupil.get(row.absent.pupil_id, [])
    rows.sort(key=lambda r: not r.first)  # stable: year and name order kept within each part
    return rows


def options(choices: list[tuple[str, str]], chosen: str = "") -> SafeString:
    """A select's options, rendered once for every row of the list (a school's list can run to
    hundreds of rows: the 300 ms page budget, issue 6)."""
    return format_html_join("", "<option value=\"{}\"{}>{}</option>",
                            ((value, mark_safe(" selected") if value == chosen else "", label)
                             for value, label in choices))


FORM = (
    '<form method="post" action="{url}" class="muster-contact-form" hx-post="{url}" '
    'hx-target="#contacts-{pid}" hx-swap="innerHTML">'
    '<input type="hidden" name="csrfmiddlewaretoken" value="{token}">'
    '<input type="hidden" name="date" value="{day}">'
    '<label class="govuk-label govuk-visually-hidden" for="method-{pid}">How, for {name}</label>'
    '<select class="govuk-select" id="method-{pid}" name="method">{methods}</select>'
    '<label class="govuk-label govuk-visually-hidden" for="outcome-{pid}">What happened, for {name}</label>'
    '<select class="govuk-select" id="outcome-{pid}" name="outcome">{outcomes}</select>'
    '<button type="submit" class="govuk-button govuk-button--secondary govuk-!-margin-bottom-0" '
    'data-module="govuk-button">Log<span class="govuk-visually-hidden"> contact for {name}</span></button>'
    '</form>'
)
"""One row's contact form: posted normally without script, by htmx in place with it. Built
here, not in the template, because a list of hundreds of rows must render within 300 ms."""


def add_forms(rows: list[Caller], *, url: str, token: str, day: dt.date) -> None:
    """Give each row its contact form (`url`: the log_contact address less the pupil's id)."""
    methods, outcomes = options(METHODS), options(OUTCOMES, chosen="no_answer")
    for row in rows:
        row.pid = pid = str(row.absent.pupil_id)
        row.form = format_html(FORM, url=f"{url}{pid}/", pid=pid, token=token, day=day.isoformat(),
                               name=row.absent.name, methods=methods, outcomes=outcomes)


def log(*, pupil, school, day: dt.date, method: str, outcome: str, note: str, by) -> ContactAttempt:
    """Log one contact through the statutory action, refusing what the form does not offer."""
    if method not in dict(METHODS):
        raise ContactRefused("Choose how you contacted the family")
    if outcome not in dict(OUTCOMES):
        raise ContactRefused("Choose what happened")
    return log_contact(pupil=pupil, school=school, method=method, outcome=outcome, by=by,
                       absence_on=day, note=note.strip()[:2000])
