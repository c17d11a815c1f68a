"""The engine: exercises and a snapshot in, a Report out. Both front ends call it.

    load exercises → read one snapshot → each check's kind evaluates it → Report
"""

from __future__ import annotations

import time
from typing import Iterable

from checks import baseline
from checks.daemon import DaemonClient, connect, read_snapshot
from checks.errors import DaemonError
from checks.model import Check, Exercise
from checks.kinds import KINDS
from checks.results import CheckOutcome, ExerciseOutcome, Report, Result
from checks.snapshot import Snapshot


def evaluate(check: Check, snapshot: Snapshot) -> Result:
    return KINDS[check.kind].evaluate(check.spec, snapshot)


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


def grade_daemon(exercises: list[Exercise], host: str | None = None, client: DaemonClient | None = None, context: str | None = None) -> Report:
    """Grades exercises against a daemon. A daemon that is down gives a Report with the error."""
    started = time.monotonic()
    try:
        own = client is None
        client = client or connect(host, context=context)
        try:
            snapshot, notes = baseline.applied(client, read_snapshot(client), exercises)
            outcomes = grade(exercises, snapshot)
        finally:
            if own:
                client.close()
    except DaemonError as error:
        return Report((), time.monotonic() - started, error.message, error.exit_code, planned=tuple(exercises))
    return Report(outcomes, time.monotonic() - started, planned=tuple(exercises), notes=notes)
