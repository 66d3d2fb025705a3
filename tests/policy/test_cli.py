"""`muster policy check`: findings per file; exit 1 on an error, 0 when only warnings."""

from __future__ import annotations

from click.testing import CliRunner

from muster.cli import main as muster
from tests.policy.support import band, document, write


def run(*args):
    return CliRunner().invoke(muster, ["policy", "check", *args])


def test_the_shipped_policies_pass_and_seed_003_gaps_are_printed():
    result = run()
    assert result.exit_code == 0, result.output
    assert "seed_003.yaml: vs-levels-of-intervention-absence: 0 error(s), 2 warning(s)" in result.output
    assert ("warning: bands: after bands[2] 'level_3', before bands[3] 'level_4': the source "
            "document defines no band for absence more than 10% up to and including 15% "
            "(10%, 15%]") in result.output
    assert "no band for absence exactly 0% [0%, 0%]" in result.output
    for name in ("attendance.yaml", "penalty_notice_framework.yaml", "seed_001.yaml", "seed_002.yaml"):
        assert f"{name}: " in result.output and "ok" in result.output


def test_a_gap_alone_does_not_fail(tmp_path):
    path = write(tmp_path, document(bands=[band("a", 0, True, 80, True)], interventions=[]))
    result = run(str(path))
    assert result.exit_code == 0
    assert "0 error(s), 1 warning(s)" in result.output


def test_an_overlap_fails(tmp_path):
    path = write(tmp_path, document(bands=[band("a", 0, True, 80, True), band("b", 80, True, 100, True)],
                                    interventions=[]))
    result = run(str(path))
    assert result.exit_code == 1
    assert "error: bands[0], bands[1]: bands 'a' and 'b' overlap: attendance exactly 80%" in result.output


def test_a_file_that_does_not_load_fails_naming_the_file_and_key(tmp_path):
    data = document()
    data["bands"][0]["upper"]["value"] = 120
    good = write(tmp_path, document(), name="good.yaml")
    bad = write(tmp_path, data, name="bad.yaml")
    result = run(str(good), str(bad), str(tmp_path / "missing.yaml"))
    assert result.exit_code == 1
    assert f"{good}: test-policy: ok" in result.output
    assert f"error: {bad}: bands[0].upper.value: 120 is not a percentage from 0 to 100" in result.output
    assert "missing.yaml: cannot read" in result.output
