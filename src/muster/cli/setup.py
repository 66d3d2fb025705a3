"""Setting up and running Muster: migrate, demo, serve, bench, manage."""

from __future__ import annotations

import datetime as dt
import os

import click

from muster.cli.common import django_setup, parse_date
from muster.cli.common import today as london_today


@click.command()
def migrate() -> None:
    """Create or update the database tables.

    Example: DATABASE_URL=sqlite:///muster.sqlite3 muster migrate
    """
    django_setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=1)


@click.command()
@click.option("--seed", default=2025, show_default=True, help="Random seed: the same seed gives the same data.")
@click.option("--today", callback=parse_date, help="Build marks up to this day (default: today).")
@click.option("--pupils", "n_pupils", default=3000, show_default=True, help="About how many pupils.")
@click.option("--serve/--no-serve", default=False, help="Start the web server afterwards.")
def demo(seed: int, today: dt.date | None, n_pupils: int, serve: bool) -> None:
    """Build the demo: an invented local authority, its schools, pupils and two years of marks.

    Replaces everything in the database named by DATABASE_URL (default ./var).
    All names are invented.

    Example: muster demo --seed 7 --serve
    """
    django_setup()
    from muster.registers.demo import build_demo

    summary = build_demo(seed=seed, today=today or london_today(), pupils=n_pupils, echo=click.echo)
    click.echo(summary)
    if serve:
        _serve("127.0.0.1:8000")


@click.command()
@click.option("--address", default="127.0.0.1:8000", show_default=True)
def serve(address: str) -> None:
    """Run the web server (for the demo and local use).

    Example: MUSTER_DEBUG=true muster serve
    """
    django_setup()
    _serve(address)


def _serve(address: str) -> None:
    from django.conf import settings
    from django.core.management import call_command

    if not settings.SECRET_KEY:
        raise click.ClickException(
            "set MUSTER_SECRET_KEY (or MUSTER_SECRET_KEY_FILE), or MUSTER_DEBUG=true for local use"
        )
    call_command("runserver", address, use_reloader=False)


@click.command()
@click.option("--pupils", "n_pupils", default=100_000, show_default=True)
@click.option("--repeat", default=5, show_default=True, help="Timed runs of each engine; the best is kept.")
@click.option("--skip-database", is_flag=True, help="Only the in-memory engines.")
def bench(n_pupils: int, repeat: int, skip_database: bool) -> None:
    """Time the figures and penalty-notice engine on a generated local-authority year.

    Compares with DuckDB SQL over the same marks as one long table, in the same
    run, and times the whole recomputation from a fresh SQLite database.

    Example: muster bench --pupils 100000
    """
    from muster.bench import run

    run(n_pupils=n_pupils, repeat=repeat, database=not skip_database, echo=click.echo)


@click.command(context_settings={"ignore_unknown_options": True, "allow_extra_args": True})
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
def manage(args: tuple[str, ...]) -> None:
    """Run a Django management command (createsuperuser, check, shell, ...).

    Example: muster manage createsuperuser
    """
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "muster.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["muster manage", *args])


