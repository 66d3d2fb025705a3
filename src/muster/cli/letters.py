"""`muster letters`: merge a letter for a pupil from a Word template, list and save letters.

Thin shell over `muster.statutory.letters.merge`. A merge acts as a named member of staff
(`--as`), whose roles must reach the pupil's registers.
"""

from __future__ import annotations

from pathlib import Path

import click

from muster.cli.common import acting_user, django_setup, emit, parse_date, today
from muster.cli.reports import _audit
from muster.core.roles import Action, RecordKind

KIND_NAMES = ("below_96", "meeting_invitation", "notice_to_improve", "penalty_notice_request",
              "evidence_pack")


@click.group()
def letters() -> None:
    """Letters to families and the local authority, merged per pupil (issue 4 item 7)."""


@letters.command(name="templates")
@click.option("--out", "out", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Folder to write the editable .docx templates to.")
def templates(out: Path) -> None:
    """Write Muster's templates for staff to edit in Word or LibreOffice; the tags in {{ }} are
    filled in when a letter is merged, and `muster letters upload` puts an edited one in use.

    Example: muster letters templates --out letter-templates
    """
    from muster.statutory.letters.templates import write_templates

    for path in write_templates(out):
        click.echo(path)


@letters.command(name="upload")
@click.argument("kind", type=click.Choice(KIND_NAMES))
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--as", "acting_as", required=True, metavar="USERNAME", help="Who uploads it.")
def upload(kind, path, acting_as) -> None:
    """Use an edited template for this kind of letter from now on.

    Example: muster letters upload below_96 below_96.docx --as attendance-lead
    """
    django_setup()
    from muster.people import access
    from muster.statutory.letters.merge import LetterError, upload_template

    user = acting_user(acting_as, required=True)
    if not access.can(user, RecordKind.REGISTER, Action.CHANGE):
        raise click.ClickException(f"{user.username}'s roles do not allow changing letters")
    try:
        uploaded = upload_template(kind=kind, path=path, by=user)
    except LetterError as problem:
        raise click.ClickException(str(problem)) from None
    click.echo(f"{uploaded} is now used for {kind} letters.")


def _pupil_for(user, upn: str, action: Action):
    from muster.people import access

    pupils = access.pupils_visible_to(user, action, RecordKind.REGISTER)
    pupil = pupils.filter(upn=upn).first()
    if pupil is None:  # the same answer whether the pupil is out of reach or unknown
        raise click.ClickException(f"no pupil {upn} within {user.username}'s reach")
    return pupil


@letters.command(name="merge")
@click.option("--template", "kind", required=True, type=click.Choice(KIND_NAMES),
              help="Which letter.")
@click.option("--pupil", "upn", required=True, help="The pupil's UPN.")
@click.option("--as", "acting_as", required=True, metavar="USERNAME", help="Who sends it.")
@click.option("--school", "school_urn", help="The school writing (URN); default the pupil's latest.")
@click.option("--on", "on", callback=parse_date, help="The letter's date (default today).")
@click.option("--file", "template_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Merge this .docx instead of the template in use.")
@click.option("--set", "extra", multiple=True, metavar="NAME=VALUE",
              help="A value for the template's extra.NAME, e.g. --set meeting_on=2026-12-03.")
@click.option("--pdf", is_flag=True, help="Also make the PDF with LibreOffice.")
@click.option("--out", "out", type=click.Path(file_okay=False, path_type=Path),
              help="Also save the .docx (and .pdf) in this folder.")
def merge(kind, upn, acting_as, school_urn, on, template_file, extra, pdf, out) -> None:
    """Merge a letter for one pupil with their figures, contacts and school, and keep it on
    the pupil's record.

    Example: muster letters merge --template below_96 --pupil A123456789012 --as attendance-lead --pdf
    """
    django_setup()
    from muster.cli.reports import _school
    from muster.people import access
    from muster.statutory.letters.merge import LetterError, merge_letter

    user = acting_user(acting_as, required=True)
    if not access.can(user, RecordKind.REGISTER, Action.CHANGE):
        raise click.ClickException(f"{user.username}'s roles do not allow writing letters")
    pupil = _pupil_for(user, upn, Action.CHANGE)
    day = on or today()
    school = _school(school_urn) if school_urn else None
    if school is None:
        latest = pupil.enrolments.filter(start__lte=day).select_related("school").order_by("-start").first()
        if latest is None:
            raise click.ClickException(f"{upn} is on no school's roll on {day}")
        school = latest.school
    values = {}
    for item in extra:
        name, sep, value = item.partition("=")
        if not sep or not name.isidentifier():
            raise click.BadParameter(f"{item!r} is not NAME=VALUE", param_hint="--set")
        values[name] = value
    try:
        letter = merge_letter(kind=kind, pupil=pupil, school=school, on=day, by=user, pdf=pdf,
                              template=template_file, extra=values)
    except LetterError as problem:
        raise click.ClickException(str(problem)) from None
    click.echo(f"Letter {letter.pk}: {letter} ({letter.template})")
    if out is not None:
        _save(letter, out)


def _save(letter, out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"{letter.filename}.docx"
    path.write_bytes(bytes(letter.docx))
    click.echo(path)
    if letter.pdf:
        path = out / f"{letter.filename}.pdf"
        path.write_bytes(bytes(letter.pdf))
        click.echo(path)


LETTER_COLUMNS = ("id", "upn", "school_urn", "kind", "template", "created_by", "created_at", "pdf")


@letters.command(name="list")
@click.option("--pupil", "upn", help="Only this pupil's letters.")
@click.option("--as", "acting_as", required=True, metavar="USERNAME")
@click.option("--format", "output", type=click.Choice(["table", "csv", "json"]), default="table",
              show_default=True)
def list_letters(upn, acting_as, output) -> None:
    """The letters kept on pupils' records.

    Example: muster letters list --pupil A123456789012 --as attendance-lead
    """
    django_setup()
    from muster.people import access
    from muster.statutory.models import Letter

    user = acting_user(acting_as, required=True)
    action = Action.LIST if output == "table" else Action.EXPORT
    pupils = access.pupils_visible_to(user, action, RecordKind.REGISTER)
    found = Letter.objects.filter(pupil__in=pupils.values("pk")).select_related("pupil", "school")
    if upn:
        found = found.filter(pupil__upn=upn)
    rows = [
        {"id": x.pk, "upn": x.pupil.upn, "school_urn": x.school.urn, "kind": x.kind,
         "template": x.template, "created_by": x.created_by_name,
         "created_at": x.created_at.isoformat(timespec="seconds"), "pdf": "yes" if x.pdf else "no"}
        for x in found
    ]
    _audit(acting_as, output, RecordKind.REGISTER, f"letters, {len(rows)} listed")
    emit(rows, LETTER_COLUMNS, output)


@letters.command(name="save")
@click.argument("letter_id", type=int)
@click.option("--out", "out", required=True, type=click.Path(file_okay=False, path_type=Path))
@click.option("--as", "acting_as", required=True, metavar="USERNAME")
def save(letter_id, out, acting_as) -> None:
    """Write a kept letter's .docx (and PDF, if made) to a folder.

    Example: muster letters save 12 --out letters --as attendance-lead
    """
    django_setup()
    from muster.people import access
    from muster.statutory.models import Letter

    user = acting_user(acting_as, required=True)
    pupils = access.pupils_visible_to(user, Action.EXPORT, RecordKind.REGISTER)
    letter = Letter.objects.filter(pk=letter_id, pupil__in=pupils.values("pk")).first()
    if letter is None:
        raise click.ClickException(f"no letter {letter_id} within {user.username}'s reach")
    _audit(acting_as, "csv", RecordKind.REGISTER, f"letter {letter_id} of {letter.pupil.upn} saved")
    _save(letter, out)
