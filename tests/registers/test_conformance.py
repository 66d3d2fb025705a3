"""The shared conformance registers through the database (shared/conformance/README.md).

"calendar.csv, pupils.csv, marks.csv: one year: 30 ordinary pupils and 12 crafted ones";
expected-pupils.json is "the pupils report for 2025-09-01 to 2026-08-31". Counts, flags and the
penalty-notice date must agree exactly, percentages "to within 0.005". "A rejected file must exit
non-zero, name each bad line ... and leave the report unchanged."

The three files are imported once for the module (in a transaction rolled back at the end);
each test runs in its own savepoint on top.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from django.db import transaction

from muster.cli import main
from muster.core.best_mark import OnConflict
from muster.core.exchange.csv_file import FileRejected
from muster.registers import imports
from muster.registers.models import Pupil
from muster.registers.reports import pupil_rows
from tests.registers.world import database_snapshot

CONFORMANCE = Path(__file__).resolve().parents[3] / "shared" / "conformance"
FIRST, LAST = dt.date(2025, 9, 1), dt.date(2026, 8, 31)

EXPECTED = json.loads((CONFORMANCE / "expected-pupils.json").read_text(encoding="utf-8"))
BAD_LINES = list(csv.DictReader((CONFORMANCE / "bad" / "expected-errors.csv").open(encoding="utf-8")))
COUNTS = ("possible", "present", "late", "aea", "authorised", "unauthorised")
FLAGS = ("persistent_absence", "severe_absence", "pn_threshold_met_on")
RATES = ("attendance_pct", "overall_absence_pct")

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def loaded(django_db_setup, django_db_blocker):
    """Import the conformance year once; roll it back when the module is done."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            results = {
                kind: getattr(imports, f"import_{kind}")(CONFORMANCE / f"{kind}.csv")
                for kind in ("calendar", "pupils", "marks")
            }
            report = {r["upn"]: r for r in pupil_rows(FIRST, LAST)}
            yield results, report
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


def data_lines(path: Path) -> int:
    with path.open(encoding="utf-8") as handle:
        return sum(1 for _ in csv.reader(handle)) - 1


def test_the_conformance_files_import_cleanly(loaded):
    results, _ = loaded
    assert results["calendar"].added == data_lines(CONFORMANCE / "calendar.csv")
    assert results["marks"].rows == results["marks"].added == data_lines(CONFORMANCE / "marks.csv")
    assert results["pupils"].rows == data_lines(CONFORMANCE / "pupils.csv")
    assert Pupil.objects.count() >= len(EXPECTED)


@pytest.mark.parametrize("expected", EXPECTED, ids=[e["upn"] for e in EXPECTED])
def test_the_pupils_report_gives_the_expected_answer(loaded, expected):
    """Counts, flags and `pn_threshold_met_on` exactly; percentages within 0.005 (README)."""
    _, report = loaded
    row = report.get(expected["upn"])
    assert row is not None, f"{expected['upn']} is missing from the report"
    case = expected.get("case", "ordinary pupil")
    assert {k: row[k] for k in COUNTS + FLAGS} == {k: expected[k] for k in COUNTS + FLAGS}, case
    for key in RATES:
        if expected[key] is None:
            assert row[key] is None, (key, case)
        else:
            assert row[key] == pytest.approx(expected[key], abs=0.005 + 1e-9), (key, case)


def test_penalty_notice_date_for_g_split_across_two_schools_comes_through_the_database(loaded):
    """Conformance case U802310125210: "5 G at one school, a week off roll, 5 G at the next: met
    (10 school weeks)"; reference 0, "School week". Reported for that pupil alone, so the
    look-back reads both enrolments' registers from the database."""
    (row,) = pupil_rows(FIRST, LAST, pupils=Pupil.objects.filter(upn="U802310125210"))
    assert row["schools"] == "200001,200002"
    assert (row["unauthorised"], row["pn_threshold_met_on"]) == (10, "2026-05-19")


def test_the_report_for_a_shorter_period_still_looks_back_for_the_threshold(loaded):
    """The threshold met on 19 May 2026 is found by a report of May alone: the window reaches
    back across the Easter holiday and the week off roll (store.load, look-back)."""
    (row,) = pupil_rows(dt.date(2026, 5, 1), dt.date(2026, 5, 31),
                        pupils=Pupil.objects.filter(upn="U802310125210"))
    assert row["pn_threshold_met_on"] == "2026-05-19"


@pytest.mark.parametrize("bad", BAD_LINES, ids=[f"line {b['line']}: {b['why']}" for b in BAD_LINES])
def test_the_bad_file_reports_each_bad_line(loaded, bad):
    """bad/expected-errors.csv: "the line of each bad row and why it is bad"."""
    with pytest.raises(FileRejected) as rejected:
        imports.import_marks(CONFORMANCE / "bad" / "marks.csv")
    errors = [e for e in rejected.value.errors if e.line == int(bad["line"])]
    assert errors, f"line {bad['line']} ({bad['why']}) is not reported"
    assert all(e.file == "marks.csv" and e.reason for e in errors)


def test_the_bad_file_reports_nothing_against_its_one_good_line(loaded):
    with pytest.raises(FileRejected) as rejected:
        imports.import_marks(CONFORMANCE / "bad" / "marks.csv")
    assert {e.line for e in rejected.value.errors} == {int(b["line"]) for b in BAD_LINES}


@pytest.mark.parametrize("on_conflict", list(OnConflict))
def test_a_bad_file_changes_nothing(loaded, on_conflict):
    """formats.md: "A file with any bad row changes nothing"; README: "leave the report
    unchanged"; whatever the conflict rule."""
    _, report = loaded
    before = database_snapshot()
    with pytest.raises(FileRejected):
        imports.import_marks(CONFORMANCE / "bad" / "marks.csv", on_conflict=on_conflict)
    assert database_snapshot() == before
    assert {r["upn"]: r for r in pupil_rows(FIRST, LAST)} == report


@pytest.mark.parametrize("kind", ["calendar", "pupils", "marks"])
def test_reimporting_a_conformance_file_changes_nothing(loaded, kind):
    before = database_snapshot()
    result = getattr(imports, f"import_{kind}")(CONFORMANCE / f"{kind}.csv")
    assert (result.added, result.changed, result.kept) == (0, 0, 0)
    assert result.notices == ()
    assert database_snapshot() == before


# --- the same through the command line ---------------------------------------------------------

def test_the_command_rejects_the_bad_file_naming_each_line(loaded):
    """README: "A rejected file must exit non-zero, name each bad line (`line 7`, ...)"."""
    result = CliRunner().invoke(main, ["import", "marks", str(CONFORMANCE / "bad" / "marks.csv")])
    assert result.exit_code == 1
    for bad in BAD_LINES:
        assert f"marks.csv line {bad['line']}," in result.stderr, bad["why"]
    assert "nothing was changed" in result.stderr


def test_the_command_reports_the_expected_answers_as_json(loaded):
    """README: `muster report pupils --from --to --format json`."""
    _, report = loaded
    result = CliRunner().invoke(
        main, ["report", "pupils", "--from", "2025-09-01", "--to", "2026-08-31", "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    rows = {r["upn"]: r for r in json.loads(result.stdout)}
    assert rows == report
    for expected in EXPECTED:
        got = rows[expected["upn"]]
        assert {k: got[k] for k in COUNTS + FLAGS} == {k: expected[k] for k in COUNTS + FLAGS}
