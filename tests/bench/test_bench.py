"""The benchmark at a tiny size: it runs end to end, the engines agree, the report says what the
issue asks for (ratio, marks per second, peak memory). Never timed: no assertion on speed."""

from __future__ import annotations

import numpy as np
import pytest

from muster import bench, bench_data


@pytest.fixture(scope="module")
def tiny_run() -> tuple[dict, str]:
    lines: list[str] = []
    result = bench.run(n_pupils=2000, repeat=1, database=True, echo=lines.append, postgres_url=None)
    return result, "\n".join(lines)


def test_it_runs_and_the_engines_agree(tiny_run):
    result, text = tiny_run
    assert result["engines_agree"] is True
    assert "engines agree               yes" in text
    assert "figures equal to the in-memory run" in text


def test_it_prints_the_ratio_marks_per_second_and_peak_memory(tiny_run):
    result, text = tiny_run
    lines = text.splitlines()
    assert any(line.startswith("ratio ") and "x faster" in line for line in lines)
    assert any(line.startswith("marks per second") for line in lines)
    assert any(line.startswith("peak memory (Muster)") and "MB" in line for line in lines)
    assert result["ratio"] > 0 and result["marks_per_second"] > 0


def test_it_times_the_recomputation_from_sqlite(tiny_run):
    result, text = tiny_run
    assert result["sqlite_total_seconds"] == pytest.approx(
        result["sqlite_load_seconds"] + result["sqlite_compute_seconds"]
    )
    assert "PostgreSQL                  skipped" in text


def test_a_disagreement_stops_the_run(monkeypatch):
    right = bench.duckdb_sql

    def off_by_one_week(rule, first_week):
        counts, threshold = right(rule, first_week)
        return counts, threshold.replace(f"< {rule.school_weeks}", f"< {rule.school_weeks + 1}")

    monkeypatch.setattr(bench, "duckdb_sql", off_by_one_week)
    lines: list[str] = []
    with pytest.raises(bench.EnginesDisagree):
        bench.run(n_pupils=2000, repeat=1, database=False, echo=lines.append)
    assert any("ENGINES DISAGREE" in line for line in lines)


def test_the_generated_year_is_the_same_for_the_same_seed():
    first, second = bench_data.generate(300, seed=7), bench_data.generate(300, seed=7)
    assert np.array_equal(first.marks, second.marks)
    assert bench_data.open_sessions() == 380


def test_invented_upns_are_valid_and_distinct():
    from stdnum.gb import upn

    numbers = [bench.invented_upn(i) for i in (0, 1, 999, 1000, 99_999, 2_000_000)]
    assert all(upn.is_valid(n) for n in numbers)
    assert len(set(numbers)) == len(numbers)
