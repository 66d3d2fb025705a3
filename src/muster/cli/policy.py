"""`muster policy`: check attendance policy files (bands and interventions as data)."""

from __future__ import annotations

import sys
from pathlib import Path

import click


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
