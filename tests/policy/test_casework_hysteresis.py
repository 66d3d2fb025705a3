"""The band-edge hysteresis figures (`policies/national/casework/`) are Muster decisions recorded
as dated data, and the seed 004 words they rest on are on the lines they cite."""

from __future__ import annotations

import re

import pytest

from muster.core.parameters import national
from tests.policy.test_shipped import SEEDS

HYSTERESIS = ("better_band_after_school_days", "return_within_school_days")
SEED_004 = "004_0b9030c5ba367bc0.txt"
QUOTE = re.compile(r'seed 004 line (\d+)[^"]{0,20}"([^"]+)"')


@pytest.mark.parametrize("name", HYSTERESIS)
def test_each_hysteresis_figure_is_a_dated_muster_decision_in_school_days(name):
    parameter = national("casework", name)
    assert parameter.unit == "school days"
    assert all(entry.reference.startswith("Muster decision: ") for entry in parameter.entries)
    assert isinstance(parameter.value_on(parameter.entries[0].start), int)


@pytest.mark.parametrize("name", HYSTERESIS)
def test_each_seed_004_line_cited_for_hysteresis_holds_the_words_quoted(name):
    if not SEEDS.exists():
        pytest.fail(f"the seeds must be beside the project at {SEEDS} (shared/seeds)")
    lines = (SEEDS / SEED_004).read_text(encoding="utf-8").splitlines()
    parameter = national("casework", name)
    text = " ".join([parameter.description, *(entry.reference for entry in parameter.entries)])
    quotes = QUOTE.findall(" ".join(text.split()))
    assert quotes, f"{name} cites no line of seed 004"
    for line, words in quotes:
        assert words in lines[int(line) - 1], f"{name}: {words!r} not on seed 004 line {line}"
