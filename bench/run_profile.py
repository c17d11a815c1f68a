"""Where `run examples/full-marks` spends its time beyond the bare docker commands: a table of phases.

    python bench/lab.py --profile [--runs 3]

Runs the grader in this process (so the interpreter's start-up and imports are a row of their own,
timed as `python -c 'import checks.cli, checks.runner'` beside it), with a timer around each phase: the lab's start
step by step, preparing the sandbox, the boundary and the event recorder, each exercise's starting
state, its commands (through the sandbox and the boundary), its snapshot and grading and the
killing of what it left running, and the teardown. The same commands run bare, against a lab kept
up, in the same round, so the commands' own cost is beside the grader's. Medians over the rounds.
"""

from __future__ import annotations

import contextlib
import functools
import statistics
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

from checks import events, exercises, runner, submission  # noqa: E402
from checks import sandbox as cli_sandbox  # noqa: E402
from checks.lab import Lab, readiness, remap  # noqa: E402
from checks.lab import images as lab_images  # noqa: E402
from checks.lab import start as start_state  # noqa: E402

# (owner, attribute, phase): each call of owner.attribute counts toward the phase. Phases nest:
# a phase under "lab start" is part of it, shown indented.
PHASES = [
    (Lab, "_up", "lab start"),
    (readiness, "require", "  probes (readiness)"),
    (lab_images, "lab_images", "  course images built (layer cache)"),
    (Lab, "_isolate", "  netns, tmpfs, cgroups"),
    (remap, "create", "  remap user (useradd)"),
    (Lab, "_start_dockerd", "  dockerd spawned"),
    (Lab, "_isolate_registry", "  registry netns, veth, firewall rule"),
    (Lab, "_start_registry", "  registry spawned"),
    (lab_images, "store", "  images stored (registry storage)"),
    (lab_images, "push", "  images pushed (over HTTP)"),
    (cli_sandbox.Sandbox, "prepare", "sandbox prepared (before: mount and copy in one)"),
    (cli_sandbox.Sandbox, "mount", "sandbox mounted"),
    (cli_sandbox.Sandbox, "copy", "submission copied"),
    (runner, "_boundary", "boundary started"),
    (events, "record", "event recorder started"),
    (start_state, "apply", "starting states"),
    (submission, "_run_one", "commands (sandbox + boundary)"),
    (runner, "grade_one", "snapshots and grading"),
    (start_state, "stop_running", "running containers killed"),
    (cli_sandbox.Sandbox, "close", "sandbox closed"),
    (Lab, "_down", "lab teardown"),
]


def _waits(totals: dict[str, float]):
    """Lab._wait_for, timed per part (registry, dockerd)."""
    original = Lab._wait_for

    @functools.wraps(original)
    def timed(self, part, *args, **kwargs):
        started = time.perf_counter()
        try:
            return original(self, part, *args, **kwargs)
        finally:
            totals[f"  wait for {part}"] += time.perf_counter() - started
    return timed


@contextlib.contextmanager
def timers(totals: dict[str, float]):
    """Every phase's function wrapped for the ``with`` block, adding its time to ``totals``."""
    saved = []
    for owner, name, phase in PHASES:
        original = getattr(owner, name, None)
        if original is None:  # a phase of another version of the grader (the profile also runs on older trees)
            continue
        saved.append((owner, name, original))

        def timed(*args, __original=original, __phase=phase, **kwargs):
            started = time.perf_counter()
            try:
                return __original(*args, **kwargs)
            finally:
                totals[__phase] += time.perf_counter() - started
        setattr(owner, name, timed)
    saved.append((Lab, "_wait_for", Lab._wait_for))
    Lab._wait_for = _waits(totals)
    try:
        yield
    finally:
        for owner, name, original in reversed(saved):
            setattr(owner, name, original)


def one_round(folder: Path, course: list, bare: callable) -> dict[str, float]:
    totals: dict[str, float] = defaultdict(float)
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", "import checks.cli, checks.runner"], cwd=ROOT, check=True)
    totals["interpreter start-up and imports"] = time.perf_counter() - started
    for cached in ("_layer", "_busybox_digest"):  # what a fresh `docker-grader run` process has not read yet
        if hasattr(lab_images, cached):
            getattr(lab_images, cached).cache_clear()
    with timers(totals):
        started = time.perf_counter()
        report = runner.run(folder, course)
        totals["run (in process)"] = time.perf_counter() - started
    assert report.score == report.max_score, report
    totals["bare docker commands"] = bare()
    return totals


def profile(folder: Path, runs: int, bare: callable) -> None:
    course = exercises.load([ROOT / "exercises"])
    rounds = [one_round(folder, course, bare) for _ in range(runs)]
    names = [phase for _, _, phase in PHASES]
    after = names.index("  registry spawned") + 1
    names[after:after] = ["  wait for registry", "  wait for dockerd"]
    names = ["interpreter start-up and imports", "run (in process)", *names, "bare docker commands"]
    outer = [n for n in names if not n.startswith(" ") and n not in ("interpreter start-up and imports", "run (in process)", "bare docker commands")]
    for r in rounds:
        r["rest of run (untimed glue)"] = r["run (in process)"] - sum(r.get(n, 0.0) for n in outer)
    names.insert(names.index("bare docker commands"), "rest of run (untimed glue)")
    median = {name: statistics.median(r.get(name, 0.0) for r in rounds) for name in names}
    print(f"{'phase (median of rounds)':<40} {'ms':>8}")
    for name in names:
        print(f"{name:<40} {median[name] * 1000:>8.0f}")
    lines = sum(len(f.read_text().split("\n")) - 1 for f in sorted(folder.iterdir()))
    print(f"{'per line: through the sandbox / bare':<40} {median['commands (sandbox + boundary)'] * 1000 / lines:>8.0f} / {median['bare docker commands'] * 1000 / lines:.0f}")
    whole = median["interpreter start-up and imports"] + median["run (in process)"]
    print(f"{'run as a command, about':<40} {whole * 1000:>8.0f}   ({whole / median['bare docker commands']:.2f}x the bare commands)")
