"""Importing the CSV exchange files: check every row, then write all or nothing.

The rows are checked by the core readers (`muster.core.exchange`) against what is stored; if any
row is bad, `FileRejected` lists every bad row and nothing changes. Importing the same file again
changes nothing (issue "Register core"; formats.md).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from django.db import transaction
from django.db.models import QuerySet

from muster.audit.log import record_event
from muster.core import codes, slots
from muster.core.best_mark import OnConflict
from muster.core.calendar import SchoolCalendar
from muster.core.exchange import calendar_file, marks_file, pupils_file, schools_file
from muster.core.exchange.csv_file import FileRejected, RowError, read_rows
from muster.core.exchange.marks_file import EnrolmentSpan
from muster.registers.actions import MarksConflict, record_marks
from muster.registers.models import (
    CalendarEntry,
    Enrolment,
    LocalAuthority,
    MarkBatch,
    Pupil,
    RegisterYear,
    School,
)

Progress = Callable[[int], None]
"""Called with the number of rows just read, for a progress bar."""

CHUNK = 5000


@dataclass
class ImportResult:
    file: str
    rows: int
    added: int = 0
    changed: int = 0
    kept: int = 0
    unchanged: int = 0
    notices: tuple[str, ...] = ()
    noun: str = "records"
    """What was added or changed: marks, pupils and enrolments, calendar entries, schools."""

    def summary(self) -> str:
        parts = [f"{self.file}: {self.rows} rows read", f"{self.noun}: {self.added} added"]
        if self.changed:
            history = " (the old marks kept in their history)" if self.noun == "marks" else ""
            parts.append(f"{self.changed} changed{history}")
        if self.kept:
            parts.append(f"{self.kept} offered but not taken (a better mark was held; recorded)")
        parts.append(f"{self.unchanged} unchanged")
        return ", ".join(parts)


def _read(path: Path, columns, name: str | None, ignore_unknown_columns: bool,
          progress: Progress | None) -> tuple[str, list, list[RowError]]:
    """The file's label, its rows (line, values) and the problems found reading them."""
    errors: list[RowError] = []
    label = name or path.name
    rows = list(
        _counted(
            read_rows(path, columns, name=label, ignore_unknown_columns=ignore_unknown_columns,
                      errors=errors),
            progress,
        )
    )
    return label, rows, errors


def _counted(rows: Iterable, progress: Progress | None) -> Iterable:
    for n, row in enumerate(rows, 1):
        if progress and n % 1000 == 0:
            progress(1000)
        yield row


def _chunks(items: Sequence, size: int = CHUNK):
    for i in range(0, len(items), size):
        yield items[i : i + size]


BY_SCHOOL_FROM = 2000
"""Rows naming more pupils than this read their schools' rolls whole, in one query, rather than
asking for the pupils by UPN a few thousand at a time (a whole authority's morning, issue 9)."""


class DatabaseMarksContext:
    """The stored schools, calendars and enrolments that a marks file refers to."""

    def __init__(self, upns: set[str], urns: set[str], enrolments: QuerySet[Enrolment] | None = None):
        self._calendars: dict[str, SchoolCalendar] = {}
        schools = School.objects.filter(urn__in=urns).prefetch_related("calendar_entries")
        for school in schools:
            self._calendars[school.urn] = SchoolCalendar.build(
                e.as_core() for e in school.calendar_entries.all()
            )
        self._spans: dict[tuple[str, str], list[EnrolmentSpan]] = defaultdict(list)
        self.read_enrolments(Enrolment.objects.all() if enrolments is None else enrolments, upns, urns)

    def read_enrolments(self, enrolments: QuerySet[Enrolment], upns: set[str], urns: set[str]) -> None:
        """Take these enrolments of the pupils `upns` at the schools `urns` as known."""
        enrolments = enrolments.filter(school__urn__in=urns)
        if len(upns) > BY_SCHOOL_FROM:
            rows = enrolments.values_list("pk", "pupil__upn", "school__urn", "start", "end")
            self._add(row for row in rows if row[1] in upns)
            return
        for chunk in _chunks(sorted(upns)):
            self._add(enrolments.filter(pupil__upn__in=chunk).values_list("pk", "pupil__upn", "school__urn", "start", "end"))

    def _add(self, rows: Iterable[tuple]) -> None:
        for pk, upn, urn, start, end in rows:
            self._spans[(upn, urn)].append(EnrolmentSpan(pk, start, end))

    def calendar(self, urn: str) -> SchoolCalendar | None:
        return self._calendars.get(urn)

    def enrolments(self, upn: str, urn: str) -> Sequence[EnrolmentSpan]:
        return self._spans.get((upn, urn), [])


