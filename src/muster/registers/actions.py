"""Writing marks: the one path by which marks reach the compact register.

Imports, registers taken in Muster, the API and the demo all call these functions, so history,
provenance and version numbers are kept the same way whoever writes. Callers check marks first
(`muster.core.exchange.marks_file`); these functions keep the register's own rules: an existing
mark is never overwritten silently (reference 0, "Two marks for one session").
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from django.db import connection, transaction

from muster.core import codes, slots
from muster.core.best_mark import OnConflict, takes_offer
from muster.core.calendar import SchoolCalendar
from muster.core.register_checks import misplaced_slots
from muster.registers.models import (
    Enrolment,
    MarkBatch,
    MarkChange,
    MarkNote,
    RegisterYear,
    RegisterYearSource,
)

EMPTY_YEAR = bytes(slots.SLOTS_PER_YEAR)
EMPTY_SOURCES = bytes(slots.SLOTS_PER_YEAR * 4)

@dataclass(frozen=True)
class MarkInput:
    enrolment_id: int
    day: dt.date
    session: slots.Session
    code: codes.Code
    minutes_late: int | None = None
    comment: str = ""
    line: int | None = None
    """Where the mark came from in a file, for error messages."""


@dataclass(frozen=True)
class Conflict:
    mark: MarkInput
    existing: codes.Code


class MarksConflict(Exception):
    def __init__(self, conflicts: list[Conflict]):
        self.conflicts = conflicts
        super().__init__(f"{len(conflicts)} session(s) already have a different mark")


@dataclass
class RecordResult:
    added: int = 0
    changed: int = 0
    kept: int = 0
    unchanged: int = 0
    batch: MarkBatch | None = None
    register_years: set[int] = field(default_factory=set)

    @property
    def written(self) -> int:
        return self.added + self.changed


@dataclass
class _Slot:
    mark: MarkInput
    slot: int


def record_marks(
    *,
    marks: Sequence[MarkInput],
    source: MarkBatch.Source,
    description: str = "",
    user=None,
    reason: str = "",
    on_conflict: OnConflict = OnConflict.REJECT,
) -> RecordResult:
    """Store checked marks in one transaction; nothing is written if any conflict is refused."""
    by_year: dict[tuple[int, int], list[_Slot]] = defaultdict(list)
    for mark in marks:
        year, slot = slots.slot_of(mark.day, mark.session)
        by_year[(mark.enrolment_id, year)].append(_Slot(mark, slot))
    result = RecordResult()
    with transaction.atomic():
        existing = _lock_register_years(by_year.keys())
        notes = _notes_of(existing.values(), by_year)
        refused = _refused_offers(existing.values()) if on_conflict is OnConflict.BEST else set()
        writes: list[_Write] = []
        conflicts: list[Conflict] = []
        for key, wanted in by_year.items():
            register = existing.get(key)
            write = _Write(key, register, notes, refused)
            for item in wanted:
                write.offer(item, on_conflict, conflicts, result)
            if write.touched:
                writes.append(write)
        if conflicts:
            raise MarksConflict(conflicts)
        if writes:
            result.batch = MarkBatch.objects.create(
                source=source, description=description[:300], created_by=user, reason=reason
            )
            _save_writes(writes, result.batch)
            result.register_years.update(write.register.pk for write in writes)
    return result


SAVE_CHUNK = 1000


def _save_writes(writes: list[_Write], batch: MarkBatch) -> None:
    """Save every register year a batch touched together: a few queries per thousand registers
    rather than three per register, since a whole authority's morning is 100,000 of them."""
    new = [w for w in writes if w.register is None]
    changed = [w for w in writes if w.register is not None and w.set_slots]
    if new:
        created = RegisterYear.objects.bulk_create(
            [RegisterYear(enrolment_id=w.key[0], academic_year=w.key[1], marks=w.codes.tobytes()) for w in new],
            batch_size=2000,
        )
        if any(r.pk is None for r in created):
            created = [RegisterYear.objects.get(enrolment_id=w.key[0], academic_year=w.key[1]) for w in new]
        sources = []
        for write, register in zip(new, created, strict=True):
            write.register = register
            ids = np.zeros(slots.SLOTS_PER_YEAR, dtype="<u4")
            ids[write.set_slots] = batch.pk
            sources.append(RegisterYearSource(register_year=register, batches=ids.tobytes()))
        RegisterYearSource.objects.bulk_create(sources, batch_size=2000)
    for lo in range(0, len(changed), SAVE_CHUNK):
        chunk = changed[lo : lo + SAVE_CHUNK]
        _save_versioned([(w.register, w.codes) for w in chunk])
        _save_sources_chunk(chunk, batch)
    history = []
    for write in writes:
        for change in write.history:
            change.register_year = write.register
            change.batch = batch
            change.reason = batch.reason
            history.append(change)
    MarkChange.objects.bulk_create(history, batch_size=2000)
    for write in writes:
        write.save_notes()


