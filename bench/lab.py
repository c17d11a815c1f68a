"""Benchmark of `run`: the full-marks example as a command, against the same docker commands run straight
against a lab that is already up, side by side; and a submission that leaves a container running
against one that does not.

    python bench/lab.py [--runs 5]
    python bench/lab.py --profile [--runs 3]    # where run's time goes, phase by phase (bench/run_profile.py)
    python bench/lab.py --against REV [--runs 3]  # and REV's `run full-marks` too, in the same rounds

Each round runs, one after another: a cold `lab up` + `lab down`; `docker-grader run examples/full-marks`
as a command; the 15 docker commands of examples/full-marks, in lesson order, straight against a lab
kept up (emptied first); and two one-exercise submissions that differ only in their last line,
`docker run alpine:3.14 true` (quiet) or `docker run -d alpine:3.14 sleep 600` (busy, left running).
Prints medians and ratios and writes bench/out/lab.json; docs/performance.md quotes its output.
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
sys.path.insert(0, str(ROOT))

from checks import exercises, submission  # noqa: E402
from checks.lab import Lab  # noqa: E402

FULL_MARKS = ROOT / "examples" / "full-marks"
TARGETS = {"run ÷ docker commands": 1.5, "busy ÷ quiet": 1.0}


def timed(argv: list[str], env: dict | None = None, check: bool = True, cwd: Path = ROOT) -> float:
    started = time.perf_counter()
    subprocess.run(argv, env=env, check=check, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=cwd)
    return time.perf_counter() - started


def cold_start(scratch: Path) -> float:
    lab = Lab("bench", scratch / "bench")
    started = time.perf_counter()
    lab.up()
    elapsed = time.perf_counter() - started
    lab.down()
    return elapsed


def lesson_commands() -> list[list[str]]:
    """The full-marks example's commands, in lesson order, as argv lists."""
    course = exercises.load([ROOT / "exercises"])
    files = submission.command_files(FULL_MARKS, course)
    commands = []
    for exercise in course:
        commands += [line.split() for line in files[exercise.id].read_text().splitlines() if line.strip()]
    return commands


def straight(lab: Lab, commands: list[list[str]]) -> float:
    """The commands run against a lab already up, emptied first (not timed)."""
    env = {**os.environ, **lab.environment()}
    subprocess.run(["sh", "-c", 'docker rm -f $(docker ps -aq) >/dev/null 2>&1; docker rmi -f $(docker images -q) >/dev/null 2>&1; true'],
                   env=env, check=False)
    started = time.perf_counter()
    for argv in commands:
        subprocess.run(argv, env=env, check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - started


def submissions(scratch: Path) -> dict[str, Path]:
    folders = {}
    for name, line in (("quiet", "docker run alpine:3.14 true"), ("busy", "docker run -d alpine:3.14 sleep 600")):
        folder = scratch / name
        folder.mkdir()
        (folder / "remove-images").write_text(f"docker pull alpine:3.14\n{line}\n")
        folders[name] = folder
    return folders


def profile_run(scratch: Path, runs: int) -> None:
    from bench import run_profile

    kept = Lab("bench-kept", scratch / "kept")
    try:
        commands = lesson_commands()
        kept.up()
        run_profile.profile(FULL_MARKS, runs, lambda: straight(kept, commands))
    finally:
        kept.down()
        shutil.rmtree(scratch, ignore_errors=True)
    load = os.getloadavg()
    print(f"load average as it ended: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}; {len(commands)} docker commands; {runs} rounds")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--profile", action="store_true", help="where run's time goes, phase by phase (bench/run_profile.py)")
    parser.add_argument("--against", metavar="REV", help="also time `run full-marks` of this revision (a temporary git worktree) in each round")
    args = parser.parse_args()
    scratch = Path(tempfile.mkdtemp(prefix="dgb-", dir="/tmp"))
    os.chmod(scratch, 0o711)
    if args.profile:
        return profile_run(scratch, args.runs)
    grader = [sys.executable, "-m", "checks", "run"]
    samples: dict[str, list[float]] = {"lab cold start": [], "run full-marks": [], "docker commands": [], "run quiet": [], "run busy": []}
    kept = Lab("bench-kept", scratch / "kept")
    other = scratch / "against"
    if args.against:
        subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", str(other), args.against], check=True, capture_output=True)
        samples[f"run full-marks ({args.against})"] = []
    try:
        folders = submissions(scratch)
        commands = lesson_commands()
        kept.up()
        for _ in range(args.runs):
            samples["lab cold start"].append(cold_start(scratch))
            samples["run full-marks"].append(timed([*grader, str(FULL_MARKS)]))
            samples["docker commands"].append(straight(kept, commands))
            if args.against:
                samples[f"run full-marks ({args.against})"].append(timed([*grader, str(other / "examples" / "full-marks")], cwd=other))
            samples["run quiet"].append(timed([*grader, str(folders["quiet"]), "--exercise", "remove-images"], check=False))
            samples["run busy"].append(timed([*grader, str(folders["busy"]), "--exercise", "remove-images"], check=False))
    finally:
        kept.down()
        if args.against:
            subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(other)], capture_output=True)
        shutil.rmtree(scratch, ignore_errors=True)
    medians = {name: statistics.median(values) for name, values in samples.items()}
    ratios = {
        "run ÷ docker commands": medians["run full-marks"] / medians["docker commands"],
        "busy ÷ quiet": medians["run busy"] / medians["run quiet"],
    }
    if args.against:
        ratios[f"{args.against} ÷ docker commands"] = medians[f"run full-marks ({args.against})"] / medians["docker commands"]
    load = os.getloadavg()
    print(f"{'measure (s)':<30} {'median':>8} {'min':>8} {'max':>8}")
    for name, values in samples.items():
        print(f"{name:<30} {medians[name]:>8.2f} {min(values):>8.2f} {max(values):>8.2f}")
    for name, value in ratios.items():
        print(f"{name:<30} {value:>8.2f}   (target: at most {TARGETS.get(name, TARGETS['run ÷ docker commands'])})")
    print(f"load average as it ended: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}; {len(commands)} docker commands; {args.runs} rounds")
    out = ROOT / "bench" / "out"
    out.mkdir(exist_ok=True)
    meta = {"machine": platform.machine(), "cpus": os.cpu_count(), "python": platform.python_version(), "load_average": load}
    results = {name: {"median": medians[name], "min": min(v), "max": max(v), "runs": len(v)} for name, v in samples.items()}
    (out / "lab.json").write_text(json.dumps({"meta": meta, "results": results, "ratios": ratios}, indent=2) + "\n")


if __name__ == "__main__":
    main()
