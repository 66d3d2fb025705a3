"""Writing the demo into the database: `muster demo`.

The data is made by `muster.demo` (no database); this module only replaces what the database holds
with it. Marks go through the register actions like any other school's: whole years through
`load_register_years`, which checks every mark against the calendar and the roll, and the
corrections through `record_marks`, so the demo's registers carry provenance and history.
"""

from __future__ import annotations

import datetime as dt
import secrets
import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, transaction

from muster.accounts.demo import give_demo_authenticator
from muster.care.demo import CARE_TABLES, plant_care_demo
from muster.casework.demo import CASEWORK_TABLES, adopt_demo_policies, evaluate_demo_year
from muster.core import codes, slots
from muster.core.best_mark import OnConflict
from muster.core.roles import Role
from muster.demo import Demo, generate
from muster.interop.demo import plant_care_data_problems, plant_data_quality_problems
from muster.people.actions import assign_role
from muster.people.demo import DemoPerson, create_demo_people
from muster.people.demo import describe as describe_people
from muster.people.models import PEOPLE_TABLES, Organisation
from muster.registers.actions import MarkInput, load_register_years, record_marks
from muster.registers.models import (
    CalendarEntry,
    Enrolment,
    LocalAuthority,
    MarkBatch,
    MarkChange,
    MarkNote,
    MarkSource,
    Pupil,
    RegisterYear,
    RegisterYearSource,
    School,
)
from muster.statutory.demo import plant_statutory_demo
from muster.targeting.demo import plant_targeting_demo, plant_targeting_shift

DEMO_USERNAME = "demo-admin"
DEMO_STAFF = (
    "headteacher", "attendance-lead", "teacher", "designated-teacher", "governor", "la-officer",
    "vs-head", "vs-advisor", "social-worker", "social-worker-2", "iro", "cic-nurse",
    "team-manager", "dpo", "administrator",
)
SIGN_IN_URL = "http://127.0.0.1:8000/sign-in/"

REPLACED_IN_ORDER = (
    *CARE_TABLES,
    *CASEWORK_TABLES,
    *PEOPLE_TABLES,
    MarkChange, MarkNote, MarkSource, RegisterYearSource, RegisterYear, MarkBatch, Enrolment, Pupil,
    CalendarEntry, School, LocalAuthority,
)
"""Every table the demo fills, dependants first."""


def build_demo(
    *, seed: int, today: dt.date, pupils: int = 3000, echo: Callable[[str], object] = print
) -> str:
    """Replace everything in the database with the demo; return how to sign in to look at it."""
    started = time.perf_counter()
    demo = generate(seed=seed, today=today, pupils=pupils)
    echo(f"Generated {len(demo.pupils):,} pupils and {len(demo.registers):,} register years "
         f"({time.perf_counter() - started:.1f}s)")
    with transaction.atomic():
        _clear()
        school_ids = _write_schools(demo)
        echo(f"Wrote {len(school_ids)} schools and their calendars")
        enrolment_ids = _write_roll(demo, school_ids)
        echo(f"Wrote {len(enrolment_ids):,} enrolments")
        load_register_years(
            rows=[(enrolment_ids[r.enrolment_key], r.academic_year, r.marks) for r in demo.registers],
            source=MarkBatch.Source.DEMO,
            description=f"Demo registers, seed {seed}, marks to {today:%d %B %Y}",
        )
        notes = _write_minutes_late(demo, enrolment_ids)
        echo(f"Loaded {len(demo.registers):,} register years ({notes:,} late arrivals timed)")
        _record_corrections(demo, enrolment_ids)
        echo(f"Recorded {len(demo.corrections)} corrections with their history")
        plant_data_quality_problems(today=today, echo=echo)
        password = _demo_user()
        people = _people(demo, today, password)
        plant_statutory_demo(today=today, echo=echo)
        echo(f"Gave {len(people)} invented staff their roles, classes and children")
        adopt_demo_policies(LocalAuthority.objects.get(code=demo.home.code))
        shift = plant_targeting_shift(today=today)  # before the year's run, which reads it once
        evaluate_demo_year(today, echo)
        plant_care_demo(today=today, echo=echo)
        plant_care_data_problems(today=today, echo=echo)
        plant_targeting_demo(today=today, echo=echo, shift=shift)
        app_key = give_demo_authenticator([DEMO_USERNAME, *(p.username for p in people)])
    summary = _summary(demo, password, app_key, time.perf_counter() - started)
    return summary + "\n" + _people_summary(people)


