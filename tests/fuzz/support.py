"""What the fuzz tests share: the settings, the world, a whole-database snapshot, the checks that
a refusal is clear and that whatever an import stored is valid (formats.md).

The checks of stored data are written from formats.md, not from the readers' code, so that a value
the readers let through by mistake shows up here.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from django.apps import apps
from django.db import transaction
from hypothesis import event, settings
from hypothesis.control import currently_in_test_context
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.gb import upn as upn_check

from muster.core import codes
from muster.core.best_mark import OnConflict
from muster.core.exchange.csv_file import FileRejected
from muster.registers import imports
from muster.registers.models import (
    CalendarEntry,
    Enrolment,
    LocalAuthority,
    MarkChange,
    MarkNote,
    Pupil,
    RegisterYear,
    School,
)
from tests.exchange.samples import csv_text, upn
from tests.registers.world import (
    ASHDOWN,
    BRENNOCK,
    CALENDAR_HEADER,
    CALENDAR_ROWS,
    CARROW,
    DUNMERE,
    MARK_HEADER,
    PUPIL_HEADER,
    PUPIL_ROWS,
    SCHOOL_A,
    SCHOOL_B,
)

PROFILE = os.environ.get("MUSTER_FUZZ_PROFILE", "muster-fuzz-ci")
"""conftest.py registers the profiles; "muster-fuzz-explore" runs 10x the examples at random."""


def fuzz(max_examples: int) -> settings:
    """The settings of one fuzz test: the chosen profile with this many examples."""
    scale = 10 if PROFILE == "muster-fuzz-explore" else 1
    return settings(settings.get_profile(PROFILE), max_examples=max_examples * scale)


# ---------------------------------------------------------------------------------------------
# The world: the register tests' world plus a schools file and a week of marks.

SCHOOL_HEADER = ["urn", "name", "la_code", "la_name", "phase", "am_register_opens",
                 "am_register_closes", "pm_register_opens", "pm_register_closes"]
SCHOOL_ROWS = [
    (SCHOOL_A, "Ashby Lane Academy", "802", "Invented Shire", "secondary", "08:40", "09:05",
     "13:10", "13:25"),
    (SCHOOL_B, "Bramwell School", "802", "Invented Shire", "all-through", "", "", "", ""),
]
PUPILS = (ASHDOWN, BRENNOCK, CARROW, DUNMERE)
NEW_PUPIL = upn(201)
SCHOOLS = (SCHOOL_A, SCHOOL_B)

WEEK_ONE = [dt.date(2025, 9, d) for d in (2, 3, 4, 5)]  # 1 September is an INSET day
WORLD_MARKS = [
    *[(p, SCHOOL_A, d.isoformat(), s, "/" if s == "AM" else "\\", "", "")
      for p in (ASHDOWN, BRENNOCK, CARROW) for d in WEEK_ONE for s in ("AM", "PM")],
    *[(p, SCHOOL_B, d.isoformat(), s, "D", "", "")
      for p in (CARROW,) for d in WEEK_ONE for s in ("AM", "PM")],
]
WORLD_MARKS[0] = (ASHDOWN, SCHOOL_A, "2025-09-02", "AM", "L", "12", "bus was late")
WORLD_CORRECTION = [(BRENNOCK, SCHOOL_A, "2025-09-03", "PM", "M", "", "dentist, letter seen")]


class FuzzWorld:
    """Where an example writes its files, and the whole database after the world was built
    (`full_snapshot`). Not a dataclass, so Hypothesis prints it short."""

    def __init__(self, directory: Path, baseline: dict):
        self.directory = directory
        self.baseline = baseline

    def __repr__(self) -> str:
        return f"FuzzWorld({self.directory})"

    def write_text(self, name: str, text: str) -> Path:
        path = self.directory / name
        path.write_bytes(text.encode("utf-8"))
        return path

    def write_bytes(self, name: str, data: bytes) -> Path:
        path = self.directory / name
        path.write_bytes(data)
        return path


def build_world(directory: Path) -> FuzzWorld:
    def write(name: str, header: Sequence[str], rows) -> Path:
        path = directory / name
        path.write_text(csv_text(list(header), rows), encoding="utf-8")
        return path

    imports.import_schools(write("schools.csv", SCHOOL_HEADER, SCHOOL_ROWS))
    imports.import_calendar(write("calendar.csv", CALENDAR_HEADER, CALENDAR_ROWS))
    imports.import_pupils(write("pupils.csv", PUPIL_HEADER, PUPIL_ROWS))
    imports.import_marks(write("marks.csv", MARK_HEADER, WORLD_MARKS))
    imports.import_marks(write("correction.csv", MARK_HEADER[:5] + ["comment"],
                               [r[:5] + (r[6],) for r in WORLD_CORRECTION]),
                         on_conflict=OnConflict.REPLACE)
    assert MarkChange.objects.count() == 1 and MarkNote.objects.count() == 2
    return FuzzWorld(directory, full_snapshot())


# ---------------------------------------------------------------------------------------------
# The database, whole.

def full_snapshot() -> dict[str, list[tuple]]:
    """Every row of every table of every installed app (registers, people, audit, auth, ...),
    every column, in primary-key order; binary columns as bytes. Extends
    `tests.registers.world.database_snapshot` to LocalAuthority, MarkBatch, MarkChange and
    audit contents and every field of the others."""
    snapshot = {}
    for config in apps.get_app_configs():
        for model in config.get_models(include_auto_created=True):
            fields = [f.attname for f in model._meta.concrete_fields]
            rows = model._base_manager.order_by("pk").values_list(*fields)
            snapshot[model._meta.label] = [
                tuple(bytes(v) if isinstance(v, memoryview | bytearray) else v for v in row)
                for row in rows
            ]
    return snapshot


def changed_tables(before: dict, after: dict) -> list[str]:
    return sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))


@contextmanager
def rolled_back() -> Iterator[None]:
    """Run one example in a savepoint and undo whatever it wrote, so examples are independent."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


