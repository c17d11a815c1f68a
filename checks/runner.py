"""``docker-grader run``: a student's command files graded, exercise by exercise, in a fresh lab.

    fresh lab → CLI sandbox + API boundary → for each exercise in lesson order:
        starting state → its commands (confined, within the budgets) → snapshot → grade
        → every container still running is killed
    → the lab, sandbox and boundary are torn down, also on failure or Ctrl-C

The submission is hostile: its commands run only inside ``checks.sandbox``, and their only
daemon is the lab behind ``checks.boundary``. The grader's own requests (starting states,
snapshots) go to the lab's dockerd directly.
"""

from __future__ import annotations

import os
import shutil
import signal
import tempfile
import time
from dataclasses import dataclass, replace
from pathlib import Path

from checks import compose_files, events, health, services, submission
from checks.boundary import Boundary, Context, Limits, SubmissionCopy, container_counter
from checks.daemon import DaemonClient, Endpoint, read_snapshot
from checks.errors import GraderError, LabError
from checks.model import Exercise
from checks.grading import grade_exercise
from checks.lab import REGISTRY, Lab, Progress, quiet
from checks.lab import cleanup
from checks.lab import start as start_state
from checks.lab.control import LabDaemon
from checks.messages import msg
from checks.results import CheckOutcome, ExerciseOutcome, Report, Result
from checks.sandbox import WORK, Sandbox, remapped_group

# Files whose work cannot count: the exercise scores 0, whatever state the lab was left in.
ZERO_SCORE = ("submission.refused", "submission.missing")
SERVICES_MINIMUM = 60.0  # seconds an exercise's own services get to come up, even after slow commands


@dataclass(frozen=True)
class Budget:
    """Seconds: each command, each exercise's commands together, the whole run."""

    command: float = submission.DEFAULT_TIMEOUT
    exercise: float = 300.0
    run: float = 1200.0


def run(
    folder: Path,
    exercises: list[Exercise],
    timeout: float = submission.DEFAULT_TIMEOUT,
    progress: Progress = quiet,
    lab: Lab | None = None,
    budget: Budget | None = None,
    limits: Limits = Limits(),
) -> Report:
    """Grades a submission folder. A lab given is used as it is; otherwise a fresh one is made and removed."""
    files = submission.command_files(folder, exercises)
    budget = budget or Budget(command=timeout)
    started = time.monotonic()
    own_lab = lab is None
    scratch = Path(tempfile.mkdtemp(prefix="dg-run-"))
    os.chmod(scratch, 0o711)  # the sandbox's unprivileged user must reach its own folders inside
    lab = lab or Lab(f"run-{scratch.name[-8:].lower().replace('_', '-')}", scratch / "lab")
    sandbox = Sandbox(scratch / "sandbox", scratch / "api" / "docker.sock")
    previous = signal.signal(signal.SIGTERM, _interrupt) if own_lab else None
    outcomes: list[ExerciseOutcome] = []
    shown: Path | None = None  # the copy where the lab's dockerd sees it, for the binds the boundary lets through
    try:
        if own_lab:
            # Its "how to use this lab" line would mislead: this lab is gone when the run ends.
            lab.up([image for exercise in exercises for image in exercise.images], lambda m: m.key == "lab.ready" or progress(m))
        sandbox.socket.parent.mkdir(mode=0o711)
        if lab.read_state().get("remap_user"):  # containers may use the submission's files they bind
            sandbox.group = remapped_group(lab.read_state()["remap_user"])
        sandbox.prepare(folder)
        shown = lab.share(sandbox.work, scratch.name)
        context = Context(REGISTRY, limits, container_counter(lab.socket), SubmissionCopy(shown, WORK))
        daemon = _negotiate(lab)
        with _boundary(lab, sandbox, context), events.record(str(lab.socket), time.time_ns()) as recorder:
            history: list = []  # every line run so far, with its times: which line made which container
            for index, exercise in enumerate(exercises):
                progress(msg("run.exercise", id=exercise.id))
                deadline = min(time.monotonic() + budget.exercise, started + budget.run)
                # After the last exercise, a lab of the run's own is killed whole: no need to stop its containers first.
                last = own_lab and index == len(exercises) - 1
                outcomes.append(_grade_one(exercise, files.get(exercise.id), daemon, sandbox, budget.command, deadline, recorder,
                                           last, history))
                history.extend(outcomes[-1].commands)
    except GraderError as error:
        return Report(tuple(outcomes), time.monotonic() - started, error.message, error.exit_code, planned=tuple(exercises))
    finally:
        if shown is not None:
            cleanup.unbind(shown)
        sandbox.close()
        if own_lab:
            lab.down(progress)
            signal.signal(signal.SIGTERM, previous)
        shutil.rmtree(scratch, ignore_errors=True)  # the commands' working folder, also with a lab given
    return Report(tuple(outcomes), time.monotonic() - started, planned=tuple(exercises))