def _save_versioned(saves: list[tuple[RegisterYear, np.ndarray]]) -> None:
    """Each register's new marks, its version raised by one where it is still the version read;
    StaleRegister if any was changed meanwhile (optimistic locking). One parametrised UPDATE run
    for them all (executemany), as Django's bulk_update builds a CASE per row."""
    table = connection.ops.quote_name(RegisterYear._meta.db_table)
    sql = (f"UPDATE {table} SET marks = %s, version = version + 1 WHERE id = %s AND version = %s")
    with connection.cursor() as cursor:
        cursor.executemany(sql, [(marks.tobytes(), register.pk, register.version) for register, marks in saves])
        updated = cursor.rowcount
    if updated != len(saves):
        raise StaleRegister(f"{len(saves) - updated} register years changed while they were being saved")
    for register, marks in saves:
        register.marks = marks.tobytes()
        register.version += 1


def _save_sources_chunk(chunk: list[_Write], batch: MarkBatch) -> None:
    ids = [w.register.pk for w in chunk]
    held = dict(RegisterYearSource.objects.select_for_update().filter(register_year_id__in=ids)
                .values_list("register_year_id", "batches"))
    updated, created = [], []
    for write in chunk:
        source = held.get(write.register.pk)
        batches = np.frombuffer(bytes(source) if source is not None else EMPTY_SOURCES, dtype="<u4").copy()
        batches[write.set_slots] = batch.pk
        if source is None:
            created.append(RegisterYearSource(register_year=write.register, batches=batches.tobytes()))
        else:
            updated.append((batches.tobytes(), write.register.pk))
    if updated:
        table = connection.ops.quote_name(RegisterYearSource._meta.db_table)
        with connection.cursor() as cursor:
            cursor.executemany(f"UPDATE {table} SET batches = %s WHERE register_year_id = %s", updated)
    RegisterYearSource.objects.bulk_create(created)


def _lock_register_years(keys) -> dict[tuple[int, int], RegisterYear]:
    enrolments = {e for e, _ in keys}
    years = {y for _, y in keys}
    found: dict[tuple[int, int], RegisterYear] = {}
    ids = sorted(enrolments)
    for i in range(0, len(ids), 5000):
        rows = RegisterYear.objects.select_for_update().filter(
            enrolment_id__in=ids[i : i + 5000], academic_year__in=years
        )
        for row in rows:
            found[(row.enrolment_id, row.academic_year)] = row
    return found


def _refused_offers(registers) -> set[tuple]:
    """Offers already recorded as not taken, so offering the same again changes nothing."""
    ids = [r.pk for r in registers]
    found: set[tuple] = set()
    for i in range(0, len(ids), 5000):
        rows = MarkChange.objects.filter(register_year_id__in=ids[i : i + 5000], applied=False).values_list(
            "register_year_id", "slot", "offered_code", "previous_code", "offered_minutes_late",
            "offered_comment",
        )
        found.update(rows)
    return found


def _notes_of(registers, by_year) -> dict[tuple[int, int], MarkNote]:
    ids = [r.pk for r in registers]
    notes: dict[tuple[int, int], MarkNote] = {}
    for i in range(0, len(ids), 5000):
        for note in MarkNote.objects.filter(register_year_id__in=ids[i : i + 5000]):
            notes[(note.register_year_id, note.slot)] = note
    return notes


