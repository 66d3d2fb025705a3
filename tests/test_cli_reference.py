"""docs/cli.md must say what the commands' own help says (STYLE.md: docs that cannot drift)."""

import re
from pathlib import Path

import click
import pytest

from muster.cli import main as muster
from muster.cli_reference import render

DOC = Path(__file__).resolve().parents[1] / "docs" / "cli.md"


def leaf_commands(group=muster, prefix=()):
    for name, command in sorted(group.commands.items()):
        if isinstance(command, click.Group):
            yield from leaf_commands(command, (*prefix, name))
        else:
            yield (*prefix, name), command


def test_the_cli_reference_matches_the_commands_help():
    assert DOC.read_text(encoding="utf-8") == render(), (
        "docs/cli.md is out of date: run `.venv/bin/python -m muster.cli_reference > docs/cli.md`"
    )


@pytest.mark.parametrize("path,command", list(leaf_commands()), ids=lambda v: " ".join(v) if isinstance(v, tuple) else "")
def test_every_command_has_an_example(path, command):
    assert re.search(r"Example: (\S+=\S+ )*muster ", command.help or ""), f"muster {' '.join(path)} has no example"
