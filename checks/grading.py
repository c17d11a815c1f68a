"""The engine: exercises and a snapshot in, verdicts out. Every front end grades through it.

    load exercises → read one snapshot → each check's kind evaluates it → Report

``grade_one`` is the one way an exercise is graded: on a snapshot, and for an exercise with
services of its own (``compose:``), on a snapshot read while they run, with their failure as its
error. ``run`` calls it for each exercise of a submission (checks.runner).

``DaemonGrading`` is one grading of a student's own daemon, the same for ``check``, ``watch`` and
``pytest --grader``: the snapshot read once, the start point applied (checks.baseline), the
exercises passed earlier since start shown so (checks.progress), the notes on how it graded, and
at the end the new passes recorded. Front ends parse, call, and print.
"""

from __future__ import annotations

import contextlib
import time
from pathlib import Path
from typing import TYPE_CHECKING, Callable, ContextManager, Iterable

from checks import progress, state_folder
from checks.daemon import DaemonClient, connect, read_snapshot
from checks.errors import GraderError, ServicesError
from checks.model import Check, Exercise
from checks.kinds import KINDS
from checks.results import CheckOutcome, ExerciseOutcome, Report, Result, not_graded, stopped
from checks.snapshot import Snapshot

if TYPE_CHECKING:
    from checks.baseline import Baseline

# Brings an exercise's own services up for a ``with`` block (checks.services.running, on a daemon or in run's sandbox).
ServicesUp = Callable[[Exercise], ContextManager]


def evaluate(check: Check, snapshot: Snapshot) -> Result:
    kind, spec = KINDS[check.kind], check.spec
    stand_in = getattr(kind, "stand_in", None)  # a kind's hook: the check of another kind to grade instead, here
    instead = stand_in(spec, snapshot) if stand_in is not None else None
    if instead is not None:
        kind, spec = KINDS[instead["kind"]], instead
    return kind.evaluate(spec, snapshot)


def grade_exercise(exercise: Exercise, snapshot: Snapshot, **extra) -> ExerciseOutcome:
    checks = tuple(_timed(check, snapshot) for check in exercise.checks)
    extra.setdefault("seconds", sum(outcome.seconds for outcome in checks))
    return ExerciseOutcome(exercise, checks, **extra)


def _timed(check: Check, snapshot: Snapshot) -> CheckOutcome:
    started = time.perf_counter()
    result = evaluate(check, snapshot)
    return CheckOutcome(check, result, time.perf_counter() - started)


def grade(exercises: Iterable[Exercise], snapshot: Snapshot) -> tuple[ExerciseOutcome, ...]:
    return tuple(grade_exercise(exercise, snapshot) for exercise in exercises)


def grade_one(exercise: Exercise, snapshot: Callable[[], Snapshot], services: ServicesUp | None = None, **extra) -> ExerciseOutcome:
    """An exercise graded on ``snapshot()``; with services of its own, read while ``services`` has them up.
    Services that do not come up, answer or go are the exercise's error: every check fails with why."""
    if not exercise.compose or services is None:
        return grade_exercise(exercise, snapshot(), **extra)
    try:
        with services(exercise):
            return grade_exercise(exercise, snapshot(), **extra)
    except ServicesError as error:
        return not_graded(exercise, error.message, **extra)


class DaemonGrading:
    """One grading of a student's daemon. Reading the start point and the snapshot happens here, so
    a daemon that is down raises DaemonError from the constructor (a damaged start point, UsageError);
    ``outcome`` grades an exercise (once), ``report`` grades the rest, records the new passes and gives the Report."""

    def __init__(self, client: DaemonClient, exercises: Iterable[Exercise], project_directory: Path | None = None):
        self.started = time.monotonic()
        self.client = client
        self.exercises = list(exercises)
        self.project_directory = project_directory
        self.start, self.now = _start_point(client)
        self.progress = progress.load(self.start.daemon_id) if self.start else progress.Progress()
        self.snapshot = self.read()
        self.notes = _notes(self.start, self.exercises)
        self.outcomes: dict[str, ExerciseOutcome] = {}

    def read(self) -> Snapshot:
        """A snapshot of the daemon now, since start when there is a start point."""
        snapshot = read_snapshot(self.client)
        if self.start is None:
            return snapshot
        from checks import baseline

        return baseline.applied(self.client, snapshot, self.start, self.now)

    def outcome(self, exercise: Exercise) -> ExerciseOutcome:
        if exercise.id not in self.outcomes:
            if exercise.id in self.progress.passed:
                self.outcomes[exercise.id] = progress.earlier(exercise, self.progress.passed[exercise.id])
            elif exercise.compose:
                self.outcomes[exercise.id] = grade_one(exercise, lambda: self._read_with_services(exercise), self._services)
            else:
                self.outcomes[exercise.id] = grade_one(exercise, lambda: self.snapshot)
        return self.outcomes[exercise.id]

    def _read_with_services(self, exercise: Exercise) -> Snapshot:
        from checks import services

        return services.with_instructor_files(exercise, self.read())

    def _services(self, exercise: Exercise) -> ContextManager:
        from checks import probe, services

        command = services.daemon_command(self.client.endpoint.host, self.project_directory)
        return services.running(exercise, command, probe.for_host(self.client.endpoint.host))

    def record(self) -> None:
        """The passes seen in this grading, added to the daemon's progress (after ``start`` only)."""
        if self.start is not None and self.outcomes:
            self.progress = progress.record(self.start.daemon_id, self.outcomes.values(), self.now)

    def report(self) -> Report:
        outcomes = tuple(self.outcome(exercise) for exercise in self.exercises)
        self.record()
        return Report(outcomes, time.monotonic() - self.started, planned=tuple(self.exercises), notes=self.notes)


def _start_point(client: DaemonClient) -> tuple[Baseline | None, int]:
    """The daemon's start point and its time now (checks.baseline.find). Without any start point
    saved, the start point's code (and the events reader it brings) is not even imported."""
    if not state_folder.any_start_point():
        return None, 0
    from checks import baseline

    return baseline.find(client)


def _notes(start: Baseline | None, exercises: list[Exercise]) -> tuple:
    """How ``check`` grades (checks.baseline.notes): only a start point or an events check has a note."""
    if start is None and all(check.kind != "events" for exercise in exercises for check in exercise.checks):
        return ()
    from checks import baseline

    return baseline.notes(start, exercises)


def grade_daemon(exercises: list[Exercise], host: str | None = None, client: DaemonClient | None = None, context: str | None = None,
                 project_directory: Path | None = None) -> Report:
    """``docker-grader check``: grades exercises against a daemon. A daemon that is down (or a damaged
    start point) gives the Report of that error, as every front end has it (checks.results.stopped)."""
    started = time.monotonic()
    try:
        with contextlib.ExitStack() as stack:
            if client is None:
                client = stack.enter_context(connect(host, context=context))
            return DaemonGrading(client, exercises, project_directory).report()
    except GraderError as error:
        return stopped(error, exercises, seconds=time.monotonic() - started)


def begin(exercises: list[Exercise], host: str | None = None, context: str | None = None) -> tuple[Baseline, Path]:
    """``docker-grader start``: the start point saved, and progress begun afresh. The exercises that
    already pass on the state at start (services aside) wait to be seen failing before they count."""
    from checks import baseline

    with connect(host, context=context) as client:
        taken, snapshot = baseline.observed(client)
        path = baseline.save(taken)
        passing = [exercise.id for exercise in exercises if not exercise.compose and grade_exercise(exercise, snapshot).passed]
    progress.save(taken.daemon_id, progress.Progress(waiting=frozenset(passing)))
    return taken, path

