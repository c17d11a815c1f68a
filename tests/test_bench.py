"""The benchmark runs, on a small daemon: all four approaches at each size, the same verdicts, a
constant number of requests for the grader, and the report files (Markdown, JSON, plot)."""

from __future__ import annotations

import importlib.util
import json

from conftest import ROOT


def load_bench():
    spec = importlib.util.spec_from_file_location("bench_compare", ROOT / "bench" / "compare.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_bench_compare_on_a_small_daemon(tmp_path, capsys):
    bench = load_bench()
    assert bench.main(["--sizes", "0", "12", "--images", "3", "--runs", "1", "--out", str(tmp_path)]) == 0
    report = json.loads((tmp_path / "compare.json").read_text())
    assert [row["containers"] for row in report["rows"]] == [0, 12]
    for row in report["rows"]:
        for name in bench.ORDER:
            # Measured, not stopped by the budget; times themselves are the benchmark's to report,
            # not a test's to assert (a loaded machine makes any bound on them flaky).
            assert not row[name]["stopped"] and row[name]["runs"] == 1, (name, row)
            assert row[name]["requests"] >= 2 and row[name]["peak_mib"] > 0, (name, row)
        assert row[bench.DOCKERPY]["agrees"] and row[bench.TESTINFRA]["agrees"]
        assert row[bench.FLOOR]["requests"] == 2
    grader = [row[bench.GRADER]["requests"] for row in report["rows"]]
    assert grader == [5, 5]
    docker_py = [row[bench.DOCKERPY]["requests"] for row in report["rows"]]
    assert docker_py[1] - docker_py[0] >= 12  # an inspect per container
    assert report["targets"][0][1] is True
    text = (tmp_path / "compare.md").read_text()
    assert "| containers | docker-grader | floor (raw HTTP) | docker-py | testinfra |" in text
    assert (tmp_path / "compare.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert text in capsys.readouterr().out
