"""`muster people`: keeping who works with which children current."""

from __future__ import annotations

import datetime as dt

import click

from muster.cli.common import django_setup, parse_date, today


@click.group()
def people() -> None:
    """Roles, allocations and the local authority's involvements."""


@people.command(name="refresh-involvements")
@click.option("--on", "day", callback=parse_date, help="The day to evaluate (default: today).")
def refresh_involvements(day: dt.date | None) -> None:
    """Open an involvement for each pupil of each authority's schools who is persistently or
    severely absent this school year to date, and end those no longer so.

    An LA attendance officer reaches exactly the pupils with a current involvement (referred,
    PA/SA or in a statutory workflow), so run this daily, after the registers close.

    Example: muster people refresh-involvements --on 2026-11-27
    """
    django_setup()
    from muster.audit.log import record_event
    from muster.people.actions import refresh_absence_involvements
    from muster.registers.models import LocalAuthority

    day = day or today()
    for authority in LocalAuthority.objects.filter(schools__isnull=False).distinct().order_by("code"):
        opened, ended = refresh_absence_involvements(local_authority=authority, on=day)
        record_event(user=None, action="change", record_kind="involvement",
                     summary=f"{authority.name}: {opened} involvements opened, {ended} ended on {day}",
                     source="muster people refresh-involvements")
        click.echo(f"{authority.name} ({authority.code}): {opened} opened, {ended} ended")