def import_marks(
    path: Path,
    *,
    on_conflict: OnConflict = OnConflict.REJECT,
    user=None,
    ignore_unknown_columns: bool = False,
    progress: Progress | None = None,
    name: str | None = None,
) -> ImportResult:
    label, rows, errors = _read(path, marks_file.COLUMNS, name, ignore_unknown_columns, progress)
    context = DatabaseMarksContext({r["upn"] for _, r in rows}, {r["school_urn"] for _, r in rows})
    checked = marks_file.check_marks(rows, context, file=label, errors=errors)
    if errors:
        raise FileRejected(errors)
    try:
        with transaction.atomic():
            recorded = record_marks(
                marks=checked, source=MarkBatch.Source.IMPORT, description=label, user=user,
                on_conflict=on_conflict,
            )
            if recorded.batch is not None:
                _audit_import(user, "register", label, recorded.batch.pk,
                              f"{recorded.added} marks added, {recorded.changed} changed, "
                              f"{recorded.kept} offered and not taken ({on_conflict})")
    except MarksConflict as conflict:
        raise FileRejected(
            [
                RowError(
                    label, c.mark.line or 0, "mark", c.mark.code.symbol,
                    f"the register already holds {c.existing.symbol} for this session; "
                    "use --on-conflict best or replace to change it (the old mark is kept in "
                    "its history)",
                )
                for c in conflict.conflicts
            ]
        ) from None
    return ImportResult(
        label, len(rows), recorded.added, recorded.changed, recorded.kept, recorded.unchanged,
        noun="marks",
    )


def import_pupils(
    path: Path,
    *,
    user=None,
    ignore_unknown_columns: bool = False,
    progress: Progress | None = None,
    name: str | None = None,
) -> ImportResult:
    label, rows, errors = _read(path, pupils_file.COLUMNS, name, ignore_unknown_columns, progress)
    known_schools = set(School.objects.values_list("urn", flat=True))
    checked = pupils_file.check_pupils(rows, known_schools.__contains__, file=label, errors=errors)
    if errors:
        raise FileRejected(errors)
    result = ImportResult(label, len(rows), noun="pupils and enrolments")
    given = set(rows[0][1]) if rows else set()
    fields = tuple(f for f in _PUPIL_FIELDS if _PUPIL_COLUMN.get(f, f) in given)
    with transaction.atomic():
        pupils = _upsert_pupils({e.pupil.upn: e.pupil for e in checked}.values(), fields, result)
        schools = dict(School.objects.values_list("urn", "pk"))
        _upsert_enrolments(checked, pupils, schools, label, result, errors)
        if errors:
            transaction.set_rollback(True)
            raise FileRejected(errors)
        if result.added or result.changed:
            _audit_import(user, "pupil", label, None,
                          f"{result.added} pupils and enrolments added, {result.changed} changed")
    return result


_PUPIL_FIELDS = (
    "legal_surname", "legal_forename", "preferred_name", "date_of_birth", "sex", "nc_year",
    "looked_after", "care_authority", "previously_looked_after", "has_social_worker", "sen", "fsm",
)
_PUPIL_COLUMN = {"has_social_worker": "social_worker"}
"""Where a field's column has another name in pupils.csv."""


def _upsert_pupils(
    details: Iterable[pupils_file.PupilDetails], fields: tuple[str, ...], result: ImportResult
) -> dict[str, Pupil]:
    """New pupils get every field; pupils already held change only in the columns the file
    has, so a short file never wipes what a fuller one set."""
    wanted = {d.upn: d for d in details}
    existing: dict[str, Pupil] = {}
    for chunk in _chunks(sorted(wanted)):
        existing.update({p.upn: p for p in Pupil.objects.filter(upn__in=chunk)})
    new, changed = [], []
    for upn, d in wanted.items():
        pupil = existing.get(upn)
        if pupil is None:
            new.append(Pupil(upn=upn, **{f: getattr(d, f) for f in _PUPIL_FIELDS}))
            continue
        values = {f: getattr(d, f) for f in fields}
        if any(getattr(pupil, f) != v for f, v in values.items()):
            for f, v in values.items():
                setattr(pupil, f, v)
            changed.append(pupil)
        else:
            result.unchanged += 1
    Pupil.objects.bulk_create(new, batch_size=1000)
    if changed:
        Pupil.objects.bulk_update(changed, fields, batch_size=1000)
    result.added += len(new)
    result.changed += len(changed)
    found: dict[str, Pupil] = {}
    for chunk in _chunks(sorted(wanted)):
        found.update({p.upn: p for p in Pupil.objects.filter(upn__in=chunk)})
    return found


