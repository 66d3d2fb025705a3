"""`muster import ctf|ssda903` and `muster lint`: data from other systems, and checks on the data.

The import commands join the `muster import` group; each is a thin shell over
`muster.interop.actions`, and a rejected file prints every problem with its place in the file.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from muster.cli.common import acting_user, django_setup, emit, parse_date, today
from muster.cli.imports import import_


def _report_rejection(name: str, rejected) -> None:
    for error in rejected.errors:
        click.echo(str(error), err=True)
    click.echo(f"{name} rejected: {len(rejected.errors)} error(s); nothing was changed.", err=True)
    sys.exit(1)


def _report_result(result) -> None:
    for notice in result.notices:
        click.echo(f"notice: {notice}", err=True)
    click.echo(result.summary())


@import_.command(name="ctf")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_ctf(file: Path) -> None:
    """Import a Common Transfer File (XML) from a pupil's previous school.

    Reads the header (CTFversion, or CTFVersion with a warning), each pupil's identity,
    contacts, SEN history and attendance YearData totals, kept as prior-school history. The
    AttendanceMarks string is stored verbatim and never decoded (its encoding is not
    published). An unknown CTF version is a warning; malformed XML or a bad value rejects the
    whole file, naming the element path and line. A pupil already held must match the file's
    date of birth and surname; a pupil not held is created, to be enrolled by the school.

    Example: muster import ctf transfer-in.xml
    """
    django_setup()
    from muster.core.exchange.csv_file import FileRejected
    from muster.interop.actions import import_ctf as run

    try:
        result = run(path=file, today=today())
    except FileRejected as rejected:
        _report_rejection(file.name, rejected)
    _report_result(result)


@import_.command(name="ssda903")
@click.argument("files", nargs=-1, required=True,
                type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--authority", required=True, metavar="LA",
              help="The 3-digit code of the local authority whose return it is.")
def import_ssda903(files: tuple[Path, ...], authority: str) -> None:
    """Import a children-looked-after (SSDA903) return: who is looked after, and when.

    Give the Header and Episodes CSV files (each recognised by its columns; the
    return's other tables are recognised and left out) or the one XML file. Each
    child is joined to a pupil by UPN; a child without one (UN1-UN5), or with a UPN
    that does not match a pupil held, waits in the matching queue: never a guess.
    A matched pupil is marked looked after by the authority while their latest
    episode is open. Any bad row rejects the whole return; nothing changes.

    Example: muster import ssda903 header.csv episodes.csv --authority 938
    """
    django_setup()
    from muster.core.exchange.csv_file import FileRejected
    from muster.interop.actions import import_ssda903 as run

    try:
        result = run(paths=list(files), authority=authority, today=today())
    except FileRejected as rejected:
        _report_rejection(", ".join(f.name for f in files), rejected)
    _report_result(result)


@click.command(name="lint")
@click.option("--school", "school_urn", metavar="URN", help="Only this school's registers and pupils.")
@click.option("--as", "acting_as", metavar="USERNAME",
              help="Check as this member of staff: only the registers and pupils their roles "
              "reach. Without it the operator's check covers everything.")
@click.option("--date", "on", callback=parse_date, help="Check as on this day (default today), YYYY-MM-DD.")
@click.option("--format", "output", type=click.Choice(["table", "csv", "json"]), default="table",
              show_default=True)
def lint(school_urn: str | None, acting_as: str | None, on, output: str) -> None:
    """List data-quality problems: each names the rule, the pupil and the session.

    Rules: sessions not yet marked, N not resolved within 5 school days, marks
    on closed days or outside the enrolment, codes withdrawn in 2024, dual
    registrations without their pair, and duplicate pupils (same name and date
    of birth, two UPNs). Each finding says where it is put right. Checks whose
    data Muster does not hold yet are listed as not run. Exits with status 1
    when anything is found.

    Example: muster lint --school 990102 --as attendance-lead
    """
    django_setup()

    from muster.interop.data_checks import check_data

    user = acting_user(acting_as)
    report = check_data(user=user, today=on or today(), school_urn=school_urn)
    rows = [
        {"rule": f.rule.value, "upn": f.upn, "pupil": report.names.get(f.upn, ""),
         "school": f.school_urn, "date": f.day.isoformat() if f.day else "", "session": f.session,
         "detail": f.detail, "fix_in": f.fixed_in}
        for f in report.findings
    ]
    emit(rows, ("rule", "upn", "pupil", "school", "date", "session", "detail", "fix_in"), output)
    for name, why in report.skipped.items():
        click.echo(f"not checked: {name}: {why}", err=True)
    if rows:
        sys.exit(1)


@click.group(name="export")
def export() -> None:
    """Figures for analysts as CSV or Parquet, in DfE's published-statistics column names."""


def _export_options(command):
    options = [
        click.option("--from", "first", required=True, callback=parse_date, help="First day, YYYY-MM-DD."),
        click.option("--to", "last", required=True, callback=parse_date, help="Last day, YYYY-MM-DD."),
        click.option("--school", "school_urn", metavar="URN", help="Only this school."),
        click.option("--la", "la_code", metavar="CODE", help="Only schools of this local authority."),
        click.option("--children-in-care", "looked_after", is_flag=True, help="Only children in care."),
        click.option("--format", "output", type=click.Choice(["csv", "parquet"]), default="csv",
                     show_default=True),
        click.option("--out", type=click.Path(dir_okay=False, path_type=Path),
                     help="Write to this file (needed for parquet); CSV goes to standard output "
                     "without it."),
        click.option("--as", "acting_as", metavar="USERNAME",
                     help="Export as this member of staff: only what their roles reach. Without "
                     "it the export is the operator's, over every pupil."),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def _run_export(kind: str, first, last, school_urn, la_code, looked_after, output, out, acting_as) -> None:
    django_setup()

    from muster.interop import exports

    if last < first:
        raise click.BadParameter("--to is before --from")
    if output == "parquet" and out is None:
        raise click.BadParameter("parquet is binary: name a file with --out", param_hint="--out")
    user = acting_user(acting_as)
    function, columns = {
        "pupils": (exports.pupil_export, exports.PUPIL_COLUMNS),
        "schools": (exports.school_export, exports.SCHOOL_COLUMNS),
    }[kind]
    try:
        rows = function(first=first, last=last, user=user, school_urn=school_urn, la_code=la_code,
                        looked_after=looked_after)
    except exports.NotAllowed as refused:
        raise click.ClickException(str(refused)) from None
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="--school") from None
    if output == "parquet":
        exports.write_parquet(rows, columns, out)
        click.echo(f"{out}: {len(rows)} rows", err=True)
    elif out is not None:
        out.write_text(exports.write_csv(rows, columns), encoding="utf-8")
        click.echo(f"{out}: {len(rows)} rows", err=True)
    else:
        click.echo(exports.write_csv(rows, columns), nl=False)


@export.command(name="pupils")
@_export_options
def export_pupils(**options) -> None:
    """Pupil-level figures: one row per pupil on roll in the period, all their schools pooled.

    Example: muster export pupils --from 2025-09-01 --to 2026-07-31 --children-in-care --format parquet --out cic.parquet
    """
    _run_export("pupils", **options)


@export.command(name="schools")
@_export_options
def export_schools(**options) -> None:
    """School-level figures: one row per school, its enrolments pooled as DfE counts them.

    Example: muster export schools --from 2025-09-01 --to 2026-07-31 --la 938 --format csv
    """
    _run_export("schools", **options)


@click.group(name="care-matches")
def care_matches() -> None:
    """Children of SSDA903 returns that wait to be matched to a pupil by a person."""


@care_matches.command(name="list")
@click.option("--authority", metavar="LA", help="Only this authority's children.")
def care_matches_list(authority: str | None) -> None:
    """List the children waiting: no UPN in the return (UN1-UN5), a UPN not held, or a
    UPN whose date of birth differs from the pupil held.

    Example: muster care-matches list --authority 938
    """
    django_setup()
    from muster.audit.log import record_event
    from muster.interop.care_queue import waiting

    rows = [
        {"authority": m.authority, "child": m.child_id, "upn_given": m.upn_given,
         "date_of_birth": m.date_of_birth.isoformat(), "sex": m.sex, "why": m.get_reason_display(),
         "episodes": len(m.episodes),
         "first_episode": m.episodes[0]["start"] if m.episodes else ""}
        for m in waiting(authority)
    ]
    record_event(user=None, action="list", record_kind="care_match",
                 summary=f"Listed {len(rows)} children waiting to be matched", source="muster care-matches")
    emit(rows, ("authority", "child", "upn_given", "date_of_birth", "sex", "why", "episodes",
                "first_episode"), "table")


@care_matches.command(name="match")
@click.argument("authority")
@click.argument("child")
@click.argument("upn")
@click.option("--reason", required=True, help="How the child was identified; kept on record.")
@click.option("--as", "acting_as", metavar="USERNAME", help="The member of staff who matched.")
def care_matches_match(authority: str, child: str, upn: str, reason: str, acting_as: str | None) -> None:
    """Match a waiting child to the pupil with this UPN: their episodes are stored and
    their care status set, with who matched them and why on record.

    Example: muster care-matches match 938 C1003 A938200119003 --reason "Confirmed with the social worker" --as vs-head
    """
    django_setup()

    from muster.interop.actions import NoSuchMatch, match_queued_child

    user = acting_user(acting_as)
    try:
        match_queued_child(authority=authority, child_id=child, upn=upn, reason=reason,
                           today=today(), user=user)
    except (NoSuchMatch, ValueError) as problem:
        raise click.ClickException(str(problem)) from None
    click.echo(f"CHILD {child} of LA {authority} matched to {upn}")


@click.command(name="history")
@click.argument("upn")
@click.option("--as", "acting_as", metavar="USERNAME",
              help="View as this member of staff: refused unless their roles reach the pupil.")
def history(upn: str, acting_as: str | None) -> None:
    """Show what other systems told Muster about a pupil, as JSON: prior schools' attendance
    from Common Transfer Files (the marks string verbatim, never decoded), SEN history,
    contacts, and care episodes from SSDA903 returns.

    Example: muster history A938200119001 --as vs-head
    """
    django_setup()
    import json

    from muster.interop.history import pupil_history
    from muster.people.access import NotFound

    user = acting_user(acting_as)
    try:
        click.echo(json.dumps(pupil_history(upn=upn, user=user), indent=1, ensure_ascii=False))
    except NotFound:
        raise click.ClickException(f"no pupil {upn} that you may see") from None


@click.group(name="notify")
def notify() -> None:
    """Messages to families through GOV.UK Notify, with each school's own templates."""


@notify.command(name="first-day")
@click.option("--school", "school_urn", required=True, metavar="URN", help="The school whose calling list it is.")
@click.option("--on", "on", callback=parse_date, help="The day of absence (default today), YYYY-MM-DD.")
@click.option("--session", type=click.Choice(["AM", "PM"], case_sensitive=False), default="AM", show_default=True)
@click.option("--dry-run", is_flag=True, help="List the messages that would go; send and record nothing.")
@click.option("--as", "acting_as", metavar="USERNAME",
              help="Send as this member of staff (only the pupils their roles reach).")
@click.option("--format", "output", type=click.Choice(["table", "csv", "json"]), default="table",
              show_default=True)
def notify_first_day(school_urn: str, on, session: str, dry_run: bool, acting_as: str | None, output: str) -> None:
    """Send the first-day absence message to the family of each pupil on the calling list
    whom nobody has reached yet: an SMS to the first contact with a mobile, else an email,
    with the school's Notify templates. Each message sent is logged as a contact. With no
    Notify key set for the school (the demo) each is recorded as "would have sent".

    Example: muster notify first-day --school 990102 --as attendance-lead --dry-run
    """
    django_setup()
    from muster.core.slots import Session
    from muster.interop import notify as messages
    from muster.registers.models import School

    school = School.objects.filter(urn=school_urn).first()
    if school is None:
        raise click.BadParameter(f"no school {school_urn!r}", param_hint="--school")
    try:
        rows = messages.send_first_day_messages(school=school, day=on or today(), session=Session(session.upper()),
                                                by=acting_user(acting_as), dry_run=dry_run)
    except messages.NotifyNotSet as why:
        raise click.ClickException(str(why)) from None
    emit(rows, ("upn", "kind", "recipient", "contact", "template_id", "status", "skipped"), output)


@notify.command(name="status")
@click.option("--school", "school_urn", required=True, metavar="URN")
@click.option("--as", "acting_as", metavar="USERNAME", help="Record the check as this member of staff.")
def notify_status(school_urn: str, acting_as: str | None) -> None:
    """Read back from Notify the delivery status of the school's messages still on their way,
    and record it on each message and its line in the contact log.

    Example: muster notify status --school 990102
    """
    django_setup()
    from muster.interop import notify as messages
    from muster.registers.models import School

    school = School.objects.filter(urn=school_urn).first()
    if school is None:
        raise click.BadParameter(f"no school {school_urn!r}", param_hint="--school")
    checked = messages.record_delivery_statuses(school=school, by=acting_user(acting_as))
    for m in checked:
        click.echo(f"{m.pupil.upn} {m.kind} {m.notification_id}: {m.status}")
    click.echo(f"{len(checked)} message(s) checked")


@notify.command(name="letter")
@click.argument("letter_id", type=int)
@click.option("--as", "acting_as", metavar="USERNAME",
              help="Send as this member of staff (only letters of the pupils whose registers they reach).")
def notify_letter(letter_id: int, acting_as: str | None) -> None:
    """Email a merged letter (`muster letters list` gives its number) to the family's first
    contact with an email address, as a file to download through Notify, with the school's
    letter template. With no Notify key set for the school (the demo) it is recorded as
    "would have sent".

    Example: muster notify letter 1 --as attendance-lead
    """
    django_setup()
    from muster.interop import notify as messages
    from muster.statutory.models import Letter

    letter = Letter.objects.select_related("pupil", "school").filter(pk=letter_id).first()
    try:
        if letter is None:
            raise Letter.DoesNotExist
        message = messages.send_letter_by_email(letter=letter, by=acting_user(acting_as))
    except Letter.DoesNotExist:
        raise click.ClickException(f"no letter {letter_id}") from None
    except messages.NotifyNotSet as why:
        raise click.ClickException(str(why)) from None
    click.echo(f"{letter.pupil.upn} {letter.kind} letter to {message.recipient}: {message.status}")