def _people(demo: Demo, today: dt.date, password: str) -> list[DemoPerson]:
    """Staff in every role for the home authority; the demo's own user administers it."""
    authority = LocalAuthority.objects.get(code=demo.home.code)
    people = create_demo_people(authority=authority, today=today, password=password, seed=demo.seed)
    administration = Organisation.objects.get(kind="local_authority", local_authority=authority)
    assign_role(
        user=get_user_model().objects.get(username=DEMO_USERNAME), role=Role.ADMINISTRATOR,
        organisation=administration, starts=slots.year_start(slots.academic_year(today)),
    )
    return people


def _people_summary(people: list[DemoPerson]) -> str:
    return (
        "\nEach role has a demo account with the same password, seeing only what that role sees:\n"
        + describe_people(people)
    )


def _clear() -> None:
    """Delete every row of the demo's tables. Mark history is append-only (`MarkChange` refuses
    deletes), but the demo replaces the whole database, history included, so it deletes with
    plain SQL; nothing else may."""
    with connection.cursor() as cursor:
        for model in REPLACED_IN_ORDER:
            cursor.execute(f"DELETE FROM {connection.ops.quote_name(model._meta.db_table)}")
    get_user_model().objects.filter(username__in=[DEMO_USERNAME, *DEMO_STAFF]).delete()


def _write_schools(demo: Demo) -> dict[str, int]:
    authorities = {
        a.code: LocalAuthority.objects.create(code=a.code, name=a.name) for a in demo.authorities
    }
    ids = {}
    for plan in demo.schools:
        school = School.objects.create(
            urn=plan.urn, name=plan.name, local_authority=authorities[plan.la_code], phase=plan.phase,
            am_register_opens=plan.times.am_opens, am_register_closes=plan.times.am_closes,
            pm_register_opens=plan.times.pm_opens, pm_register_closes=plan.times.pm_closes,
        )
        ids[plan.urn] = school.pk
        CalendarEntry.objects.bulk_create(
            CalendarEntry(
                school=school, start=e.start, end=e.end, kind=str(e.kind),
                session=str(e.session) if e.session else "", label=e.label,
            )
            for e in demo.calendars[plan.urn].entries
        )
    return ids


def _write_roll(demo: Demo, school_ids: dict[str, int]) -> dict[int, int]:
    """Pupils and enrolments; returns the database id of each demo enrolment key."""
    pupils = Pupil.objects.bulk_create(
        [
            Pupil(
                upn=p.upn, legal_surname=p.legal_surname, legal_forename=p.legal_forename,
                preferred_name=p.preferred_name, date_of_birth=p.date_of_birth, sex=p.sex,
                nc_year=p.nc_year, looked_after=p.looked_after, care_authority=p.care_authority,
                previously_looked_after=p.previously_looked_after,
                has_social_worker=p.has_social_worker, sen=p.sen, fsm=p.fsm,
            )
            for p in demo.pupils
        ],
        batch_size=1000,
    )
    if any(p.pk is None for p in pupils):  # a database that does not return ids from bulk inserts
        pk_of = dict(Pupil.objects.values_list("upn", "pk"))
        pupil_ids = [pk_of[p.upn] for p in demo.pupils]
    else:
        pupil_ids = [p.pk for p in pupils]
    enrolments = Enrolment.objects.bulk_create(
        [
            Enrolment(
                pupil_id=pupil_ids[e.pupil_key], school_id=school_ids[e.school_urn], start=e.start,
                end=e.end, registration=e.registration,
            )
            for e in demo.enrolments
        ],
        batch_size=1000,
    )
    if any(e.pk is None for e in enrolments):
        pk_of = {
            (p, s, start): pk
            for pk, p, s, start in Enrolment.objects.values_list("pk", "pupil_id", "school_id", "start")
        }
        return {
            e.key: pk_of[(pupil_ids[e.pupil_key], school_ids[e.school_urn], e.start)]
            for e in demo.enrolments
        }
    return {e.key: row.pk for e, row in zip(demo.enrolments, enrolments, strict=True)}


