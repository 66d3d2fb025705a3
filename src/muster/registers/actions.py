"""Writing marks: the one path by which marks reach the compact register.

Imports, registers taken in Muster, the API and the demo all call these functions, so history,
provenance and version numbers are kept the same way whoever writes. Callers check marks first
(`muster.core.exchange.marks_file`); these functions keep the register's own rules: an existing
mark is never overwritten silently (reference 0, "Two marks for one session").

A whole authority's morning is one call of 100,000 marks (issue 9), so the common cases (a new
mark, the same mark again) are settled for all marks at once with numpy, and each step reaches
the database as a few set-based statements (`muster.registers.bulk`); only marks that meet a
different one, or another offer for the same session, are weighed one by one, in order.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np
from django.db import IntegrityError, transaction

from muster.core import codes, slots
from muster.core.best_mark import OnConflict, takes_offer
from muster.core.calendar import SchoolCalendar
from muster.core.register_checks import misplaced_slots
from muster.registers import bulk
from muster.registers.models import (
    Enrolment,
    MarkBatch,
    MarkChange,
    MarkNote,
    RegisterYearSource,
)

ATTEMPTS = 3
"""Times a write is tried when another writer saved one of its register years meanwhile."""
NO_NOTE: tuple[int | None, str] = (None, "")


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


class OfferedMark(Protocol):
    """What `record_marks` reads of a mark: a `MarkInput`, or a checked row of a marks file
    (`muster.core.exchange.marks_file.MarkRow`) as it is."""

    @property
    def enrolment_id(self) -> int: ...
    @property
    def day(self) -> dt.date: ...
    @property
    def session(self) -> slots.Session: ...
    @property
    def code(self) -> codes.Code: ...
    @property
    def minutes_late(self) -> int | None: ...
    @property
    def comment(self) -> str: ...
    @property
    def line(self) -> int | None: ...


@dataclass(frozen=True)
class Conflict:
    mark: OfferedMark
    existing: codes.Code


class MarksConflict(Exception):
    def __init__(self, conflicts: list[Conflict]):
        self.conflicts = conflicts
        super().__init__(f"{len(conflicts)} session(s) already have a different mark")


class StaleRegister(Exception):
    """Someone else saved this register since it was read (optimistic locking)."""


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


def record_marks(
    *,
    marks: Sequence[OfferedMark],
    source: MarkBatch.Source,
    description: str = "",
    user=None,
    reason: str = "",
    on_conflict: OnConflict = OnConflict.REJECT,
) -> RecordResult:
    """Store checked marks in one transaction; nothing is written if any conflict is refused.

    Registers are read without locks and saved only where still at the version read; if another
    writer saved one meanwhile, the whole write is undone and weighed again on what they saved."""
    offers = _Offers(marks)
    for attempt in range(ATTEMPTS):
        try:
            with transaction.atomic():
                return _record(offers, source=source, description=description, user=user, reason=reason,
                               on_conflict=on_conflict)
        except StaleRegister:
            if attempt == ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable")


class _Offers:
    """The marks as columns: register year (an index into `keys`), slot, code id, note."""

    def __init__(self, marks: Sequence[OfferedMark]):
        self.marks = marks
        key_index: dict[tuple[int, int], int] = {}
        placed: dict[tuple[dt.date, slots.Session], tuple[int, int]] = {}
        n = len(marks)
        self.key = np.empty(n, dtype=np.int64)
        self.slot = np.empty(n, dtype=np.int64)
        self.code = np.empty(n, dtype=np.uint8)
        self.noted = np.zeros(n, dtype=bool)
        for i, mark in enumerate(marks):
            where = placed.get((mark.day, mark.session))
            if where is None:
                where = placed[(mark.day, mark.session)] = slots.slot_of(mark.day, mark.session)
            year, slot = where
            self.key[i] = key_index.setdefault((mark.enrolment_id, year), len(key_index))
            self.slot[i] = slot
            self.code[i] = mark.code.id
            if mark.minutes_late is not None or mark.comment:
                self.noted[i] = True
        self.keys = list(key_index)
        _, cell, counts = np.unique(self.key * slots.SLOTS_PER_YEAR + self.slot, return_inverse=True,
                                    return_counts=True)
        self.repeated = counts[cell] > 1
        """Another offer in this call is for the same session: these are weighed in order."""


class _Registers:
    """The register years the offers touch, as read: a row of `codes` each, held or new. Only
    the span from the first to the last slot offered is held (column 0 is slot `lo`), read and
    written back: a morning's 100,000 registers are 100 KB here, not 73 MB."""

    def __init__(self, offers: _Offers):
        keys = offers.keys
        self.keys = keys
        self.lo = np.full(len(keys), slots.SLOTS_PER_YEAR, dtype=np.int64)
        self.hi = np.zeros(len(keys), dtype=np.int64)
        np.minimum.at(self.lo, offers.key, offers.slot)
        np.maximum.at(self.hi, offers.key, offers.slot + 1)
        self.ids = np.zeros(len(keys), dtype=np.int64)
        self.versions = np.zeros(len(keys), dtype=np.int64)
        self.codes = np.zeros((len(keys), int((self.hi - self.lo).max(initial=0))), dtype=np.uint8)
        index = {key: i for i, key in enumerate(keys)}
        held = bulk.read_spans(keys, list(zip(self.lo.tolist(), (self.hi - self.lo).tolist(), strict=True)))
        rows = np.fromiter((index[(e, y)] for _, e, y, _, _ in held), dtype=np.int64, count=len(held))
        if not len(held):
            return
        self.ids[rows] = [pk for pk, *_ in held]
        self.versions[rows] = [version for *_, version, _ in held]
        widths = self.hi[rows] - self.lo[rows]
        if (widths == widths[0]).all():  # a morning: one slot each, placed at once
            width = int(widths[0])
            self.codes[rows, :width] = np.frombuffer(
                b"".join(bytes(m) for *_, m in held), dtype=np.uint8).reshape(len(held), width)
            return
        for row, (*_, marks) in zip(rows.tolist(), held, strict=True):
            self.codes[row, : self.hi[row] - self.lo[row]] = np.frombuffer(bytes(marks), dtype=np.uint8)

    def spans(self, keys: np.ndarray) -> list[bytes]:
        """The marks from the first to the last slot offered, of each of `keys`."""
        widths = self.hi[keys] - self.lo[keys]
        if len(keys) and (widths == widths[0]).all():
            width = int(widths[0])
            block = self.codes[keys, :width].tobytes()
            return [block[i : i + width] for i in range(0, len(block), width)] if width else [b""] * len(keys)
        return [self.codes[k, : self.hi[k] - self.lo[k]].tobytes() for k in keys.tolist()]

    def whole_year(self, key: int) -> bytes:
        """The register year's 732 slots, for one not held yet."""
        year = np.zeros(slots.SLOTS_PER_YEAR, dtype=np.uint8)
        year[self.lo[key] : self.hi[key]] = self.codes[key, : self.hi[key] - self.lo[key]]
        return year.tobytes()


