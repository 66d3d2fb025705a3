"""The `muster` command on the test database: conformance README ("What `check` expects of the
command line"); formats.md, "The pupils report".

`click.testing.CliRunner` runs the commands in this process, so they use pytest-django's test
database; the command's own `django.setup()` finds Django already set up.
"""

from __future__ import annotations

import csv
import io
import json

import numpy as np
import pytest
from click.testing import CliRunner

from muster.cli import main
from muster.registers import provenance
from muster.registers.models import MarkChange, MarkSource, Pupil, RegisterYear, School
from tests.exchange.samples import csv_text
from tests.registers.world import (
    ASHDOWN,
    BRENNOCK,
    CALENDAR_HEADER,
    CALENDAR_ROWS,
    CARROW,
    DUNMERE,
    PUPIL_HEADER,
    PUPIL_ROWS,
    SCHOOL_A,
    database_snapshot,
)

pytestmark = pytest.mark.django_db

REPORT = ["report", "pupils", "--from", "2025-09-01", "--to", "2025-12-19"]


def muster(*args: str):
    return CliRunner().invoke(main, [str(a) for a in args])


@pytest.fixture
def marked(world):
    world.import_marks([
        (ASHDOWN, SCHOOL_A, "2025-09-02", "AM", "L", "12"),
        (ASHDOWN, SCHOOL_A, "2025-09-02", "PM", "\\"),
        (BRENNOCK, SCHOOL_A, "2025-09-02", "AM", "O"),
        (BRENNOCK, SCHOOL_A, "2025-09-02", "PM", "I"),
    ])
    return world


def test_the_command_imports_the_three_files_into_the_test_database(db, files):
    calendar = files.write("calendar.csv", CALENDAR_HEADER, CALENDAR_ROWS)
    pupils = files.write("pupils.csv", PUPIL_HEADER, PUPIL_ROWS)
    marks = files.marks([(ASHDOWN, SCHOOL_A, "2025-09-02", "AM", "/")])
    result = muster("import", "calendar", calendar)
    assert result.exit_code == 0, result.output
    assert "notice: new school 310001" in result.stderr
    assert result.stdout.startswith("calendar.csv: 8 rows read") and "8 added" in result.stdout
    assert muster("import", "pupils", pupils).exit_code == 0
    result = muster("import", "marks", marks)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("marks.csv: 1 rows read") and "1 added" in result.stdout
    assert School.objects.count() == 2 and Pupil.objects.count() == 4


def test_the_command_exits_non_zero_on_a_bad_file_and_names_each_line(world):
    """README: "A rejected file must exit non-zero, name each bad line (`line 7`...)"."""
    path = world.files.marks([
        (ASHDOWN, SCHOOL_A, "2025-09-02", "AM", "/"),
        (ASHDOWN, SCHOOL_A, "2025-09-06", "AM", "/"),
        (ASHDOWN, SCHOOL_A, "2025-09-03", "AM", "X9"),
    ])
    before = database_snapshot()
    result = muster("import", "marks", path)
    assert result.exit_code == 1
    assert "marks.csv line 3, date '2025-09-06'" in result.stderr
    assert "marks.csv line 4, mark 'X9': unknown attendance code" in result.stderr
    assert "marks.csv rejected: 2 error(s); nothing was changed." in result.stderr
    assert result.stdout == ""
    assert database_snapshot() == before


def test_the_command_refuses_a_conflict_unless_told_how_to_settle_it(marked):
    path = marked.files.marks([(ASHDOWN, SCHOOL_A, "2025-09-02", "PM", "O")], name="fix.csv")
    result = muster("import", "marks", path)
    assert result.exit_code == 1
    assert "fix.csv line 2, mark 'O': the register already holds \\ for this session" in result.stderr
    result = muster("import", "marks", path, "--on-conflict", "best")
    assert result.exit_code == 0, result.output
    assert "0 added" in result.stdout and "1 changed" not in result.stdout
    result = muster("import", "marks", path, "--on-conflict", "replace")
    assert result.exit_code == 0 and "1 changed" in result.stdout
    assert list(MarkChange.objects.values_list("offered_code", "applied")) == [("O", False), ("O", True)]


def test_the_command_skips_unknown_columns_only_when_asked(world):
    path = world.files.text("marks.csv", csv_text(
        ["upn", "school_urn", "date", "session", "mark", "class"],
        [(ASHDOWN, SCHOOL_A, "2025-09-02", "AM", "/", "7Q")],
    ))
    result = muster("import", "marks", path)
    assert result.exit_code == 1 and "marks.csv line 1, class 'class': unknown column" in result.stderr
    assert muster("import", "marks", path, "--ignore-unknown-columns").exit_code == 0


