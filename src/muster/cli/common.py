"""What every command shares: Django set-up, dates, output as a table, CSV or JSON."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os

import click


def django_setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "muster.settings")
    import django

    django.setup()


def today() -> dt.date:
    """Today in England, where the registers are taken."""
    from zoneinfo import ZoneInfo

    return dt.datetime.now(tz=ZoneInfo("Europe/London")).date()


def acting_user(username: str | None, *, required: bool = False, param_hint: str = "--as"):
    """The active member of staff a command acts as (`--as`), or None for the operator."""
    if username is None:
        if required:
            raise click.BadParameter("name the member of staff", param_hint=param_hint)
        return None
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.filter(username=username, is_active=True).first()
    if user is None:
        raise click.BadParameter(f"no active user {username!r}", param_hint=param_hint)
    return user


def parse_date(ctx, param, value):
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date in the form YYYY-MM-DD") from None



def emit(rows: list[dict], columns: tuple[str, ...], output: str) -> None:
    if output == "json":
        click.echo(json.dumps(rows, indent=1))
    elif output == "csv":
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=columns, extrasaction="ignore", lineterminator="\n")
        writer.writeheader()
        writer.writerows({k: ("" if v is None else v) for k, v in r.items()} for r in rows)
        click.echo(buffer.getvalue(), nl=False)
    else:
        click.echo(table(rows, columns))


def table(rows: list[dict], columns: tuple[str, ...]) -> str:
    def text(value) -> str:
        if value is None:
            return "-"
        if isinstance(value, bool):
            return "yes" if value else "no"
        if isinstance(value, float):
            return f"{value:.2f}"
        return str(value)

    cells = [[text(r.get(c)) for c in columns] for r in rows]
    widths = [max([len(c)] + [len(row[i]) for row in cells]) for i, c in enumerate(columns)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True))]
    for row in cells:
        lines.append("  ".join(v.rjust(w) if v[:1].isdigit() else v.ljust(w)
                               for v, w in zip(row, widths, strict=True)))
    lines.append(f"({len(rows)} {'row' if len(rows) == 1 else 'rows'})")
    return "\n".join(lines)