class _Write:
    """The changes to one register year, applied together."""

    def __init__(self, key, register: RegisterYear | None, notes, refused=frozenset()):
        self.key = key
        self.refused = refused
        self.register = register
        self.codes = np.frombuffer(bytes(register.marks) if register else EMPTY_YEAR, np.uint8).copy()
        self.notes = notes
        self.set_slots: list[int] = []
        self.note_updates: dict[int, tuple[int | None, str]] = {}
        self.history: list[MarkChange] = []

    @property
    def touched(self) -> bool:
        return bool(self.set_slots or self.note_updates or self.history)

    def _note(self, slot: int) -> tuple[int | None, str]:
        if self.register is None:
            return (None, "")
        note = self.notes.get((self.register.pk, slot))
        return (note.minutes_late, note.comment) if note else (None, "")

    def offer(self, item: _Slot, on_conflict: OnConflict, conflicts, result: RecordResult) -> None:
        mark, slot = item.mark, item.slot
        current_id = int(self.codes[slot])
        offered_note = (mark.minutes_late, mark.comment)
        if current_id == codes.NO_MARK:
            self._apply(slot, mark)
            result.added += 1
            return
        current = codes.BY_ID[current_id]
        current_note = self._note(slot)
        if current is mark.code and current_note == offered_note:
            result.unchanged += 1
            return
        if current is not mark.code and on_conflict is OnConflict.REJECT:
            conflicts.append(Conflict(mark, current))
            return
        apply = takes_offer(mark.code, current, on_conflict)
        offer = (self.register.pk if self.register else None, slot, mark.code.symbol,
                 current.symbol, mark.minutes_late, mark.comment)
        if not apply and offer in self.refused:
            result.unchanged += 1  # this very offer was refused before and is on record
            return
        self.history.append(
            MarkChange(
                slot=slot,
                previous_code=current.symbol,
                offered_code=mark.code.symbol,
                applied=apply,
                previous_minutes_late=current_note[0],
                offered_minutes_late=mark.minutes_late,
                previous_comment=current_note[1],
                offered_comment=mark.comment,
            )
        )
        if apply:
            self._apply(slot, mark)
            result.changed += 1
        else:
            result.kept += 1

    def _apply(self, slot: int, mark: MarkInput) -> None:
        self.codes[slot] = mark.code.id
        self.set_slots.append(slot)
        if (mark.minutes_late, mark.comment) != self._note(slot):
            self.note_updates[slot] = (mark.minutes_late, mark.comment)

    def save_notes(self) -> None:
        for slot, (minutes, comment) in self.note_updates.items():
            if minutes is None and not comment:
                MarkNote.objects.filter(register_year=self.register, slot=slot).delete()
            else:
                MarkNote.objects.update_or_create(
                    register_year=self.register, slot=slot,
                    defaults={"minutes_late": minutes, "comment": comment},
                )


class StaleRegister(Exception):
    """Someone else saved this register since it was read (optimistic locking)."""


def load_register_years(
    *,
    rows: Sequence[tuple[int, int, np.ndarray]],
    source: MarkBatch.Source,
    description: str = "",
    user=None,
) -> MarkBatch:
    """Create whole register years at once (a school system's full-year feed, the demo).

    Each row is (enrolment id, academic year, 732 code ids). Only years not yet held may be
    loaded this way; a year that exists goes through `record_marks`, which keeps history.
    """
    _check_whole_years(rows)
    with transaction.atomic():
        batch = MarkBatch.objects.create(source=source, description=description[:300], created_by=user)
        keys = [(e, y) for e, y, _ in rows]
        if _lock_register_years(keys):
            raise ValueError("some of these register years exist already; use record_marks")
        registers = RegisterYear.objects.bulk_create(
            [
                RegisterYear(enrolment_id=e, academic_year=y, marks=np.asarray(m, np.uint8).tobytes())
                for e, y, m in rows
            ],
            batch_size=2000,
        )
        if any(r.pk is None for r in registers):
            registers = list(
                RegisterYear.objects.filter(
                    enrolment_id__in=[e for e, _ in keys], academic_year__in={y for _, y in keys}
                )
            )
        by_key = {(r.enrolment_id, r.academic_year): r for r in registers}
        sources = []
        for e, y, m in rows:
            ids = np.where(np.asarray(m) != codes.NO_MARK, batch.pk, 0).astype("<u4")
            sources.append(RegisterYearSource(register_year=by_key[(e, y)], batches=ids.tobytes()))
        RegisterYearSource.objects.bulk_create(sources, batch_size=2000)
    return batch


def _check_whole_years(rows: Sequence[tuple[int, int, np.ndarray]]) -> None:
    enrolments = {
        e.pk: e
        for e in Enrolment.objects.filter(pk__in={e for e, _, _ in rows}).select_related("school")
    }
    calendars: dict[int, SchoolCalendar] = {}
    for enrolment_id, year, marks in rows:
        enrolment = enrolments[enrolment_id]
        if enrolment.school_id not in calendars:
            calendars[enrolment.school_id] = enrolment.school.calendar()
        bad = misplaced_slots(
            np.asarray(marks, np.uint8), year, calendars[enrolment.school_id],
            enrolment.start, enrolment.end,
        )
        if len(bad):
            day, session = slots.date_of(year, int(bad[0]))
            raise ValueError(
                f"{enrolment}: {len(bad)} mark(s) where the pupil was off roll or the school "
                f"closed, the first on {day} {session}"
            )