def test_report_pupils_as_json_is_a_list_of_objects_with_dates_and_nulls(marked):
    """formats.md: "JSON output is a list of objects, one per pupil, with those keys; dates as
    YYYY-MM-DD, an empty date as null"."""
    result = muster(*REPORT, "--format", "json")
    assert result.exit_code == 0, result.output
    rows = {r["upn"]: r for r in json.loads(result.stdout)}
    assert set(rows) == {p.upn for p in Pupil.objects.all()}
    ashdown = rows[ASHDOWN]
    assert {k: ashdown[k] for k in ("possible", "present", "late", "attendance_pct")} == {
        "possible": 2, "present": 2, "late": 1, "attendance_pct": 100.0,
    }
    assert rows[BRENNOCK]["persistent_absence"] is True and rows[BRENNOCK]["severe_absence"] is True
    assert rows[DUNMERE]["attendance_pct"] is None and rows[DUNMERE]["pn_threshold_met_on"] is None
    for key in ("upn", "possible", "present", "late", "aea", "authorised", "unauthorised",
                "attendance_pct", "overall_absence_pct", "persistent_absence", "severe_absence",
                "pn_threshold_met_on"):
        assert key in ashdown


def test_report_pupils_as_csv_has_a_header_and_a_row_per_pupil(marked):
    result = muster(*REPORT, "--format", "csv")
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert len(rows) == 4
    by_upn = {r["upn"]: r for r in rows}
    assert (by_upn[BRENNOCK]["unauthorised"], by_upn[BRENNOCK]["authorised"]) == ("1", "1")
    assert by_upn[DUNMERE]["attendance_pct"] == ""


def test_report_pupils_as_a_table_is_the_default(marked):
    result = muster(*REPORT)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].split()[:3] == ["upn", "name", "nc_year"]
    assert lines[-1] == "(4 rows)"
    assert any(line.startswith(ASHDOWN) and "100.00" in line for line in lines)


def test_report_pupils_for_one_school(marked):
    result = muster(*REPORT, "--school", SCHOOL_A, "--format", "json")
    assert result.exit_code == 0, result.output
    assert {r["upn"] for r in json.loads(result.stdout)} == {ASHDOWN, BRENNOCK, CARROW}


def test_report_pupils_refuses_an_unknown_school_and_a_backwards_period(world):
    result = muster(*REPORT, "--school", "399999")
    assert result.exit_code == 2 and "no school with URN 399999" in result.output
    result = muster("report", "pupils", "--from", "2025-12-19", "--to", "2025-09-01")
    assert result.exit_code == 2 and "--to is before --from" in result.output


def test_report_cohorts_as_json(marked):
    result = muster("report", "cohorts", "--from", "2025-09-01", "--to", "2025-12-19",
                    "--by", "school", "--format", "json")
    assert result.exit_code == 0, result.output
    groups = {r["group"]: r for r in json.loads(result.stdout)}
    assert groups[SCHOOL_A]["possible"] == 4 and groups[SCHOOL_A]["unauthorised"] == 1


def test_report_pupils_with_a_policy_adds_each_pupils_band_and_why(world):
    """formats.md: "and, when a policy is named, that policy's `band`"."""
    import json

    from muster.cli import main as muster

    result = CliRunner().invoke(muster, [
        "report", "pupils", "--from", "2025-09-01", "--to", "2025-12-19", "--format", "json",
        "--policy", "national-persistent-severe-absence",
    ])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert all("band" in r and "band_explanation" in r for r in rows)
    unknown = CliRunner().invoke(muster, ["report", "pupils", "--from", "2025-09-01", "--to",
                                          "2025-12-19", "--policy", "no-such-policy"])
    assert unknown.exit_code != 0 and "no policy 'no-such-policy'" in unknown.output


def test_folding_who_wrote_each_mark_is_a_daily_command_that_changes_no_writer(marked):
    """`muster records fold-sources`: "Nothing anyone reads changes ... Running it again changes
    nothing more" (registers/provenance.py)."""
    registers = list(RegisterYear.objects.values_list("pk", flat=True))
    before = provenance.writers(registers)
    result = muster("records", "fold-sources")
    assert result.exit_code == 0, result.output
    assert result.stdout == "2 log rows folded\n"  # one write, two register years
    assert not MarkSource.objects.exists()
    after = provenance.writers(registers)
    assert all(np.array_equal(after[pk], before[pk]) for pk in registers)
    assert muster("records", "fold-sources").stdout == "0 log rows folded\n"
