"""Taking a session register for a class: every pupil's mark for one session, marked all
present and then the exceptions, saved through the one path for marks
(muster.registers.actions.record_marks); changing a mark already there is a correction
(muster.registers.corrections.correct_mark), which asks why and keeps the old mark."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import QuerySet

from muster.core import codes, slots
from muster.core.exchange.csv_file import FileRejected, RowError
from muster.core.exchange.marks_file import check_marks
from muster.people.models import TeachingGroup
from muster.registers import reports, store
from muster.registers.actions import MarkInput, MarksConflict, record_marks
from muster.registers.corrections import MarkConflict, SeenMark, correct_mark
from muster.registers.imports import DatabaseMarksContext
from muster.registers.models import Enrolment, MarkBatch, RegisterYear, School

PRESENT = {slots.Session.AM: "/", slots.Session.PM: "\\"}
"""Present at the start of the register (reference 2.1): / in the morning, \\ in the afternoon."""


@dataclass(frozen=True)
class Row:
    enrolment: Enrolment
    name: str
    seen: SeenMark
    wanted: str

    @property
    def field(self) -> str:
        return f"mark-{self.enrolment.pk}"


@dataclass(frozen=True)
class Choice:
    label: str
    options: list[tuple[str, str]]


def groups_for(user, schools: list[School]) -> QuerySet[TeachingGroup]:
    """Classes the person teaches, and every class of the schools they run."""
    from django.db.models import Q

    return TeachingGroup.objects.filter(Q(teachers=user) | Q(school__in=schools)).distinct().select_related("school")


def choices(day: dt.date) -> list[Choice]:
    """The codes a register may take on `day`, by category, as a select's option groups."""
    from muster.web.pupil_page import CATEGORY_LABELS

    out = []
    for category, label in CATEGORY_LABELS.items():
        options = [(c.symbol, f"{c.symbol} – {c.meaning}") for c in codes.CODES
                   if c.category is category and c.valid_on(day) and category is not codes.Category.ADMINISTRATIVE]
        if options:
            out.append(Choice(label, options))
    return out


def rows(enrolments: QuerySet[Enrolment], day: dt.date, session: slots.Session, posted=None,
         all_present: bool = False) -> list[Row]:
    """One row per pupil of the class on roll that day, with the mark the page shows now."""
    on_roll = reports.enrolments_in_period(day, day).filter(pk__in=enrolments.values("pk"))
    listed = list(on_roll.select_related("pupil", "school").order_by("pupil__legal_surname", "pupil__legal_forename"))
    loaded = store.load(on_roll, day, day, unit=store.Unit.ENROLMENT, look_back=False)
    column = loaded.matrix.marks[:, loaded.matrix.slot(day, session)] if listed else []
    position = {e: i for i, e in enumerate(loaded.enrolment_ids.tolist())}
    year = slots.academic_year(day)
    versions = dict(RegisterYear.objects.filter(enrolment__in=[e.pk for e in listed], academic_year=year)
                    .values_list("enrolment_id", "version"))
    out = []
    for enrolment in listed:
        code_id = int(column[position[enrolment.pk]])
        shown = codes.BY_ID[code_id].symbol if code_id else ""
        seen = SeenMark(versions.get(enrolment.pk, 0), shown)
        if posted is not None:
            seen = _seen_from(posted.get(f"seen-{enrolment.pk}", ""), seen)
            wanted = posted.get(f"mark-{enrolment.pk}", seen.code)
        else:
            wanted = shown
        if all_present and not wanted:
            wanted = PRESENT[session]
        out.append(Row(enrolment, enrolment.pupil.display_name, seen, wanted))
    return out


def _seen_from(raw: str, default: SeenMark) -> SeenMark:
    version, _, code = raw.partition(":")
    return SeenMark(int(version), code) if version.isdigit() else default


@dataclass
class Saved:
    added: int = 0
    corrected: int = 0


class MarksRefused(Exception):
    """Marks the register may not take (a code not in use that day, a closed session): each
    with the field of its pupil's row and why."""

    def __init__(self, problems: list[tuple[str, str]]):
        self.problems = problems
        super().__init__("; ".join(message for _, message in problems))


class NeedsReason(Exception):
    """Marks already on the register would change: the person must say why."""

    def __init__(self, names: list[str]):
        self.names = names
        super().__init__(f"Say why you are changing the marks of {', '.join(names)}")


def save(*, rows: list[Row], day: dt.date, session: slots.Session, reason: str, user,
         description: str) -> Saved:
    """New marks in one batch (record_marks, source "register"); changed marks one correction
    each (correct_mark), which needs `reason`. Raises MarksRefused for a mark that is not
    allowed, MarksRefused, NeedsReason, MarksConflict or MarkConflict when someone else got there first."""
    new = [r for r in rows if r.wanted and not r.seen.code]
    changed = [r for r in rows if r.wanted and r.seen.code and r.wanted != r.seen.code]
    if changed and not reason.strip():
        raise NeedsReason([r.name for r in changed])
    saved = Saved()
    if new:
        errors: list[RowError] = []
        context = DatabaseMarksContext({r.enrolment.pupil.upn for r in new}, {new[0].enrolment.school.urn})
        checked = check_marks(
            [(n, {"upn": r.enrolment.pupil.upn, "school_urn": r.enrolment.school.urn,
                  "date": day.isoformat(), "session": session.value, "mark": r.wanted,
                  "minutes_late": "", "comment": ""}) for n, r in enumerate(new, 1)],
            context, file="register", errors=errors,
        )
        if errors:
            raise MarksRefused([
                (new[e.line - 1].field, f"{new[e.line - 1].name}: {e.reason}") for e in sorted(errors)
            ])
        result = record_marks(
            marks=[MarkInput(m.enrolment, day, session, m.code) for m in checked],
            source=MarkBatch.Source.REGISTER, description=description, user=user,
        )
        saved.added = result.added
    for row in changed:
        correct_mark(enrolment=row.enrolment, day=day, session=session, code=row.wanted,
                     reason=reason, user=user, seen=row.seen)
        saved.corrected += 1
    return saved


__all__ = ["FileRejected", "MarkConflict", "MarksConflict", "MarksRefused", "NeedsReason"]
