"""scripts/mutation_score.py: the score of issue 24's target (every kind module and the boundary's
rules) counted from `mutmut results --all true`, and its exit code."""

from __future__ import annotations

import subprocess
import sys

from conftest import ROOT

SCRIPT = ROOT / "scripts" / "mutation_score.py"


def score(*lines: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(SCRIPT)], input="".join(f"    {line}\n" for line in lines),
                          capture_output=True, text=True, timeout=60)


def results(module: str, killed: int, other: int = 0, status: str = "survived") -> list[str]:
    return [f"{module}.x_f__mutmut_{n}: killed" for n in range(killed)] + [
        f"{module}.x_g__mutmut_{n}: {status}" for n in range(other)]


def test_the_target_counts_every_kind_module_and_the_rules_and_nothing_else():
    done = score(*results("checks.kinds.image", 50, 1), *results("checks.kinds", 9, 1), *results("checks.boundary.rules", 38),
                 *results("checks.snapshot", 0, 30), *results("checks.boundary.binds", 0, 5))
    lines = done.stdout.splitlines()
    assert "checks.kinds.image.x_g__mutmut_0: survived" in lines and "checks.snapshot.x_g__mutmut_29: survived" in lines
    assert lines[-1] == f"{'kinds and rules':28}   97/99   killed (98.0%, target 95%)"
    assert lines[-2] == f"{'all':28}   97/134  killed (72.4%)"
    assert done.returncode == 0, done.stderr


def test_below_the_target_or_with_a_target_mutant_not_checked_it_fails():
    for status in ("survived", "no tests", "timeout"):
        done = score(*results("checks.kinds.files", 94, 6, status))
        assert done.stdout.splitlines()[-1] == f"{'kinds and rules':28}   94/100  killed (94.0%, target 95%)"
        assert done.returncode == 1
    assert score(*results("checks.kinds.files", 95, 5)).returncode == 0
    done = score(*results("checks.kinds.files", 95), *results("checks.boundary.rules", 0, 1, "not checked"))
    assert done.stdout.splitlines()[-1] == f"{'kinds and rules':28}   95/95   killed (100.0%, target 95%), 1 not checked"
    assert done.returncode == 1
    assert score(*results("checks.kinds.files", 95), *results("checks.snapshot", 0, 9, "not checked")).returncode == 0


def test_no_results_is_an_error_not_a_score():
    done = score("something else entirely")
    assert (done.returncode, done.stdout) == (2, "")
    assert "no mutant results" in done.stderr