def _write_minutes_late(demo: Demo, enrolment_ids: dict[int, int]) -> int:
    register_ids = {
        (enrolment, year): pk
        for pk, enrolment, year in RegisterYear.objects.values_list("pk", "enrolment_id", "academic_year")
    }
    notes = [
        MarkNote(
            register_year_id=register_ids[(enrolment_ids[r.enrolment_key], r.academic_year)],
            slot=slot, minutes_late=minutes,
        )
        for r in demo.registers
        for slot, minutes in r.minutes_late
    ]
    MarkNote.objects.bulk_create(notes, batch_size=5000)
    return len(notes)


def _record_corrections(demo: Demo, enrolment_ids: dict[int, int]) -> None:
    """Each correction as the school would make it: one batch, with its reason."""
    for correction in demo.corrections:
        day, session = slots.date_of(correction.academic_year, correction.slot)
        record_marks(
            marks=[
                MarkInput(enrolment_ids[correction.enrolment_key], day, session,
                          codes.code(correction.symbol))
            ],
            source=MarkBatch.Source.CORRECTION,
            description="Demo correction",
            reason=correction.reason,
            on_conflict=OnConflict.REPLACE,
        )


def _demo_user() -> str:
    """A superuser to look at the demo with; a new random password every time it is built."""
    password = secrets.token_urlsafe(12)
    get_user_model().objects.create_superuser(DEMO_USERNAME, email="", password=password)
    return password


def _has_secret_key() -> bool:
    try:
        return bool(settings.SECRET_KEY)
    except ImproperlyConfigured:  # Django refuses to read an empty key
        return False


def _summary(demo: Demo, password: str, app_key: str, seconds: float) -> str:
    home = demo.home
    home_schools = [s for s in demo.schools if s.la_code == home.code]
    in_care = demo.children_in_care()
    schools_of = {e.pupil_key: e.school_urn for e in demo.enrolments}
    home_urns = {s.urn for s in home_schools}
    placed_away = sum(1 for p in in_care if schools_of[p.key] not in home_urns)
    first, current = demo.years
    lines = [
        f"Demo built in {seconds:.1f}s (seed {demo.seed}). All names are invented.",
        f"  {home.name} (LA {home.code}): {len(home_schools)} schools; "
        f"{len(demo.schools) - len(home_schools)} schools in {len(demo.authorities) - 1} "
        "neighbouring authorities",
        f"  {len(demo.pupils):,} pupils, {len(demo.enrolments):,} enrolments, "
        f"{len(demo.registers):,} register years: {first}/{(first + 1) % 100:02d} and "
        f"{current}/{(current + 1) % 100:02d} to {demo.today:%d %B %Y}",
        f"  {len(in_care)} children in care looked after by {home.name}, "
        f"{placed_away} of them at schools in other authorities",
        "",
        f"Sign in at {SIGN_IN_URL}",
        f"  username: {DEMO_USERNAME}",
        f"  password: {password}",
        "  then the 6-digit code from an authenticator app (such as Microsoft or Google",
        "  Authenticator) to which you add this key (time based):",
        f"    {app_key}",
        "  No phone? While the demo runs with MUSTER_DEBUG=true, this prints the current code",
        "  (demo accounts only; each code works once, a new one comes every 30 seconds):",
        f"    MUSTER_DEBUG=true .venv/bin/muster demo-code {DEMO_USERNAME}",
        "  Every demo account below has this password and this key.",
    ]
    if not _has_secret_key():
        lines.append("Start the server with: MUSTER_DEBUG=true muster serve")
    return "\n".join(lines)
