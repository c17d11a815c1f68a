"""What the sandbox costs: `docker-grader run examples/full-marks` now and before it, side by side.

    python bench/sandbox.py [--runs 5] [--baseline REV]

The baseline is the grader as it was before `run` confined the CLI and put the API boundary,
the network namespace, userns-remap and the cgroup limits in place (commit 2258907 by
default), checked out into a temporary git worktree. Both versions run as commands, from the
same Python, alternately, so that the machine's load is the same for both; each figure is
the median of the runs. Also measures the lab's cold start (`Lab.up()`) of the current tree.
Prints a table and writes bench/out/sandbox.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BASELINE = "2258907"
RUN = (
    "import sys; sys.path.insert(0, sys.argv[1]); from checks.cli import main; "
    "sys.exit(main(['run', sys.argv[1] + '/examples/full-marks', '--exercises', sys.argv[1] + '/exercises', '--format', 'json', '--output', sys.argv[2]]))"
)


def timed_run(tree: Path, scratch: Path) -> float:
    result = scratch / "result.json"
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", RUN, str(tree), str(result)], capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    document = json.loads(result.read_text())
    if done.returncode != 0 or document["score"] != document["max_score"]:
        raise SystemExit(f"{tree}: the full-marks example did not get full marks:\n{done.stderr[-2000:]}")
    return elapsed


def cold_start(scratch: Path) -> float:
    """bench/lab.py's measure: a cold `Lab.up()` of the current tree, then down."""
    sys.path[:0] = [str(ROOT), str(ROOT / "bench")]
    import lab as lab_bench

    return lab_bench.cold_start(scratch)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--baseline", default=BASELINE, help=f"the revision to compare with (default: {BASELINE})")
    args = parser.parse_args()
    scratch = Path(tempfile.mkdtemp(prefix="dgbs-", dir="/tmp"))
    before = scratch / "baseline"
    subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", str(before), args.baseline], check=True, capture_output=True)
    samples: dict[str, list[float]] = {"run, before the sandbox (s)": [], "run, sandboxed (s)": [], "lab cold start (s)": []}
    try:
        for _ in range(args.runs):
            samples["run, before the sandbox (s)"].append(timed_run(before, scratch))
            samples["run, sandboxed (s)"].append(timed_run(ROOT, scratch))
            samples["lab cold start (s)"].append(cold_start(scratch))
    finally:
        subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(before)], capture_output=True)
        shutil.rmtree(scratch, ignore_errors=True)
    medians = {name: statistics.median(values) for name, values in samples.items()}
    ratio = medians["run, sandboxed (s)"] / medians["run, before the sandbox (s)"]
    print(f"{'measure':<30} {'median':>8} {'min':>8} {'max':>8}")
    for name, values in samples.items():
        print(f"{name:<30} {medians[name]:>8.2f} {min(values):>8.2f} {max(values):>8.2f}")
    print(f"{'sandboxed / before':<30} {ratio:>8.2f}   (target: at most 1.15)")
    out = ROOT / "bench" / "out"
    out.mkdir(exist_ok=True)
    meta = {
        "machine": platform.machine(), "cpus": os.cpu_count(), "python": platform.python_version(),
        "load": os.getloadavg(), "baseline": args.baseline, "runs": args.runs,
    }
    document = {"meta": meta, "samples": samples, "medians": medians, "ratio": ratio}
    (out / "sandbox.json").write_text(json.dumps(document, indent=2) + "\n")


if __name__ == "__main__":
    main()
