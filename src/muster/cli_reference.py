"""The command-line reference in docs/cli.md, generated from the commands' own help.

Run `python -m muster.cli_reference > docs/cli.md` after changing a command; a test fails when
the file and the help differ, so the reference cannot drift (as datasette's cog blocks do).
"""

from __future__ import annotations

import click
from click.testing import CliRunner

from muster.cli import main as muster


def _commands(group: click.Group, prefix: tuple[str, ...]) -> list[tuple[str, ...]]:
    found = []
    for name in sorted(group.commands):
        command = group.commands[name]
        found.append((*prefix, name))
        if isinstance(command, click.Group):
            found += _commands(command, (*prefix, name))
    return found


def render() -> str:
    runner = CliRunner()
    parts = [
        "# The `muster` command\n",
        "Generated from each command's `--help` by `python -m muster.cli_reference`; do not edit.\n",
    ]
    for path in [(), *_commands(muster, ())]:
        result = runner.invoke(muster, [*path, "--help"], prog_name="muster", terminal_width=100)
        title = " ".join(("muster", *path))
        parts.append(f"## `{title}`\n\n```\n{result.output.rstrip()}\n```\n")
    return "\n".join(parts)


if __name__ == "__main__":
    print(render(), end="")
