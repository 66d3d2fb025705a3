"""The `muster` command: set up, import, report, demo, serve, benchmark.

Each command is a thin shell over the actions and reports in the Django apps; no rule lives
here. Each group of commands has its own module, added to the main group below.
"""

from __future__ import annotations

import click

from muster.cli import (  # noqa: F401
    accounts,
    api,
    audit,
    casework,
    imports,
    interop,
    leave,
    letters,
    people,
    policy,
    records,
    reports,
    setup,
    statutory,
    targeting,
)
from muster.cli import care as care_cli


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(package_name="muster")
def main() -> None:
    """Muster: school attendance registers, figures and the work that follows.

    The database is SQLite in ./var unless DATABASE_URL names another
    (sqlite:///path or postgres://user@host:port/name).
    """


for command in (
    setup.migrate,
    imports.import_,
    reports.report,
    people.people,
    records.records,
    records.backup,
    records.restore,
    audit.audit,
    policy.policy,
    interop.lint,
    interop.export,
    interop.care_matches,
    interop.history,
    interop.notify,
    statutory.first_day,
    statutory.penalty_notices,
    statutory.returns,
    statutory.lateness,
    letters.letters,
    leave.leave,
    leave.part_time,
    targeting.backtest,
    targeting.at_risk,
    targeting.xmr,
    targeting.targeting,
    casework.evaluate,
    casework.explain,
    casework.tasks,
    care_cli.care,
    setup.demo,
    accounts.demo_code,
    setup.serve,
    setup.bench,
    setup.manage,
    api.api,
):
    main.add_command(command)


if __name__ == "__main__":
    main()
