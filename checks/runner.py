"""``docker-grader run``: a student's command files graded, exercise by exercise, in a fresh lab.

    fresh lab → CLI sandbox + API boundary → for each exercise in lesson order:
        starting state → its commands (confined, within the budgets) → snapshot → grade
        → every container still running is killed
    → the report is handed to its writer (also on failure, SIGINT or SIGTERM)
    → the lab, sandbox and boundary are torn down, with any further signal held until they are
    A submission with no command file at all is reported without a lab: each exercise is missing.

The submission is hostile: its commands run only inside ``checks.sandbox``, and their only
daemon is the lab behind ``checks.boundary``. The grader's own requests (starting states,
snapshots) go to the lab's dockerd directly.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Callable

from checks import compose_files, events, health, services, signals, submission
from checks.boundary import Boundary, Context, Limits, Line, SubmissionCopy, container_counter, image_reader, tmpfs_volume_counter
from checks.daemon import DaemonClient, Endpoint, read_snapshot
from checks.errors import GraderError, Interrupted, LabError
from checks.model import Exercise
from checks.grading import grade_one
from checks.lab import REGISTRY, Lab, Progress, quiet
from checks.lab import cleanup, readiness
from checks.lab import start as start_state
from checks.lab.control import LabDaemon
from checks.messages import msg
from checks.results import ExerciseOutcome, Report, failed_checks, stopped
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
    deliver: Callable[[Report], None] | None = None,
    lang: str | None = None,
) -> Report:
    """Grades a submission folder. A lab given is used as it is; otherwise a fresh one is made and removed.

    ``deliver`` gets the report before the teardown (the CLI writes it then), also when the run is
    interrupted by SIGINT or SIGTERM: the exercises graded so far, the rest not graded, exit 130.
    Signals during the teardown are held until it is done, then raised as KeyboardInterrupt.
    ``lang``: the language the report is rendered in, which the boundary's refusals (in the commands'
    output) use too; None (a caller that does not say) shows them in every language.
    """
    files = submission.command_files(folder, exercises)
    if not files and lab is None and not any(exercise.compose for exercise in exercises):
        return _nothing_to_run(exercises, deliver)  # no lab is started, as none could change a grade
    budget = budget or Budget(command=timeout)
    started = time.monotonic()
    own_lab = lab is None
    scratch = Path(tempfile.mkdtemp(prefix="dg-run-"))
    os.chmod(scratch, 0o711)  # the sandbox's unprivileged user must reach its own folders inside
    lab = lab or Lab(f"run-{scratch.name[-8:].lower().replace('_', '-')}", scratch / "lab")
    sandbox = Sandbox(scratch / "sandbox", scratch / "api" / "docker.sock")
    outcomes: list[ExerciseOutcome] = []
    report: Report | None = None
    undelivered: GraderError | None = None
    shown: Path | None = None  # the copy where the lab's dockerd sees it, for the binds the boundary lets through
    with signals.Interrupts() as interrupts:
        try:
            try:
                # A machine that cannot host a lab says why before the sandbox is tried; the lab shows the warnings.
                ready = readiness.require() if own_lab else None
                # The sandbox and its launcher (checks.launcher) start first: the launcher boots while the lab does.
                sandbox.socket.parent.mkdir(mode=0o711)
                sandbox.mount()
                line = Line()  # which line runs now: compose's own labels only from docker-compose
                context = Context(REGISTRY, limits, container_counter(lab.socket), SubmissionCopy(lab.exchange / scratch.name, WORK),
                                  count_tmpfs_volumes=tmpfs_volume_counter(lab.socket), inspect_image=image_reader(lab.socket),
                                  line=line, lang=lang)
                with _boundary(lab, sandbox, context):
                    sandbox.session()
                    if own_lab:
                        # Its "how to use this lab" line would mislead: this lab is gone when the run ends.
                        lab.up([image for exercise in exercises for image in exercise.images], lambda m: m.key == "lab.ready" or progress(m), ready)
                    if lab.read_state().get("remap_user"):  # containers may use the submission's files they bind
                        sandbox.group = remapped_group(lab.read_state()["remap_user"])
                    sandbox.copy(folder)
                    shown = lab.share(sandbox.work, scratch.name)  # where the boundary's context says it is
                    daemon = _negotiate(lab)
                    _grade_all(exercises, files, daemon, sandbox, budget, started, own_lab, line, outcomes, progress, lab)
                report = Report(tuple(outcomes), time.monotonic() - started, planned=tuple(exercises))
            except GraderError as error:
                report = stopped(error, exercises, outcomes, time.monotonic() - started)
            except KeyboardInterrupt:
                interrupted = Interrupted(msg("run.interrupted", signal=interrupts.name, graded=len(outcomes), planned=len(exercises)))
                report = stopped(interrupted, exercises, outcomes, time.monotonic() - started)
        finally:
            with interrupts.held():  # a second Ctrl-C waits: the report, then the whole teardown
                if report is not None and deliver is not None:
                    undelivered = _deliver(deliver, report)  # before teardown: a kill during it loses no grade
                if shown is not None:
                    cleanup.unbind(shown)
                sandbox.close()
                if own_lab:
                    lab.down(progress)
                shutil.rmtree(scratch, ignore_errors=True)  # the commands' working folder, also with a lab given
    if undelivered is not None:
        raise undelivered
    return report


def _grade_all(exercises: list[Exercise], files: dict, daemon: LabDaemon, sandbox: Sandbox, budget: Budget, started: float,
               own_lab: bool, line: Line, outcomes: list[ExerciseOutcome], progress: Progress, lab: Lab) -> None:
    """Each exercise in lesson order, its outcome appended to ``outcomes`` as soon as it is graded."""
    with events.record(str(lab.socket), time.time_ns()) as recorder:
        history: list = []  # every line run so far, with its times: which line made which container
        for index, exercise in enumerate(exercises):
            progress(msg("run.exercise", id=exercise.id))
            deadline = min(time.monotonic() + budget.exercise, started + budget.run)
            # After the last exercise, a lab of the run's own is killed whole: no need to stop its containers first.
            last = own_lab and index == len(exercises) - 1
            outcomes.append(_grade_one(exercise, files.get(exercise.id), daemon, sandbox, budget.command, deadline, recorder,
                                       last, line, history))
            history.extend(outcomes[-1].commands)


def _nothing_to_run(exercises: list[Exercise], deliver: Callable[[Report], None] | None) -> Report:
    """The report of a submission with no command file: every exercise missing, so every check failed
    with why (``ZERO_SCORE``), as a lab would grade it; without exercises of their own services."""
    missing = msg("submission.missing")
    outcomes = tuple(ExerciseOutcome(exercise, failed_checks(exercise, missing), error=missing) for exercise in exercises)
    report = Report(outcomes, 0.0, planned=tuple(exercises))
    undelivered = _deliver(deliver, report) if deliver is not None else None
    if undelivered is not None:
        raise undelivered
    return report


def _deliver(deliver: Callable[[Report], None], report: Report) -> GraderError | None:
    """Hands the report to its writer; a report that cannot be written is raised after the teardown."""
    try:
        deliver(report)
    except GraderError as error:
        return error
    return None


def _grade_one(exercise: Exercise, path: Path | None, daemon: LabDaemon, sandbox: Sandbox, timeout: float, deadline: float,
               recorder: events.Recorder, last: bool = False, line: Line | None = None, history: list | None = None) -> ExerciseOutcome:
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
        runs = submission.run(command_file, sandbox, timeout, deadline, on_line=line.set if line else None)
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
            # The reads only the run answers (checks.reads.RUN); `commands` is what the `output` kind reads.
            return health.settled(lambda: read_snapshot(client), deadline).with_reads(
                events=lambda: recorder.window(client, began, ended),
                provenance=lambda: recorder.provenance(client, [*(history or ()), *runs], prepared, time.time_ns()),
                project_file=lambda folder, files: compose_files.depends_on(sandbox.work, folder, files),
                commands=lambda: runs)

        if exercise.compose:  # the exercise's own services, up (in the sandbox) while it is graded
            seconds = max(deadline - time.monotonic(), SERVICES_MINIMUM)
            if line:
                line.set(("docker-compose",))  # the grader's own docker-compose, on the exercise's compose file
            try:
                outcome = grade_one(exercise, snapshot, services.in_sandbox(exercise, sandbox, client, seconds), commands=runs, error=error)
            finally:
                if line:
                    line.set(())
        else:
            outcome = grade_one(exercise, snapshot, commands=runs, error=error)
    if not last:
        start_state.stop_running(daemon)
    if error is not None and error.key in ZERO_SCORE:
        outcome = replace(outcome, checks=failed_checks(exercise, error))
    return replace(outcome, seconds=time.monotonic() - started)


def _negotiate(lab: Lab) -> LabDaemon:
    with DaemonClient(Endpoint(lab.host)) as client:  # the run's one negotiation (GET /_ping)
        return LabDaemon(lab.host, client.api_version)


def _boundary(lab: Lab, sandbox: Sandbox, context: Context) -> Boundary:
    try:
        return Boundary(lab.socket, sandbox.socket, context, owner=sandbox.uid)  # the sandbox's user, and no other
    except OSError as error:
        raise LabError(msg("lab.isolation", reason=error.strerror or str(error))) from None