# ---------------------------------------------------------------------------------------------
# The outcome of one import.

Importer = Callable[..., imports.ImportResult]


def assert_clear_refusal(refusal: FileRejected, file_name: str) -> None:
    """Every error names the file, a line (1 for the header) and a reason, and can be printed."""
    assert refusal.errors, "a file was refused with no reason given"
    for error in refusal.errors:
        assert error.file == file_name, error
        assert isinstance(error.line, int) and error.line >= 1, error
        assert isinstance(error.reason, str) and error.reason.strip(), error
        assert isinstance(error.column, str) and isinstance(error.value, str), error
        assert file_name in str(error)
    assert str(refusal)


def run_import(importer: Importer, path: Path, **options) -> imports.ImportResult | FileRejected:
    """The importer's result or its refusal; any other exception fails the test as it is."""
    try:
        return importer(path, **options)
    except FileRejected as refusal:
        return refusal


def check_outcome(
    world: FuzzWorld, importer: Importer, path: Path, *, must_refuse: bool = False,
    **options,
) -> imports.ImportResult | FileRejected:
    """The properties of any import of any file:

    - it either succeeds or raises `FileRejected` whose every error names the file, a line and a
      reason (any other exception propagates and fails the test);
    - refused, the database is exactly as before;
    - accepted, everything stored is valid (formats.md), and importing the same file again
      changes nothing.
    """
    outcome = run_import(importer, path, **options)
    if currently_in_test_context():  # counted by --hypothesis-show-statistics
        event("refused" if isinstance(outcome, FileRejected) else "accepted")
    if isinstance(outcome, FileRejected):
        assert_clear_refusal(outcome, path.name)
        after = full_snapshot()
        assert after == world.baseline, (
            f"a refused file changed {changed_tables(world.baseline, after)}"
        )
        return outcome
    assert not must_refuse, f"a file with a bad value was accepted: {outcome.summary()}"
    assert_stored_data_is_valid()
    once = full_snapshot()
    again = importer(path, **options)
    assert (again.added, again.changed) == (0, 0), again.summary()
    twice = full_snapshot()
    assert twice == once, f"importing the same file again changed {changed_tables(once, twice)}"
    return outcome


# ---------------------------------------------------------------------------------------------
# Validity, from formats.md.

UPN_SHAPE = re.compile(r"[A-Z][0-9]{11}[0-9A-Z]")
URN = re.compile(r"[0-9]{6}")
LA_CODE = re.compile(r"[0-9]{3}")
DATE_SHAPE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
TIME_SHAPE = re.compile(r"([01][0-9]|2[0-3]):[0-5][0-9]")
NC_YEARS = {"N1", "N2", "R", *(str(y) for y in range(1, 15))}
PHASES = {"nursery", "primary", "middle", "secondary", "all-through", "special", "alternative"}


def valid_upn(value: str) -> bool:
    if not UPN_SHAPE.fullmatch(value):
        return False
    try:
        upn_check.validate(value)
    except StdnumError:
        return False
    return True


def well_formed_date(value: str) -> bool:
    if not DATE_SHAPE.fullmatch(value):
        return False
    try:
        dt.date.fromisoformat(value)
    except ValueError:
        return False
    return True


def assert_stored_data_is_valid() -> None:
    """Whatever the imports stored keeps to formats.md (and to the schools file's columns)."""
    for la in LocalAuthority.objects.all():
        assert LA_CODE.fullmatch(la.code) and la.name.strip() and "\x00" not in la.name, la.__dict__
    for school in School.objects.all():
        assert URN.fullmatch(school.urn), school.urn
        assert school.name and len(school.name) <= 200 and "\x00" not in school.name
        assert school.phase in PHASES | {""}, school.phase
        for field in ("am_register_opens", "am_register_closes", "pm_register_opens",
                      "pm_register_closes"):
            value = getattr(school, field)
            assert isinstance(value, dt.time) and value.tzinfo is None, (field, value)
    for entry in CalendarEntry.objects.all():
        assert entry.kind in ("term", "closure") and entry.session in ("", "AM", "PM")
        assert entry.start <= entry.end, entry.__dict__
        assert not entry.session or (entry.kind == "closure" and entry.start == entry.end)
        assert len(entry.label) <= 80 and "\x00" not in entry.label
    for pupil in Pupil.objects.all():
        assert valid_upn(pupil.upn), pupil.upn
        for name in (pupil.legal_surname, pupil.legal_forename):
            assert name and name == name.strip() and len(name) <= 100 and "\x00" not in name
        assert len(pupil.preferred_name) <= 100 and "\x00" not in pupil.preferred_name
        assert pupil.nc_year in NC_YEARS and pupil.sex in ("", "M", "F")
        assert pupil.sen in ("N", "K", "E")
        assert pupil.care_authority == "" or (
            LA_CODE.fullmatch(pupil.care_authority) and pupil.looked_after
        ), pupil.care_authority
    for enrolment in Enrolment.objects.all():
        assert enrolment.registration in ("single", "main", "subsidiary")
        assert enrolment.end is None or enrolment.start <= enrolment.end
    for register in RegisterYear.objects.all():
        assert set(register.codes().tolist()) <= {codes.NO_MARK} | set(codes.BY_ID)
    for note in MarkNote.objects.all():
        assert note.minutes_late is None or 0 <= note.minutes_late <= 300
        assert "\x00" not in note.comment
