"""Anonymising leavers after the register retention period (`muster records retention`).

Sources: SI 2024/208 explanatory note ("every register entry must be kept for at least six
years"; domain reference 1 "Retention", 0 "Register retention"); issue "People, roles and trust",
"Data handling": anonymise leavers' records with a dry-run report; marks and figures stay.
"""

from __future__ import annotations

import datetime as dt

import pytest
from click.testing import CliRunner
from django.core.exceptions import ValidationError

from muster.cli import main
from muster.records.anonymisation import anonymise_leavers
from muster.registers.models import MarkChange, MarkNote, Pupil, RegisterYear
from muster.registers.reports import cohort_rows, pupil_rows
from tests.records.world import (
    CORRECTION_COMMENT,
    PENROSE,
    PENROSE_LAST_DAY,
    QUILLAN,
    QUILLAN_LAST_DAY,
)
from tests.registers.world import ASHDOWN, BRENNOCK, database_snapshot

pytestmark = pytest.mark.django_db

DAY_AFTER_PENROSE = dt.date(2031, 10, 18)
"""The day after Penrose's sixth anniversary of her last day on roll (17 October 2025)."""


def history(pupil: Pupil) -> list[tuple]:
    return list(
        MarkChange.objects.filter(register_year__enrolment__pupil=pupil).values_list(
            "slot", "previous_code", "offered_code", "applied", "previous_minutes_late",
            "offered_minutes_late", "batch_id", "previous_comment", "offered_comment", "reason",
        )
    )


def registers_of(upn: str) -> list[tuple]:
    return sorted(
        (pk, y, v, bytes(m))
        for pk, y, v, m in RegisterYear.objects.filter(enrolment__pupil__upn=upn).values_list(
            "pk", "academic_year", "version", "marks"
        )
    )


def test_a_leaver_is_kept_whole_on_the_sixth_anniversary_of_their_last_day_on_roll(leavers):
    report = anonymise_leavers(on=dt.date(2031, 10, 17), dry_run=False)
    assert report.leavers == []
    assert Pupil.objects.get(upn=PENROSE).anonymised_on is None


def test_a_leaver_is_anonymised_the_day_after_retention_ends(leavers):
    penrose = Pupil.objects.get(upn=PENROSE)
    report = anonymise_leavers(on=DAY_AFTER_PENROSE, dry_run=False)
    assert [x.pupil_id for x in report.leavers] == [penrose.pk]
    penrose.refresh_from_db()
    assert (penrose.legal_surname, penrose.legal_forename, penrose.preferred_name) == (
        "Anonymised", "Pupil", ""
    )
    assert penrose.date_of_birth == dt.date(2013, 9, 1)  # born 9 March 2014: NC year 7 in 2025
    assert penrose.upn == f"SANON{penrose.pk:08d}"
    assert penrose.anonymised_on == DAY_AFTER_PENROSE
    assert (penrose.sex, penrose.nc_year, penrose.sen, penrose.fsm) == ("F", "7", "K", True)


def test_the_last_day_on_roll_is_the_end_of_the_latest_enrolment(leavers):
    """Quillan left A on 30 September 2025 and B on 28 November 2025."""
    assert anonymise_leavers(on=DAY_AFTER_PENROSE, dry_run=False).anonymised == 1
    assert Pupil.objects.filter(upn=QUILLAN).exists()
    report = anonymise_leavers(on=dt.date(2031, 11, 29), dry_run=False)
    assert [x.last_day_on_roll for x in report.leavers] == [QUILLAN_LAST_DAY]
    assert [x.schools for x in report.leavers] == [("310001", "310002")]
    assert not Pupil.objects.filter(upn=QUILLAN).exists()


def test_a_pupil_on_roll_anywhere_is_never_a_leaver(leavers):
    """Brennock left school A but is on roll at B; Ashdown is on roll at A."""
    anonymise_leavers(on=dt.date(2060, 1, 1), dry_run=False)
    still_named = set(Pupil.objects.filter(anonymised_on__isnull=True).values_list("upn", flat=True))
    assert {ASHDOWN, BRENNOCK} <= still_named
    assert {PENROSE, QUILLAN}.isdisjoint(still_named)


def test_the_dry_run_reports_the_leavers_and_changes_nothing(leavers):
    penrose = Pupil.objects.get(upn=PENROSE)
    before = database_snapshot()
    report = anonymise_leavers(on=DAY_AFTER_PENROSE, dry_run=True)
    assert database_snapshot() == before
    assert Pupil.objects.get(upn=PENROSE).anonymised_on is None
    text = "\n".join(report.lines())
    assert "1 leaver(s) past retention to anonymise" in text
    assert f"{penrose.pk:>12}  {PENROSE_LAST_DAY}        2031-10-17  310001" in text
    assert "date of birth: reduced to 1 September" in text
    assert "(2 comment(s) on marks, 1 mark history entr(ies)" in text
    assert text.endswith("Dry run: nothing was changed.")
    assert PENROSE not in text and "Penrose" not in text, "the report names no child"


def test_the_real_run_prints_the_same_report_as_the_dry_run(leavers):
    dry = anonymise_leavers(on=DAY_AFTER_PENROSE, dry_run=True).lines()
    real = anonymise_leavers(on=DAY_AFTER_PENROSE, dry_run=False).lines()
    assert dry[:-1] == real[:-1]
    assert real[-1] == "Anonymised 1 pupil record(s)."


def test_running_it_again_changes_nothing(leavers):
    anonymise_leavers(on=DAY_AFTER_PENROSE, dry_run=False)
    before = database_snapshot()
    again = anonymise_leavers(on=DAY_AFTER_PENROSE, dry_run=False)
    assert (again.leavers, again.anonymised, again.anonymised_before) == ([], 0, 1)
    assert database_snapshot() == before


