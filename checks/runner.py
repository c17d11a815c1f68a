"""``docker-grader run``: a student's command files graded, exercise by exercise, in a fresh lab.

    fresh lab → for each exercise in lesson order: starting state → its commands → snapshot → grade
    → the lab is torn down, also on failure or Ctrl-C
"""

from __future__ import annotations

import shutil
import signal
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from checks import submission
from checks.daemon import DaemonClient, Endpoint, read_snapshot
from checks.errors import GraderError
from checks.exercises import Exercise
from checks.grading import grade_exercise
from checks.lab import Lab, Progress, quiet
from checks.lab import start as start_state
from checks.messages import msg
from checks.results import CheckOutcome, ExerciseOutcome, Report, Result


def run(
    folder: Path,
    exercises: list[Exercise],
    timeout: float = submission.DEFAULT_TIMEOUT,
    progress: Progress = quiet,
    lab: Lab | None = None,
) -> Report:
    """Grades a submission folder. A lab given is used as it is; otherwise a fresh one is made and removed."""
    files = submission.find_files(folder, exercises)
    started = time.monotonic()
    own_lab = lab is None
    scratch = Path(tempfile.mkdtemp(prefix="dg-run-"))
    lab = lab or Lab(f"run-{scratch.name[-8:].lower().replace('_', '-')}", scratch / "lab")
    previous = signal.signal(signal.SIGTERM, _interrupt) if own_lab else None
    outcomes: list[ExerciseOutcome] = []
    try:
        if own_lab:
            # Its "how to use this lab" line would mislead: this lab is gone when the run ends.
            lab.up([image for exercise in exercises for image in exercise.images], lambda m: m.key == "lab.ready" or progress(m))
        for exercise in exercises:
            progress(msg("run.exercise", id=exercise.id))
            outcomes.append(_grade_one(exercise, files.get(exercise.id), lab, scratch, timeout))
    except GraderError as error:
        return Report(tuple(outcomes), time.monotonic() - started, error.message, error.exit_code, lab.host, tuple(exercises))
    finally:
        if own_lab:
            lab.down(progress)
            signal.signal(signal.SIGTERM, previous)
        shutil.rmtree(scratch, ignore_errors=True)  # the commands' working folder, also with a lab given
    return Report(tuple(outcomes), time.monotonic() - started, endpoint=lab.host, planned=tuple(exercises))


def _grade_one(exercise: Exercise, path: Path | None, lab: Lab, scratch: Path, timeout: float) -> ExerciseOutcome:
    start_state.apply(exercise.start, lab.host)
    error = None
    runs: tuple = ()
    if path is None:
        error = msg("submission.missing")
    else:
        command_file = submission.read_file(path)
        runs = submission.run(command_file, lab.environment(), scratch, timeout)
        if command_file.refused:
            first = command_file.refused[0]
            error = msg("submission.refused", line=first.line, reason=first.refused)
        elif any(r.timed_out for r in runs):
            error = msg("submission.timeout", line=next(r.line for r in runs if r.timed_out), seconds=f"{timeout:g}")
    with DaemonClient(Endpoint(lab.host, "lab")) as client:
        outcome = grade_exercise(exercise, read_snapshot(client), commands=runs, error=error)
    if error is not None and error.key == "submission.refused":
        # A refused file scores 0, whatever state the lab was left in.
        failed = tuple(CheckOutcome(c.check, Result(False, error)) for c in outcome.checks)
        outcome = replace(outcome, checks=failed)
    return outcome


def _interrupt(signum, frame):
    raise KeyboardInterrupt
