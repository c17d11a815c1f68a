"""Benchmark of the offline lab: cold start until ready (images seeded), and `run` of the full-marks example.

    python bench/lab.py [--runs 5]

Prints a table and writes bench/out/lab.json. Each figure is the median of the runs,
measured in one process on this machine; docs/performance.md quotes its output.
"""

from __future__ import annotations

import argparse
import json
import platform
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from checks import exercises, runner  # noqa: E402
from checks.lab import Lab  # noqa: E402

TARGETS = {"lab cold start (s)": 5.0, "run full-marks (s)": 10.0}


def cold_start(scratch: Path) -> float:
    lab = Lab("bench", scratch / "bench")
    started = time.perf_counter()
    lab.up()
    elapsed = time.perf_counter() - started
    lab.down()
    return elapsed


def run_full_marks(course) -> float:
    started = time.perf_counter()
    report = runner.run(ROOT / "examples" / "full-marks", course)
    elapsed = time.perf_counter() - started
    assert report.score == report.max_score, "the full-marks example did not get full marks"
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    course = exercises.load([ROOT / "exercises"])
    scratch = Path(tempfile.mkdtemp(prefix="dgb-", dir="/tmp"))
    samples = {"lab cold start (s)": [], "run full-marks (s)": []}
    try:
        for _ in range(args.runs):
            samples["lab cold start (s)"].append(cold_start(scratch))
            samples["run full-marks (s)"].append(run_full_marks(course))
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    results = {
        name: {"median": statistics.median(values), "min": min(values), "max": max(values), "target": TARGETS[name], "runs": len(values)}
        for name, values in samples.items()
    }
    print(f"{'measure':<22} {'median':>8} {'min':>8} {'max':>8} {'target':>8}")
    for name, row in results.items():
        print(f"{name:<22} {row['median']:>8.2f} {row['min']:>8.2f} {row['max']:>8.2f} {row['target']:>8.1f}")
    out = ROOT / "bench" / "out"
    out.mkdir(exist_ok=True)
    meta = {"machine": platform.machine(), "cpus": __import__("os").cpu_count(), "python": platform.python_version()}
    (out / "lab.json").write_text(json.dumps({"meta": meta, "results": results}, indent=2) + "\n")


if __name__ == "__main__":
    main()