def _upsert_enrolments(
    rows: list[pupils_file.EnrolmentRow], pupils: dict[str, Pupil], schools: dict[str, int],
    label: str, result: ImportResult, errors: list[RowError],
) -> None:
    pupil_ids = [p.pk for p in pupils.values()]
    held: dict[tuple[int, int], list[Enrolment]] = defaultdict(list)
    for chunk in _chunks(pupil_ids):
        for e in Enrolment.objects.filter(pupil_id__in=chunk):
            held[(e.pupil_id, e.school_id)].append(e)
    new = []
    for row in rows:
        pupil_id, school_id = pupils[row.pupil.upn].pk, schools[row.school_urn]
        same = [e for e in held[(pupil_id, school_id)] if e.start == row.start]
        if same:
            enrolment = same[0]
            if (enrolment.end, enrolment.registration) != (row.end, row.registration):
                if row.end is not None and enrolment.register_years.exists():
                    _check_marks_within(enrolment, row, label, errors)
                others = [e for e in held[(pupil_id, school_id)] if e.pk != enrolment.pk]
                clash = _overlapping(others, row.start, row.end)
                if clash:
                    errors.append(
                        RowError(label, row.line, "enrolment_end", str(row.end or ""),
                                 f"would overlap the stored enrolment {clash.start} to "
                                 f"{clash.end or 'now'} at the same school")
                    )
                    continue
                enrolment.end, enrolment.registration = row.end, row.registration
                enrolment.save(update_fields=["end", "registration"])
                result.changed += 1
            else:
                result.unchanged += 1
            continue
        clash = _overlapping(held[(pupil_id, school_id)], row.start, row.end)
        if clash:
            errors.append(
                RowError(label, row.line, "enrolment_start", str(row.start),
                         f"overlaps the stored enrolment {clash.start} to {clash.end or 'now'} "
                         "at the same school")
            )
            continue
        new.append(Enrolment(pupil_id=pupil_id, school_id=school_id, start=row.start,
                             end=row.end, registration=row.registration))
    Enrolment.objects.bulk_create(new, batch_size=1000)
    result.added += len(new)


def _overlapping(enrolments: list[Enrolment], start: dt.date, end: dt.date | None) -> Enrolment | None:
    """The first of `enrolments` that shares a day with start..end (open ends run on for ever)."""
    for other in enrolments:
        if other.start <= (end or dt.date.max) and start <= (other.end or dt.date.max):
            return other
    return None


def _check_marks_within(enrolment: Enrolment, row, label: str, errors: list[RowError]) -> None:
    """An enrolment may not be shortened past marks already recorded for it."""
    assert row.end is not None
    for register in enrolment.register_years.order_by("-academic_year"):
        marked = np.flatnonzero(register.codes())
        if len(marked):
            day, _ = slots.date_of(register.academic_year, int(marked[-1]))
            if day > row.end:
                errors.append(
                    RowError(label, row.line, "enrolment_end", str(row.end),
                             f"the register holds marks up to {day}; correct those first")
                )
            return


def import_calendar(
    path: Path,
    *,
    user=None,
    ignore_unknown_columns: bool = False,
    progress: Progress | None = None,
    name: str | None = None,
) -> ImportResult:
    label, rows, errors = _read(path, calendar_file.COLUMNS, name, ignore_unknown_columns, progress)
    checked = calendar_file.check_calendar(rows, file=label, errors=errors)
    if errors:
        raise FileRejected(errors)
    result = ImportResult(label, len(rows), noun="calendar entries")
    notices = []
    with transaction.atomic():
        schools = {s.urn: s for s in School.objects.filter(urn__in={r.school_urn for r in checked})}
        for urn in sorted({r.school_urn for r in checked} - set(schools)):
            schools[urn] = School.objects.create(urn=urn, name=f"School {urn}")
            notices.append(
                f"new school {urn}: give it a name and local authority (`muster import schools` "
                "or the admin)"
            )
        held = {
            (e.school.urn, e.start, e.end, e.kind, e.session or None): e
            for e in CalendarEntry.objects.filter(school__in=schools.values()).select_related("school")
        }
        new = []
        for row in checked:
            entry = held.get(_entry_key(row))
            if entry is None:
                new.append(
                    CalendarEntry(
                        school=schools[row.school_urn], start=row.start, end=row.end,
                        kind=row.kind.value, session=row.session.value if row.session else "",
                        label=row.label,
                    )
                )
            elif entry.label != row.label:
                entry.label = row.label
                entry.save(update_fields=["label"])
                result.changed += 1
            else:
                result.unchanged += 1
        _check_closures_unmarked(
            [(row, schools[row.school_urn]) for row in checked
             if row.kind.value == "closure" and _entry_key(row) not in held],
            label, errors,
        )
        if errors:
            transaction.set_rollback(True)
            raise FileRejected(errors)
        CalendarEntry.objects.bulk_create(new)
        result.added = len(new)
        if result.added or result.changed:
            _audit_import(user, "calendar", label, None,
                          f"{result.added} calendar entries added, {result.changed} changed")
    result.notices = tuple(notices)
    return result


