"""`muster backtest` on the two-year demo (issue 10 "Done when": "the backtest on the two-year
demo prints precision, recall and the split by group"), through the trust layer with `--as`."""

from __future__ import annotations

import json
import re

import pytest
from click.testing import CliRunner

from muster.cli import main
from muster.targeting.backtest import default_dates

pytestmark = pytest.mark.django_db


def backtest(*args):
    return CliRunner().invoke(main, ["backtest", *args])


def rows_of(result):
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_the_backtest_prints_precision_recall_and_the_split_by_group(demo):
    result = backtest()
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith("School year 2025/26 (years held: 2025, 2026)")
    assert lines[2].split() == ["date", "dimension", "group", "pupils", "flagged", "persistent",
                                "flagged_and_persistent", "precision_pct", "recall_pct"]
    dimensions = {line.split()[1] for line in lines[3:-1]}
    assert dimensions == {"all", "sex", "fsm", "sen", "looked_after", "rule"}
    rules = {line.split()[2] for line in lines[3:-1] if line.split()[1] == "rule"}
    assert rules == {"projection", "trend", "spells", "last_year_persistent", "school_change",
                     "placement_change"}
    assert {line.split()[0] for line in lines[3:-1]} == {d.isoformat() for d in default_dates(2025)}


def test_the_year_end_outcome_is_persistent_absence_as_the_pupil_report_counts_it(demo):
    rows = rows_of(backtest("--format", "json"))
    report = CliRunner().invoke(main, ["report", "pupils", "--from", "2025-08-01", "--to",
                                       "2026-07-31", "--format", "json"])
    pupils = [p for p in json.loads(report.output) if p["possible"] > 0]
    overall = [r for r in rows if r["dimension"] == "all"]
    assert {r["pupils"] for r in overall} == {len(pupils)}
    assert {r["persistent"] for r in overall} == {sum(p["persistent_absence"] for p in pupils)}


def test_the_shares_follow_from_the_counts_and_groups_add_up(demo):
    rows = rows_of(backtest("--format", "json"))
    for row in rows:
        hits, flagged, persistent = (row["flagged_and_persistent"], row["flagged"],
                                     row["persistent"])
        assert row["precision_pct"] == (round(100 * hits / flagged, 1) if flagged else None)
        assert row["recall_pct"] == (round(100 * hits / persistent, 1) if persistent else None)
    assert all(r["precision_pct"] is not None for r in rows if r["dimension"] == "all")
    for date in {r["date"] for r in rows}:
        [overall] = [r for r in rows if r["date"] == date and r["dimension"] == "all"]
        for dimension in ("sex", "fsm", "sen", "looked_after"):
            parts = [r for r in rows if r["date"] == date and r["dimension"] == dimension]
            for key in ("pupils", "flagged", "persistent", "flagged_and_persistent"):
                assert sum(p[key] for p in parts) == overall[key]
    for date in {r["date"] for r in rows}:  # each rule alone flags no more than all rules
        [overall] = [r for r in rows if r["date"] == date and r["dimension"] == "all"]
        assert max(r["flagged"] for r in rows if r["date"] == date
                   and r["dimension"] == "rule") <= overall["flagged"]
    recall = [r["flagged_and_persistent"] for r in sorted(rows, key=lambda r: r["date"])
              if r["dimension"] == "all"]
    assert recall == sorted(recall) and recall[-1] > 0  # flags carry forward


def test_dates_can_be_chosen(demo):
    rows = rows_of(backtest("--format", "json", "--dates", "2025-11-03,2026-02-02"))
    assert sorted({r["date"] for r in rows}) == ["2025-11-03", "2026-02-02"]


@pytest.mark.parametrize("args, message", [
    (["--year", "2026"], "the school year 2026 ends on 2027-07-31: its outcome is not known yet"),
    (["--year", "2019"], "no registers for the school year 2019; held: 2025, 2026"),
    (["--dates", "2026-09-01"], "dates outside the school year 2025 (2025-08-01 to 2026-07-31)"),
    (["--dates", "first-of-october"], "'first-of-october' is not a date"),
])
def test_what_cannot_be_scored_is_refused_with_the_reason(demo, args, message):
    result = backtest(*args)
    assert result.exit_code != 0
    assert message in result.output


def test_a_governor_sees_their_own_school_only_and_a_teacher_is_refused(demo):
    everyone = rows_of(backtest("--format", "json"))
    governor = backtest("--as", "governor")
    assert governor.exit_code == 0, governor.output
    pupils = int(re.search(r"\): (\d+) pupils", governor.output).group(1))
    assert 0 < pupils < everyone[0]["pupils"]
    refused = backtest("--as", "teacher")
    assert refused.exit_code != 0 and "do not give cohort figures" in refused.output


def test_the_backtest_is_on_record_under_the_name_it_was_run_as(demo):
    from muster.audit.models import AuditEvent

    before = AuditEvent.objects.count()
    assert backtest("--as", "la-officer").exit_code == 0
    [event] = AuditEvent.objects.order_by("sequence")[before:]
    assert (event.username, event.action, event.record_kind) == ("la-officer", "list",
                                                                 "cohort_figures")
    assert "at-risk backtest of 2025" in event.summary
