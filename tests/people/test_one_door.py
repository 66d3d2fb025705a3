"""No screen, command or API reads children's records except through the scoping layer.

STYLE.md, "One door to each record": a lint check bans Pupil.objects.get/filter in views, API
and CLI; here the shells (the command line, views, admin screens and API modules) may not name a
pupil-record manager at all. They call muster.people.access, or actions and reports given a
query set from it.
"""

from __future__ import annotations

import re
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src" / "muster"
SHELLS = [
    *SRC.glob("cli/*.py"),
    *SRC.glob("*/views.py"),
    *SRC.glob("*/views/*.py"),
    *SRC.glob("*/api.py"),
    *SRC.glob("*/api/*.py"),
    *SRC.glob("*/admin.py"),
]
FORBIDDEN = re.compile(r"\b(Pupil|Enrolment|RegisterYear|MarkNote|MarkChange|Allocation|Involvement)\.objects\b")


def test_the_shells_reach_pupils_only_through_the_scoping_layer():
    assert SHELLS, "no shell modules found: the check would prove nothing"
    offences = [
        f"{path.relative_to(SRC)}:{n}: {line.strip()}"
        for path in SHELLS
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if FORBIDDEN.search(line)
    ]
    assert not offences, "use muster.people.access instead:\n" + "\n".join(offences)