def _record(offers: _Offers, *, source, description, user, reason, on_conflict) -> RecordResult:
    registers = _Registers(offers)
    column = offers.slot - registers.lo[offers.key]
    before = registers.codes[offers.key, column]
    held_id = registers.ids[offers.key]
    result = RecordResult()
    # Settled for all at once: a new mark for an empty session, and the very mark already held.
    added = (before == codes.NO_MARK) & ~offers.repeated
    same = (before == offers.code) & ~offers.repeated
    notes = bulk.read_notes(zip(held_id[~added].tolist(), offers.slot[~added].tolist(), strict=True))
    if notes or offers.noted.any():  # the very mark, but not the same minutes late or comment
        for i in np.flatnonzero(same).tolist():
            mark = offers.marks[i]
            if notes.get((int(held_id[i]), int(offers.slot[i])), NO_NOTE) != (mark.minutes_late, mark.comment):
                same[i] = False
    registers.codes[offers.key[added], column[added]] = offers.code[added]
    result.added = int(added.sum())
    result.unchanged = int(same.sum())
    writes = _Writes(registers, notes)
    writes.written[offers.key[added], column[added]] = True
    for i in np.flatnonzero(added & offers.noted):
        writes.note(int(offers.key[i]), int(offers.slot[i]), offers.marks[i])
    weighed = np.flatnonzero(~added & ~same)
    if len(weighed):
        _weigh(offers, weighed, writes, on_conflict, result)
    touched = writes.touched()
    if touched.any():
        result.batch = MarkBatch.objects.create(source=source, description=description[:300], created_by=user,
                                                reason=reason)
        writes.save(result.batch)
        result.register_years.update(registers.ids[touched].tolist())
    return result


