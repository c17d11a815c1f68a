"""Grading results as values: one per check, one per exercise, one report per run.

Every output format writes the sheet that ``checks.report`` builds from a ``Report``; nothing here prints.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable

from checks.errors import EXIT_FAILED, EXIT_OK, EXIT_UNKNOWN, GraderError, exit_code
from checks.messages import Message
from checks.model import Check, Exercise


@dataclass(frozen=True)
class Result:
    """What a check kind found: passed or not, and what it saw (shown with the hint).

    ``unknown``: the grader cannot tell (no complete record of events). Such a check does not
    pass, and is not the student's failure either: it scores 0 of 0 points.
    """

    passed: bool
    found: Message
    unknown: bool = False


@dataclass(frozen=True)
class CheckOutcome:
    check: Check
    result: Result
    seconds: float = 0.0  # how long its kind took to evaluate it

    @property
    def passed(self) -> bool:
        return self.result.passed

    @property
    def score(self) -> float:
        return self.check.points if self.result.passed else 0

    @property
    def max_score(self) -> float:
        return 0 if self.result.unknown else self.check.points


@dataclass(frozen=True)
class CommandRun:
    """One line of a student's command file, as it was run in the lab (or refused)."""

    line: int
    text: str
    exit_code: int | None = None
    output: str = ""
    refused: Message | None = None
    timed_out: bool = False
    # When it ran (time.time_ns, the daemon's clock on this machine): which events are this line's. 0: unknown.
    began: int = field(default=0, compare=False)
    ended: int = field(default=0, compare=False)


@dataclass(frozen=True)
class ExerciseOutcome:
    exercise: Exercise
    checks: tuple[CheckOutcome, ...]
    commands: tuple[CommandRun, ...] = ()
    error: Message | None = None  # why its commands were not run (refused file, timeout...)
    seconds: float = 0.0  # its commands and its grading, start to end
    passed_at: int | None = None  # daemon time (ns) an earlier grading saw it pass (checks.progress); None: graded now

    @property
    def score(self) -> float:
        return sum(outcome.score for outcome in self.checks)

    @property
    def max_score(self) -> float:
        return sum(outcome.max_score for outcome in self.checks)

    @property
    def passed(self) -> bool:
        return all(outcome.passed for outcome in self.checks)


@dataclass(frozen=True)
class Report:
    """A whole grading run. ``error`` is set when the run could not finish (daemon down...)."""

    exercises: tuple[ExerciseOutcome, ...]
    seconds: float = 0.0
    error: Message | None = None
    error_exit_code: int | None = None
    planned: tuple[Exercise, ...] = field(default=())
    notes: tuple[Message, ...] = ()  # how it was graded, for the front end to say (checks.baseline)

    @property
    def score(self) -> float:
        return sum(outcome.score for outcome in self.exercises)

    @property
    def max_score(self) -> float:
        graded = {outcome.exercise.id for outcome in self.exercises}
        missing = sum(ex.max_score for ex in self.planned if ex.id not in graded)
        return sum(outcome.max_score for outcome in self.exercises) + missing

    @property
    def passed(self) -> bool:
        return self.error is None and all(outcome.passed for outcome in self.exercises)

    @property
    def exit_code(self) -> int:
        if self.error_exit_code is not None:
            return self.error_exit_code
        if self.passed:
            return EXIT_OK
        checks = [check for outcome in self.exercises for check in outcome.checks]
        return EXIT_UNKNOWN if all(check.passed or check.result.unknown for check in checks) else EXIT_FAILED


def failed_checks(exercise: Exercise, reason: Message) -> tuple[CheckOutcome, ...]:
    """Every check of ``exercise`` failed with ``reason``: an exercise whose work cannot count."""
    return tuple(CheckOutcome(check, Result(False, reason)) for check in exercise.checks)


def not_graded(exercise: Exercise, reason: Message, **extra) -> ExerciseOutcome:
    """An exercise that could not be graded (its services did not come up): every check fails with
    the reason, which is the exercise's error too unless it has one already (a refused file)."""
    return ExerciseOutcome(exercise, failed_checks(exercise, reason), **{**extra, "error": extra.get("error") or reason})


def stopped(error: GraderError, planned: Iterable[Exercise] = (), graded: Iterable[ExerciseOutcome] = (), seconds: float = 0.0) -> Report:
    """The Report of a grading that ``error`` stopped, whichever front end: the exercises graded so
    far, the rest of ``planned`` "not graded" with the reason (every writer shows them so), and the
    error's exit code (checks.errors.exit_code)."""
    return Report(tuple(graded), seconds, error.message, exit_code(error), planned=tuple(planned))
