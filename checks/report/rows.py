"""A Report as flat rows, one per check, in the student's language: what every writer shows.

A run that stopped early still gives a row for each check it did not grade (status ``error``,
score 0), and a run that knew no exercise at all gives one row for the error itself, so that
every format always has a complete tests list.
"""

from __future__ import annotations

from dataclasses import dataclass

from checks.messages import msg
from checks.exercises import Check, Exercise
from checks.results import CheckOutcome, ExerciseOutcome, Report


@dataclass(frozen=True)
class Row:
    number: str  # "2.1": the run's 2nd exercise, its 1st check
    exercise: str  # the exercise id ("" for a run-level error)
    title: str  # the exercise title
    check: str  # the check's name; for a hidden check, "hidden check"
    status: str  # passed | failed | error
    score: float
    max_score: float
    message: str  # what a student reads: for a failure, the hint and what was found
    hidden: bool = False
    secret_check: str = ""  # a hidden check's real name and message, for formats that hide it themselves
    secret_message: str = ""

    @property
    def passed(self) -> bool:
        return self.status == "passed"

    @property
    def label(self) -> str:
        """A unique, readable name for flat lists: "2.1 pull-alpine: alpine-pulled"."""
        return f"{self.number} {self.exercise}: {self.check}" if self.exercise else self.check


def points(value: float) -> str:
    """A score as every format prints it: 2, 0.5, 17 (no trailing ".0")."""
    return f"{value:g}"


def name(outcome: CheckOutcome, lang: str) -> str:
    """A check's name as students see it: hidden checks show no name."""
    return msg("report.hidden").render(lang) if outcome.check.visibility == "hidden" else outcome.check.name


def message(outcome: CheckOutcome, lang: str, reveal: bool = False) -> str:
    """What a student reads for a check: for a failure, the hint and then what was found."""
    if outcome.check.visibility == "hidden" and not reveal:
        return msg("report.hidden").render(lang)
    found = msg("report.found", found=outcome.result.found).render(lang)
    if outcome.passed:
        return found
    return f"{outcome.check.hint[lang]} ({found})"


def status(report: Report) -> str:
    """The run's status: error when it could not finish, else passed or failed."""
    return "error" if report.error else ("passed" if report.passed else "failed")


def _row(exercise: Exercise, number: int, index: int, check: Check, lang: str, *, status: str, score: float, message: str, secret: str) -> Row:
    """A check's row; a hidden check shows neither its name nor ``secret``, its real message."""
    hidden = check.visibility == "hidden"
    return Row(
        number=f"{number}.{index}",
        exercise=exercise.id,
        title=exercise.title[lang],
        check=msg("report.hidden").render(lang) if hidden else check.name,
        status=status,
        score=score,
        max_score=check.points,
        message=message,
        hidden=hidden,
        secret_check=check.name if hidden else "",
        secret_message=secret if hidden else "",
    )


def exercise_rows(outcome: ExerciseOutcome, number: int, lang: str) -> list[Row]:
    note = f" — {msg('report.not_graded', error=outcome.error).render(lang)}" if outcome.error else ""
    rows = []
    for index, check in enumerate(outcome.checks, 1):
        text = message(check, lang)  # "hidden check" for a hidden one
        shown = text if check.passed or check.check.visibility == "hidden" else text + note
        status = "passed" if check.passed else "failed"
        secret = message(check, lang, reveal=True)
        rows.append(_row(outcome.exercise, number, index, check.check, lang, status=status, score=check.score, message=shown, secret=secret))
    return rows


def rows(report: Report, lang: str) -> list[Row]:
    graded = {outcome.exercise.id: outcome for outcome in report.exercises}
    planned = list(report.planned) or [outcome.exercise for outcome in report.exercises]
    planned += [outcome.exercise for outcome in report.exercises if outcome.exercise not in planned]
    result: list[Row] = []
    for number, exercise in enumerate(planned, 1):
        if exercise.id in graded:
            result += exercise_rows(graded[exercise.id], number, lang)
            continue
        reason = msg("report.not_graded", error=report.error or msg("none")).render(lang)
        for index, check in enumerate(exercise.checks, 1):
            result.append(_row(exercise, number, index, check, lang, status="error", score=0, message=reason, secret=reason))
    if not result and report.error:
        text = msg("report.error", error=report.error).render(lang)
        result.append(Row("0", "", "", "docker-grader", "error", 0, 0, text))
    return result