def test_comments_are_cleared_and_the_marks_and_minutes_late_stay(leavers):
    registers = registers_of(PENROSE)
    anonymise_leavers(on=DAY_AFTER_PENROSE, dry_run=False)
    notes = MarkNote.objects.filter(register_year__enrolment__pupil__anonymised_on__isnull=False)
    assert list(notes.values_list("minutes_late", "comment")) == [(7, "")]
    assert not MarkNote.objects.filter(comment__contains="Wren").exists()
    assert registers_of(f"SANON{Pupil.objects.get(anonymised_on__isnull=False).pk:08d}") == registers


def test_mark_history_keeps_its_codes_and_loses_its_comments(leavers):
    penrose = Pupil.objects.get(upn=PENROSE)
    before = history(penrose)
    assert [row[8] for row in before] == [CORRECTION_COMMENT]
    anonymise_leavers(on=DAY_AFTER_PENROSE, dry_run=False)
    after = history(penrose)
    assert [row[:7] for row in after] == [row[:7] for row in before]
    assert [row[7:] for row in after] == [("", "", "")]


def test_a_reason_in_the_mark_history_is_cleared(leavers):
    """No action writes `MarkChange.reason` yet; the field exists, so retention clears it."""
    change = MarkChange.objects.get(register_year__enrolment__pupil__upn=PENROSE)
    MarkChange.objects.create(
        register_year=change.register_year, slot=change.slot, previous_code="O",
        offered_code="O", applied=False, batch=change.batch, reason="Wren's father disputes it",
    )
    anonymise_leavers(on=DAY_AFTER_PENROSE, dry_run=False)
    assert not MarkChange.objects.exclude(reason="").exists()


def test_the_mark_history_stays_append_only_for_everything_else(leavers):
    with pytest.raises(ValidationError):
        MarkChange.objects.filter(register_year__enrolment__pupil__upn=PENROSE).update(offered_code="/")
    with pytest.raises(ValidationError):
        MarkChange.objects.all().delete()


def test_the_figures_are_the_same_after_anonymisation(leavers):
    """Marks and figures stay for statistics: the same cohorts, by NC year too."""
    period = (dt.date(2025, 9, 1), dt.date(2025, 12, 19))

    def without_identity(rows):
        return [{k: v for k, v in r.items() if k not in ("upn", "name")} for r in rows]

    pupils = without_identity(pupil_rows(*period))
    cohorts = cohort_rows(*period, by=("school", "nc_year", "sen"), school=None, with_codes=True)
    anonymise_leavers(on=dt.date(2031, 11, 29), dry_run=False)
    assert sorted(map(str, without_identity(pupil_rows(*period)))) == sorted(map(str, pupils))
    assert cohort_rows(*period, by=("school", "nc_year", "sen"), school=None, with_codes=True) == cohorts


def test_an_anonymised_record_is_still_valid_and_savable(leavers):
    anonymise_leavers(on=DAY_AFTER_PENROSE, dry_run=False)
    pupil = Pupil.objects.get(anonymised_on__isnull=False)
    pupil.full_clean()
    pupil.nc_year = "8"
    pupil.save()


def test_the_command_reports_and_anonymises(leavers):
    dry = CliRunner().invoke(main, ["records", "retention", "--on", "2031-10-18", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "1 leaver(s) past retention" in dry.output and "Dry run" in dry.output
    assert Pupil.objects.filter(upn=PENROSE).exists()
    real = CliRunner().invoke(main, ["records", "retention", "--on", "2031-10-18"])
    assert real.exit_code == 0, real.output
    assert "Anonymised 1 pupil record(s)." in real.output
    assert not Pupil.objects.filter(upn=PENROSE).exists()


def test_the_command_refuses_a_day_before_the_2024_regulations(leavers):
    result = CliRunner().invoke(main, ["records", "retention", "--on", "2024-01-01"])
    assert result.exit_code == 1
    assert "no register retention period was in force on 2024-01-01" in result.output


def test_free_text_about_the_leaver_in_other_records_is_cleared(leavers):
    """A contact log, a task note and a family contact name the child or their family too."""
    from django.utils import timezone

    from muster.casework.models import Task
    from muster.interop.models import PupilContact
    from muster.statutory.models import ContactAttempt

    penrose = Pupil.objects.get(upn=PENROSE)
    school = penrose.enrolments.first().school
    ContactAttempt.objects.create(
        pupil=penrose, school=school, absence_on=dt.date(2025, 10, 1), method="call",
        contact="Mum (Ms Wren) on 07700 900123", outcome="reached", made_by_name="A. Lead",
        made_at=timezone.now(), note="Penrose has a cold, back tomorrow")
    Task.objects.create(
        pupil=penrose, title="Write to the parents", instruction="Write", source="seed 002 line 136",
        policy_id="school-attendance-policy-model", rule="below_96/any/attendance_lead/Write",
        occurrence=dt.date(2025, 10, 1), role="attendance_lead", created_on=dt.date(2025, 10, 1),
        status="done", note="Letter to Ms Wren sent")
    PupilContact.objects.create(pupil=penrose, order=1, surname="Wren", forename="Ada")
    anonymise_leavers(on=DAY_AFTER_PENROSE, dry_run=False)
    attempt = ContactAttempt.objects.get(pupil=penrose)
    assert (attempt.contact, attempt.note, attempt.method, attempt.outcome) == ("", "", "call", "reached")
    assert Task.objects.get(pupil=penrose).note == ""
    assert not PupilContact.objects.filter(pupil=penrose).exists()