def _weigh(offers: _Offers, weighed: np.ndarray, writes: _Writes, on_conflict: OnConflict,
           result: RecordResult) -> None:
    """Offers that meet another mark, or another offer, one by one in the order given; all
    conflicts are gathered before any is refused."""
    registers = writes.registers
    refused = (_refused_offers(registers.ids[np.unique(offers.key[weighed])])
               if on_conflict is OnConflict.BEST else set())
    conflicts: list[Conflict] = []
    for i in weighed.tolist():
        mark, key, slot = offers.marks[i], int(offers.key[i]), int(offers.slot[i])
        current_id = int(registers.codes[key, slot - registers.lo[key]])
        if current_id == codes.NO_MARK:
            writes.apply(key, slot, mark)
            result.added += 1
            continue
        current = codes.BY_ID[current_id]
        current_note = writes.note_of(key, slot)
        if current is mark.code and current_note == (mark.minutes_late, mark.comment):
            result.unchanged += 1
            continue
        if current is not mark.code and on_conflict is OnConflict.REJECT:
            conflicts.append(Conflict(mark, current))
            continue
        apply = takes_offer(mark.code, current, on_conflict)
        register_id = int(registers.ids[key]) or None
        if not apply and (register_id, slot, mark.code.symbol, current.symbol, mark.minutes_late,
                          mark.comment) in refused:
            result.unchanged += 1  # this very offer was refused before and is on record
            continue
        writes.history.append((key, MarkChange(
            slot=slot, previous_code=current.symbol, offered_code=mark.code.symbol, applied=apply,
            previous_minutes_late=current_note[0], offered_minutes_late=mark.minutes_late,
            previous_comment=current_note[1], offered_comment=mark.comment,
        )))
        if apply:
            writes.apply(key, slot, mark)
            result.changed += 1
        else:
            result.kept += 1
    if conflicts:
        raise MarksConflict(conflicts)


