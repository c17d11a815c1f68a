"""Grading results as values: one per check, one per exercise, one report per run.

Every output format writes the sheet that ``checks.report`` builds from a ``Report``; nothing here prints.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from checks.errors import EXIT_FAILED, EXIT_OK
from checks.messages import Message
from checks.model import Check, Exercise


@dataclass(frozen=True)
class Result:
    """What a check kind found: passed or not, and what it saw (shown with the hint)."""

    passed: bool
    found: Message


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
        return self.check.points


@dataclass(frozen=True)
class CommandRun:
    """One line of a student's command file, as it was run in the lab (or refused)."""

    line: int
    text: str
    exit_code: int | None = None
    output: str = ""
    refused: Message | None = None
    timed_out: bool = False


@dataclass(frozen=True)
class ExerciseOutcome:
    exercise: Exercise
    checks: tuple[CheckOutcome, ...]
    commands: tuple[CommandRun, ...] = ()
    error: Message | None = None  # why its commands were not run (refused file, timeout...)
    seconds: float = 0.0  # its commands and its grading, start to end

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
        return EXIT_OK if self.passed else EXIT_FAILED