def _grade_one(exercise: Exercise, path: Path | None, daemon: LabDaemon, sandbox: Sandbox, timeout: float, deadline: float,
               recorder: events.Recorder, last: bool = False, history: list | None = None) -> ExerciseOutcome:
    started = time.monotonic()
    prepared = time.time_ns()  # from here on, what the daemon does is this exercise's (checks.events.Provenance)
    start_state.apply(exercise.start, daemon)
    began = time.time_ns()  # the exercise's events: after its starting state, to the end of its commands
    error = None
    runs: tuple = ()
    if path is None:
        error = msg("submission.missing")
    else:
        command_file = submission.read_file(path)
        runs = submission.run(command_file, sandbox, timeout, deadline)
        if command_file.refused:
            first = command_file.refused[0]
            error = msg("submission.refused", line=first.line, reason=first.refused)
        elif any(r.timed_out for r in runs):
            late = next(r for r in runs if r.timed_out)
            if submission.wants_terminal(tuple(late.text.split())):  # waiting for typing that never comes: say so
                error = msg("submission.timeout_terminal", line=late.line, seconds=f"{timeout:g}")
            else:
                error = msg("submission.timeout", line=late.line, seconds=f"{timeout:g}")
    ended = time.time_ns()
    with DaemonClient(Endpoint(daemon.host), api_version=daemon.api_version) as client:

        def snapshot():
            # A health check still `starting` is waited for, bounded (checks.health), before grading.
            taken = events.with_events(health.settled(lambda: read_snapshot(client), deadline), lambda: recorder.window(client, began, ended),
                                       lambda: recorder.provenance(client, [*(history or ()), *runs], prepared, time.time_ns()),
                                       lambda folder, files: compose_files.depends_on(sandbox.work, folder, files))
            taken.commands = runs  # what the `output` kind reads: this exercise's lines, as they ran
            return taken

        if exercise.compose:  # the exercise's own services, up (in the sandbox) while it is graded
            seconds = max(deadline - time.monotonic(), SERVICES_MINIMUM)
            outcome = services.grade_in_sandbox(exercise, sandbox, client, seconds, snapshot, commands=runs, error=error)
        else:
            outcome = grade_exercise(exercise, snapshot(), commands=runs, error=error)
    if not last:
        start_state.stop_running(daemon)
    if error is not None and error.key in ZERO_SCORE:
        failed = tuple(CheckOutcome(c.check, Result(False, error)) for c in outcome.checks)
        outcome = replace(outcome, checks=failed)
    return replace(outcome, seconds=time.monotonic() - started)


def _negotiate(lab: Lab) -> LabDaemon:
    with DaemonClient(Endpoint(lab.host)) as client:  # the run's one negotiation (GET /_ping)
        return LabDaemon(lab.host, client.api_version)


def _boundary(lab: Lab, sandbox: Sandbox, context: Context) -> Boundary:
    try:
        return Boundary(lab.socket, sandbox.socket, context, owner=sandbox.uid)  # the sandbox's user, and no other
    except OSError as error:
        raise LabError(msg("lab.isolation", reason=error.strerror or str(error))) from None


def _interrupt(signum, frame):
    raise KeyboardInterrupt
