"""`muster audit`: check the audit log's hash chain and apply its retention period."""

from __future__ import annotations

import sys

import click

from muster.cli.common import django_setup


@click.group()
def audit() -> None:
    """The audit log: verify that no entry was changed or removed; remove entries past retention."""


@audit.command(name="verify")
def audit_verify() -> None:
    """Check every entry against its hash and the one before it.

    Exits 0 when the chain is intact and 1 when it is not, naming the first entry that fails
    and why (changed, missing, or a link broken). The check is itself recorded in the log.

    Example: muster audit verify
    """
    django_setup()
    from muster.audit.log import record_event
    from muster.audit.models import Action
    from muster.audit.verify import verify_chain

    result = verify_chain()
    record_event(
        user=None, action=Action.VERIFY, record_kind="audit", source="muster audit verify",
        summary=result.report().splitlines()[0],
        after={"ok": result.ok, "checked": result.checked, "first_bad": result.first_bad},
    )
    click.echo(result.report())
    sys.exit(0 if result.ok else 1)


@audit.command(name="prune")
@click.option("--dry-run", is_flag=True, help="Say what would be removed; change nothing.")
def audit_prune(dry_run: bool) -> None:
    """Remove entries older than the retention period, leaving a checkpoint.

    The period is policy data (policies/national/retention/audit_years.yaml: six years). The
    checkpoint keeps the last removed entry's sequence and hash, so what remains still
    verifies; the removal is recorded in the log.

    Example: muster audit prune --dry-run
    """
    django_setup()
    from muster.audit.retention import prune_expired

    click.echo(prune_expired(dry_run=dry_run, source="muster audit prune").report())
