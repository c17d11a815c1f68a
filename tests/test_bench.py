"""The benchmark runs, on a small daemon: every approach at each size, the same verdicts, a constant
number of requests for the grader, the state matrix where the filtered version parts ways, and the
report files (Markdown, JSON, plot)."""

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
        assert all(row[name]["agrees"] for name in bench.PEERS), row
        assert row[bench.FLOOR]["requests"] == 2
    grader = [row[bench.GRADER]["requests"] for row in report["rows"]]
    assert grader == [5, 5]
    naive = [row[bench.DOCKERPY_NAIVE]["requests"] for row in report["rows"]]
    assert naive[1] - naive[0] >= 12  # an inspect per container
    sparse = [row[bench.DOCKERPY]["requests"] for row in report["rows"]]
    assert sparse[0] == sparse[1]  # lists, then only what the checks select
    assert report["targets"][0][1] is True
    lesson, hello_removed, committed, alpine_removed = report["matrix"]
    for row in report["matrix"]:
        assert row[bench.DOCKERPY] == row[bench.TESTINFRA] == row[bench.DOCKERPY_NAIVE] == [], row
    assert lesson[bench.FILTERED] == []  # the lesson's own state: the filters agree
    # The filter finds no container of an image that is gone, and finds the committed image's as hello-world's.
    assert "remove-containers::no-container-left" in hello_removed[bench.FILTERED]
    assert "run-hello-world::container-created" in committed[bench.FILTERED]
    assert alpine_removed[bench.FILTERED] == ["pull-alpine::not-run"]
    text = (tmp_path / "compare.md").read_text()
    assert "| containers | docker-grader | floor (raw HTTP) | docker-py | docker-py filtered | testinfra |" in text
    assert "State matrix" in text
    assert (tmp_path / "compare.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert text in capsys.readouterr().out
