"""Benchmark of grading a class: `docker-grader run CLASS --jobs N` at 1, 2 and 4 jobs, side by side.

    python bench/batch.py [--submissions 8] [--jobs 1 2 4]

The class is that many copies of examples/full-marks. For each number of jobs, in one process, it
measures the batch's wall time, submissions per minute, the CPU time (user + system) of the processes
the batch waited for (the runs, their dockerd and docker CLI processes), and so how many of the
machine's cores were busy on average. Writes bench/out/batch.json; docs/performance.md quotes its output.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--submissions", type=int, default=8)
    parser.add_argument("--jobs", type=int, nargs="+", default=[1, 2, 4])
    args = parser.parse_args()
    scratch = Path(tempfile.mkdtemp(prefix="dgb-batch-", dir="/tmp"))
    rows = []
    try:
        folder = scratch / "class"
        for index in range(args.submissions):
            shutil.copytree(ROOT / "examples" / "full-marks", folder / f"student-{index:03d}")
        for jobs in args.jobs:
            results = scratch / f"results-{jobs}"
            cpu, started = children_cpu(), time.perf_counter()
            done = subprocess.run([sys.executable, "-m", "checks", "run", str(folder), "--jobs", str(jobs), "--results", str(results)],
                                  cwd=ROOT, capture_output=True, text=True)
            wall, cpu = time.perf_counter() - started, children_cpu() - cpu
            summary = json.loads((results / "summary.json").read_text())
            passed = sum(line["status"] == "passed" for line in summary)
            rows.append({"jobs": jobs, "seconds": wall, "per_minute": 60 * len(summary) / wall, "cpu_seconds": cpu,
                         "busy_cores": cpu / wall, "passed": passed, "submissions": len(summary), "exit_code": done.returncode,
                         "mean_submission_s": sum(line["duration"] for line in summary) / len(summary)})
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    load = os.getloadavg()
    print(f"{'jobs':>4} {'wall (s)':>9} {'subs/min':>9} {'×1 job':>7} {'CPU (s)':>8} {'cores busy':>10} {'per sub (s)':>11} {'passed':>7}")
    for row in rows:
        speedup = row["per_minute"] / rows[0]["per_minute"]
        print(f"{row['jobs']:>4} {row['seconds']:>9.1f} {row['per_minute']:>9.1f} {speedup:>7.2f} {row['cpu_seconds']:>8.1f} "
              f"{row['busy_cores']:>10.2f} {row['mean_submission_s']:>11.2f} {row['passed']:>4}/{row['submissions']}")
    print(f"{os.cpu_count()} cores; load average as it ended: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    out = ROOT / "bench" / "out"
    out.mkdir(exist_ok=True)
    meta = {"machine": platform.machine(), "cpus": os.cpu_count(), "python": platform.python_version(), "load_average": load}
    (out / "batch.json").write_text(json.dumps({"meta": meta, "rows": rows}, indent=2) + "\n")


if __name__ == "__main__":
    main()