class _Writes:
    """What a call changes, by register row: slots written, notes, history; saved together."""

    def __init__(self, registers: _Registers, notes: dict[tuple[int, int], tuple[int | None, str]]):
        self.registers = registers
        self.written = np.zeros(registers.codes.shape, dtype=bool)
        self.held_notes = notes
        self.notes: dict[tuple[int, int], tuple[int | None, str]] = {}
        self.history: list[tuple[int, MarkChange]] = []

    def note_of(self, key: int, slot: int) -> tuple[int | None, str]:
        if (key, slot) in self.notes:
            return self.notes[(key, slot)]
        return self.held_notes.get((int(self.registers.ids[key]), slot), NO_NOTE)

    def note(self, key: int, slot: int, mark: OfferedMark) -> None:
        offered = (mark.minutes_late, mark.comment)
        if offered != self.note_of(key, slot):
            self.notes[(key, slot)] = offered

    def apply(self, key: int, slot: int, mark: OfferedMark) -> None:
        column = slot - self.registers.lo[key]
        self.registers.codes[key, column] = mark.code.id
        self.written[key, column] = True
        self.note(key, slot, mark)

    def touched(self) -> np.ndarray:
        touched = self.written.any(axis=1)
        touched[[key for key, _ in self.notes]] = True
        touched[[key for key, _ in self.history]] = True
        return touched

    def save(self, batch: MarkBatch) -> None:
        registers = self.registers
        changed = np.flatnonzero(self.written.any(axis=1))
        new = changed[registers.ids[changed] == 0]
        held = changed[registers.ids[changed] != 0]
        held = held[np.argsort(registers.ids[held], kind="stable")]  # rows locked in id order: no deadlock
        if len(new):
            try:
                with transaction.atomic():
                    created = bulk.insert_register_years(
                        [(*registers.keys[k], registers.whole_year(k)) for k in new.tolist()])
            except IntegrityError as error:  # another writer created one of them meanwhile
                raise StaleRegister("a register year was created while this one was being written") from error
            registers.ids[new] = [created[registers.keys[k]] for k in new.tolist()]
            registers.versions[new] = 1
        if len(held):
            saved = bulk.write_spans(list(zip(registers.ids[held].tolist(), registers.versions[held].tolist(),
                                              registers.lo[held].tolist(), registers.spans(held), strict=True)))
            if saved != len(held):
                raise StaleRegister(f"{len(held) - saved} register years changed while they were being saved")
            registers.versions[held] += 1
        bulk.append_sources(list(zip(registers.ids[changed].tolist(), [batch.pk] * len(changed),
                                     self._slots_written(changed), strict=True)))
        history = []
        for key, change in self.history:
            change.register_year_id, change.batch, change.reason = int(registers.ids[key]), batch, batch.reason
            history.append(change)
        MarkChange.objects.bulk_create(history, batch_size=2000)
        self._save_notes()

    def _slots_written(self, keys: np.ndarray) -> list[bytes]:
        """Of each of `keys`, the slots written, as little-endian uint16s (`MarkSource.slots`)."""
        rows, columns = np.nonzero(self.written[keys])
        packed = (columns + self.registers.lo[keys][rows]).astype("<u2").tobytes()
        sizes = np.bincount(rows, minlength=len(keys)) * 2
        ends = np.cumsum(sizes)
        starts = ends - sizes
        return [packed[a:b] for a, b in zip(starts.tolist(), ends.tolist(), strict=True)]

    def _save_notes(self) -> None:
        ids = self.registers.ids
        kept = [MarkNote(register_year_id=int(ids[key]), slot=slot, minutes_late=minutes, comment=comment)
                for (key, slot), (minutes, comment) in self.notes.items() if minutes is not None or comment]
        MarkNote.objects.bulk_create(kept, batch_size=2000, update_conflicts=True,
                                     unique_fields=["register_year", "slot"], update_fields=["minutes_late", "comment"])
        cleared: dict[int, list[int]] = defaultdict(list)
        for (key, slot), (minutes, comment) in self.notes.items():
            if minutes is None and not comment:
                cleared[int(ids[key])].append(slot)
        for register_id, cleared_slots in cleared.items():
            MarkNote.objects.filter(register_year_id=register_id, slot__in=cleared_slots).delete()


def _refused_offers(register_ids: np.ndarray) -> set[tuple]:
    """Offers already recorded as not taken, so offering the same again changes nothing."""
    ids = [int(i) for i in register_ids if i]
    found: set[tuple] = set()
    for i in range(0, len(ids), 5000):
        rows = MarkChange.objects.filter(register_year_id__in=ids[i : i + 5000], applied=False).values_list(
            "register_year_id", "slot", "offered_code", "previous_code", "offered_minutes_late",
            "offered_comment",
        )
        found.update(rows)
    return found


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
        if bulk.read_spans([(e, y) for e, y, _ in rows], [(0, 0)] * len(rows)):
            raise ValueError("some of these register years exist already; use record_marks")
        ids = bulk.insert_register_years([(e, y, np.asarray(m, np.uint8).tobytes()) for e, y, m in rows])
        RegisterYearSource.objects.bulk_create(
            (RegisterYearSource(register_year_id=ids[(e, y)],
                                batches=np.where(np.asarray(m) != codes.NO_MARK, batch.pk, 0).astype("<u4").tobytes())
             for e, y, m in rows),
            batch_size=2000,
        )
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
