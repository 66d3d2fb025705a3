"""`muster policy`: check attendance policy files (bands and interventions as data)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from muster.cli.common import django_setup, parse_date


@click.group()
def policy() -> None:
    """Attendance policies: bands of attendance or absence and the interventions for each."""


@policy.command(name="check")
@click.argument("files", nargs=-1, type=click.Path(dir_okay=False, path_type=Path))
def policy_check(files: tuple[Path, ...]) -> None:
    """Validate policy files: the shipped ones, or the FILES given.

    Reports, per file, errors and warnings with the key they concern. Errors: a file that does
    not keep to the format (unknown or missing keys, wrong types, bad or duplicate keys,
    percentages outside 0-100), overlapping or unreachable bands, interventions naming a band
    or role that does not exist, tasks due within 0 or fewer school days, dates out of order.
    Warnings: gaps, figures that no band covers. A gap is a property of the source document
    (seed 003 has no band for absence more than 10% up to 15%), which Muster reports rather
    than fills, so a gap alone does not fail the check.

    Exits 1 if any file has an error, 0 otherwise.

    Example: muster policy check src/muster/policies/virtual_school/seed_003.yaml
    """
    from muster.core.policy import PolicyError, check_policy, load_policy, shipped_policy_paths

    paths = list(files) or shipped_policy_paths()
    failed = False
    for path in paths:
        try:
            loaded = load_policy(path)
        except PolicyError as error:
            click.echo(f"{path}: 1 error")
            click.echo(f"  error: {error}")
            failed = True
            continue
        except OSError as error:
            click.echo(f"{path}: 1 error")
            click.echo(f"  error: {path}: cannot read ({error.strerror})")
            failed = True
            continue
        findings = check_policy(loaded)
        errors = sum(1 for f in findings if f.severity == "error")
        warnings = len(findings) - errors
        failed = failed or errors > 0
        summary = "ok" if not findings else f"{errors} error(s), {warnings} warning(s)"
        click.echo(f"{path}: {loaded.id}: {summary}")
        for finding in findings:
            click.echo(f"  {finding}")
    sys.exit(1 if failed else 0)


@policy.command(name="adopt")
@click.argument("policy_id")
@click.option("--organisation", "organisation_name", required=True,
              help="The school, local authority or Virtual School that uses it (its name in Muster).")
@click.option("--from", "starts", required=True, callback=parse_date, help="First day it applies, YYYY-MM-DD.")
def policy_adopt(policy_id: str, organisation_name: str, starts) -> None:
    """Record that an organisation uses a shipped policy from a day: its pupils (as the policy's
    `covers` says: the school's roll, the authority's schools or children in care) are then
    evaluated under it by `muster evaluate`.

    Example: muster policy adopt vs-attendance-processes-matrix --organisation "Kestermoor Virtual School" --from 2025-06-01
    """
    django_setup()
    from muster.casework.actions import adopt_policy
    from muster.people.models import Organisation

    organisation = Organisation.objects.filter(name=organisation_name).first()
    if organisation is None:
        raise click.BadParameter(f"no organisation named {organisation_name!r}", param_hint="--organisation")
    try:
        adoption = adopt_policy(policy_id=policy_id, organisation=organisation, starts=starts)
    except ValueError as error:
        raise click.ClickException(str(error)) from None
    click.echo(str(adoption))


@policy.command(name="whatif")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--organisation", "organisation_name",
              help="Whose pupils: the organisation that would use the draft (not for national policies).")
@click.option("--from", "first", required=True, callback=parse_date, help="First day of the past period.")
@click.option("--to", "last", required=True, callback=parse_date, help="Last day of the past period.")
@click.option("--against", "baseline_id", metavar="ID",
              help="Compare with this shipped policy (default: the one with the draft's id, if any).")
def policy_whatif(file: Path, organisation_name: str | None, first, last, baseline_id: str | None) -> None:
    """Run a draft policy (or a copy with a changed threshold) over a past period, saving
    nothing: how many pupils land in each band on the last day, who moves compared with the
    policy in use, and how many tasks it would have created.

    Example: muster policy whatif draft.yaml --organisation "Kestermoor Virtual School" --from 2025-09-01 --to 2026-07-17
    """
    django_setup()
    from muster.casework.whatif import run_whatif
    from muster.core.policy import PolicyError, check_policy, load_policy
    from muster.people.models import Organisation

    try:
        draft = load_policy(file)
    except PolicyError as error:
        raise click.ClickException(str(error)) from None
    for finding in check_policy(draft):
        click.echo(f"  {finding}")
    organisation = None
    if organisation_name:
        organisation = Organisation.objects.filter(name=organisation_name).first()
        if organisation is None:
            raise click.BadParameter(f"no organisation named {organisation_name!r}", param_hint="--organisation")
    if last < first:
        raise click.BadParameter("--to is before --from")
    try:
        result = run_whatif(draft, organisation=organisation, first=first, last=last, baseline_id=baseline_id)
    except ValueError as error:
        raise click.ClickException(str(error)) from None
    click.echo(result.report())
