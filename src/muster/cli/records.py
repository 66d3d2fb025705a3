"""`muster records`, `muster backup` and `muster restore`: records management."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from muster.cli.common import acting_user, django_setup, parse_date
from muster.cli.common import today as london_today


@click.group()
def records() -> None:
    """Records management: register retention, subject access exports and who wrote each mark."""


@records.command(name="retention")
@click.option("--on", callback=parse_date, help="Apply retention as on this day, YYYY-MM-DD (default: today).")
@click.option("--dry-run", is_flag=True, help="Report what would be anonymised and change nothing.")
def retention(on: dt.date | None, dry_run: bool) -> None:
    """Anonymise leavers whose register retention period has passed.

    Every register entry is kept at least 6 years (SI 2024/208; policy file
    retention/register_years.yaml). A leaver is a pupil with no open enrolment;
    their record is kept whole for the period after their last day on roll, then
    names, date of birth (to 1 September of its school year), UPN and free-text
    comments are removed. Marks and figures stay, for statistics. The report
    lists records by number and last day on roll, never by name. Running it
    again changes nothing more.

    Example: muster records retention --on 2032-09-01 --dry-run
    """
    django_setup()
    from muster.records.anonymisation import anonymise_leavers

    try:
        report = anonymise_leavers(on=on or london_today(), dry_run=dry_run)
    except ValueError as error:
        raise click.ClickException(str(error)) from None
    for line in report.lines():
        click.echo(line)


@records.command(name="fold-sources")
def fold_sources() -> None:
    """Fold the log of who wrote each mark into one batch per session slot.

    Every write of marks appends, for each register year it touched, the slots
    it wrote and its batch; a whole authority's morning is 100,000 small rows.
    Run this daily, after the registers close: it gathers each register year's
    log into one batch id per slot, so the record of who wrote each mark stays
    a few kilobytes a year however many writes there were. Nothing anyone reads
    changes: each mark keeps the batch that wrote it. Running it again changes
    nothing more.

    Example: muster records fold-sources
    """
    django_setup()
    from muster.registers.provenance import fold

    click.echo(f"{fold():,} log rows folded")


@records.command(name="subject-access")
@click.argument("upn")
@click.option(
    "--out", required=True, type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="The zip file to write.",
)
@click.option(
    "--as", "acting_as", metavar="USERNAME",
    help="Export as this member of staff (a data protection officer): only a child their roles "
    "may export, and the audit log names them. Without it the export is the operator's.",
)
def subject_access(upn: str, out: Path, acting_as: str | None) -> None:
    """Everything held about one child, as a zip for a subject access request.

    The zip holds a readable HTML document (details, schools, every register
    week by week with what the codes mean, figures per school year, minutes late
    and comments, every change to a mark with who, when and why, and the audit
    log entries about the child), the same as JSON, and CSV files. Read it before
    sending: comments are included as staff wrote them.

    Example: muster records subject-access Y802400025101 --out subject-access.zip --as dpo
    """
    django_setup()
    from muster.records.subject_access import pupil_with_upn
    from muster.records.subject_access_export import write_subject_access_zip

    user = _staff(acting_as)
    if user is None:
        pupil = pupil_with_upn(upn)
    else:
        from muster.core.roles import Action, RecordKind
        from muster.people import access

        try:
            pupil = access.access_pupil_by_upn(user, upn.strip().upper(), Action.EXPORT, RecordKind.PUPIL)
        except access.NotFound:
            pupil = None
    if pupil is None:
        raise click.ClickException(f"no pupil with UPN {upn}")
    names = write_subject_access_zip(
        pupil, out, today=london_today(), user=user, source="muster records subject-access"
    )
    click.echo(f"{out}: {len(names)} files about pupil {pupil.upn} ({', '.join(names)})")


_staff = acting_user


@click.command()
@click.argument("file", type=click.Path(dir_okay=False, writable=True, path_type=Path))
def backup(file: Path) -> None:
    """Back up the whole database (from DATABASE_URL) to FILE.

    SQLite is copied with its online backup API, consistent while Muster runs;
    PostgreSQL with pg_dump in its custom format (the PostgreSQL client tools
    must be installed). The file says which kind of database it came from. It
    holds every child's records: keep it as safe as the database.

    Example: muster backup /srv/backups/muster-2026-07-31.backup
    """
    django_setup()
    from muster.records.audit_trail import record_if_audited
    from muster.records.backup import BackupError
    from muster.records.backup import backup as back_up

    try:
        manifest = back_up(file)
    except BackupError as error:
        raise click.ClickException(str(error)) from None
    record_if_audited(
        user=None, action="export", record_kind="database", record_id=manifest.name,
        summary=f"Backed up the whole database to {file.name}", source="muster backup",
    )
    click.echo(f"{file}: {manifest.describe()}")


@click.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def restore(file: Path, yes: bool) -> None:
    """Replace everything in the database (from DATABASE_URL) with the backup in FILE.

    Asks first unless --yes. A backup is restored only into the kind of database
    it came from (SQLite or PostgreSQL). On PostgreSQL every object in the
    backup is dropped and recreated in one transaction (pg_restore --clean
    --if-exists), so a failed restore changes nothing.

    Example: muster restore /srv/backups/muster-2026-07-31.backup --yes
    """
    django_setup()
    from muster.records.audit_trail import record_if_audited
    from muster.records.backup import BackupError, check_restorable, database_name
    from muster.records.backup import restore as put_back

    try:
        manifest = check_restorable(file)
        if not yes:
            click.confirm(
                f"Replace everything in {database_name()} with {manifest.describe()}?",
                abort=True,
            )
        put_back(file)
    except BackupError as error:
        raise click.ClickException(str(error)) from None
    record_if_audited(
        user=None, action="change", record_kind="database", record_id=database_name(),
        summary=f"Restored the whole database from {file.name} ({manifest.created_at})",
        source="muster restore",
    )
    click.echo(f"Restored {database_name()} from {manifest.describe()}.")