def import_schools(
    path: Path,
    *,
    user=None,
    ignore_unknown_columns: bool = False,
    progress: Progress | None = None,
    name: str | None = None,
) -> ImportResult:
    """Create or update schools and their local authorities (schools_file: a Muster format)."""
    label, rows, errors = _read(path, schools_file.COLUMNS, name, ignore_unknown_columns, progress)
    checked = schools_file.check_schools(rows, file=label, errors=errors)
    if errors:
        raise FileRejected(errors)
    result = ImportResult(label, len(rows), noun="schools")
    with transaction.atomic():
        authorities = {}
        for row in checked:
            if row.la_code not in authorities:
                authority, created = LocalAuthority.objects.get_or_create(
                    code=row.la_code, defaults={"name": row.la_name}
                )
                if not created and authority.name != row.la_name:
                    authority.name = row.la_name
                    authority.save(update_fields=["name"])
                authorities[row.la_code] = authority
            wanted = {"name": row.name, "local_authority": authorities[row.la_code], **row.times}
            if row.phase:  # a file without a phase keeps the one held
                wanted["phase"] = row.phase
            school = School.objects.filter(urn=row.urn).first()
            is_new = school is None
            if is_new:
                school = School(urn=row.urn)
            elif all(getattr(school, k) == v for k, v in wanted.items()):
                result.unchanged += 1
                continue
            for k, v in wanted.items():
                setattr(school, k, v)
            for session in ("am", "pm"):
                opens = getattr(school, f"{session}_register_opens")
                closes = getattr(school, f"{session}_register_closes")
                if why := schools_file.register_time_problem(opens, closes):
                    errors.append(RowError(label, row.line, f"{session}_register_closes",
                                           f"{closes:%H:%M}", why))
            school.save()
            result.added += is_new
            result.changed += not is_new
        if errors:
            transaction.set_rollback(True)
            raise FileRejected(errors)
    return result


def _entry_key(row: calendar_file.CalendarRow) -> tuple:
    return (row.school_urn, row.start, row.end, row.kind.value, row.session.value if row.session else None)


def _check_closures_unmarked(
    closures: list[tuple[calendar_file.CalendarRow, School]], label: str, errors: list[RowError]
) -> None:
    """A planned closure may not close a session that already holds marks: those marks would
    still count. The marks are corrected first, then the closure is added."""
    for row, school in closures:
        for year in slots.years_between(row.start, row.end):
            first, last = max(row.start, slots.year_start(year)), min(row.end, slots.year_end(year))
            wanted = np.zeros(slots.SLOTS_PER_YEAR, dtype=np.bool_)
            wanted[slots.slot_of(first, slots.Session.AM)[1] : slots.slot_of(last, slots.Session.PM)[1] + 1] = True
            if row.session is not None:
                wanted[np.arange(slots.SLOTS_PER_YEAR) % 2 != row.session.offset] = False
            marked = _first_marked_slot(school, year, wanted)
            if marked is not None:
                day, session = slots.date_of(year, marked)
                errors.append(
                    RowError(label, row.line, "start", str(row.start),
                             f"school {school.urn} has marks on {day} {session} in this "
                             "closure; correct them before closing the day")
                )
                break


def _first_marked_slot(school: School, year: int, wanted: np.ndarray) -> int | None:
    closure_id = codes.code("#").id
    first = None
    for register in RegisterYear.objects.filter(enrolment__school=school, academic_year=year).only("marks"):
        marks = register.codes()
        held = np.flatnonzero(wanted & (marks != codes.NO_MARK) & (marks != closure_id))
        if len(held) and (first is None or held[0] < first):
            first = int(held[0])
    return first


def _audit_import(user, record_kind: str, label: str, batch_id, summary: str) -> None:
    """Changes made by a file are on record: who, when, which file, how much. Each mark's
    before and after is in its own history (MarkChange), named by the batch."""
    record_event(
        user=user, action="change", record_kind=record_kind,
        record_id="" if batch_id is None else f"batch {batch_id}",
        summary=f"Imported {label}: {summary}", source="muster import",
    )
