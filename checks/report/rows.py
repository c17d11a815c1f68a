"""The one model every writer reads: a Report as a score sheet in the student's language.

A ``Sheet`` has a ``Section`` per exercise and a ``Row`` per check. A run that stopped early still
has a section for each exercise it planned and did not grade (``graded`` false), whose rows are
not graded (status ``error``, score 0); a run that knew no exercise at all has one row for the
error itself. So every format always has a complete list of checks.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, is_dataclass, replace

from checks.model import Check, Exercise
from checks.messages import Message, msg
from checks.report.escape import printable
from checks.results import CheckOutcome, ExerciseOutcome, Report


def points(value: float) -> str:
    """A score as every format prints it: 2, 0.5, 17 (no trailing ".0")."""
    return f"{value:g}"


@dataclass(frozen=True)
class Row:
    number: str  # "2.1": the run's 2nd exercise, its 1st check
    exercise: str  # the exercise id ("" for a run-level error)
    title: str  # the exercise title
    check: str  # the check's name; for a hidden check, "hidden check"
    status: str  # passed | failed | error (not graded, or the grader cannot tell: 0 of 0 points)
    score: float
    max_score: float
    message: str  # what a student reads: for a failure, the hint and what was found
    hidden: bool = False
    secret_check: str = ""  # a hidden check's real name and message, for formats that hide it themselves
    secret_message: str = ""
    note: str = ""  # a failed check's "not graded: why" when its exercise's commands were not run
    seconds: float = 0.0  # how long its evaluation took
    hint: str = ""  # the start of ``message`` that is the exercise's own hint (the course's text, not the submission's)

    @property
    def passed(self) -> bool:
        return self.status == "passed"

    @property
    def label(self) -> str:
        """A unique, readable name for flat lists: "2.1 pull-alpine: alpine-pulled"."""
        return f"{self.number} {self.exercise}: {self.check}" if self.exercise else self.check

    @property
    def detail(self) -> str:
        """The message with its note, for formats that list a check away from its exercise."""
        return f"{self.message} — {self.note}" if self.note else self.message


@dataclass(frozen=True)
class Command:
    """A line of the student's command file as it was run (or refused), for the formats that show it."""

    line: int
    text: str
    exit_code: int | None
    timed_out: bool
    refused: str | None
    output: str


@dataclass(frozen=True)
class Section:
    """One exercise of the run: its checks as rows, graded or only planned."""

    number: int
    id: str
    title: str
    rows: tuple[Row, ...]
    graded: bool = True
    error: str = ""  # why its commands were not run (refused file, timeout...)
    commands: tuple[Command, ...] = ()
    seconds: float = 0.0  # its commands and grading
    path: str = ""  # its exercise file

    @property
    def score(self) -> float:
        return sum(row.score for row in self.rows)

    @property
    def max_score(self) -> float:
        return sum(row.max_score for row in self.rows)

    @property
    def status(self) -> str:
        if any(row.status == "error" for row in self.rows):
            return "error"
        return "passed" if all(row.passed for row in self.rows) else "failed"


@dataclass(frozen=True)
class Sheet:
    """A whole run as every format shows it, in ``lang``."""

    lang: str
    status: str  # passed | failed | error (the run could not finish)
    score: float
    max_score: float
    seconds: float
    error: str | None  # why the run could not finish
    sections: tuple[Section, ...]

    @property
    def rows(self) -> tuple[Row, ...]:
        """Every check in run order; the run's error as one row when no exercise was known."""
        flat = tuple(row for section in self.sections for row in section.rows)
        if not flat and self.error is not None:
            return (Row("0", "", "", "docker-grader", "error", 0, 0, self.say("report.error", error=self.error)),)
        return flat

    def say(self, key: str, **params) -> str:
        """A catalog message in the sheet's language."""
        return msg(key, **params).render(self.lang)

    @classmethod
    def of(cls, report: Report, lang: str) -> Sheet:
        error = report.error.render(lang) if report.error else None
        graded = {outcome.exercise.id: outcome for outcome in report.exercises}
        planned = list(report.planned) or [outcome.exercise for outcome in report.exercises]
        planned += [outcome.exercise for outcome in report.exercises if outcome.exercise not in planned]
        sections = tuple(
            _graded(graded[exercise.id], number, lang) if exercise.id in graded else _not_graded(exercise, number, lang, error)
            for number, exercise in enumerate(planned, 1)
        )
        status = "error" if report.error else ("passed" if report.passed else "failed")
        return _printable(cls(lang, status, report.score, report.max_score, report.seconds, error, sections))


def _printable(value):
    """``value`` with every text in it printable (``escape.printable``): a byte a submission sent
    that was not UTF-8 reaches each format shown as ``\\xff``, and no writer can fail to encode it."""
    if isinstance(value, str):
        return printable(value)
    if isinstance(value, tuple):
        return tuple(_printable(item) for item in value)
    if is_dataclass(value):
        return replace(value, **{f.name: _printable(getattr(value, f.name)) for f in fields(value) if f.init})
    return value


def message(outcome: CheckOutcome, lang: str, reveal: bool = False, error: Message | None = None) -> str:
    """What a student reads for a check: for a failure, the hint and then what was found. When what
    was found is the exercise's own ``error`` (a refused or missing file), the hint alone: the error
    is said once, as the exercise's."""
    if outcome.check.visibility == "hidden" and not reveal:
        return msg("report.hidden").render(lang)
    found = msg("report.found", found=outcome.result.found).render(lang)
    if outcome.passed or outcome.result.unknown:  # a hint says what to do; there is nothing to do
        return found
    if error is not None and outcome.result.found == error:
        return outcome.check.hint[lang]
    return f"{outcome.check.hint[lang]} ({found})"


def _row(exercise: Exercise, number: int, index: int, check: Check, lang: str, *, status: str, score: float, message: str, secret: str, note: str = "", max_score: float | None = None, seconds: float = 0.0) -> Row:
    """A check's row; a hidden check shows neither its name nor ``secret``, its real message."""
    hidden = check.visibility == "hidden"
    return Row(
        number=f"{number}.{index}",
        exercise=exercise.id,
        title=exercise.title[lang],
        check=msg("report.hidden").render(lang) if hidden else check.name,
        status=status,
        score=score,
        max_score=check.points if max_score is None else max_score,
        message=message,
        hidden=hidden,
        secret_check=check.name if hidden else "",
        secret_message=secret if hidden else "",
        note=note,
        seconds=seconds,
        hint=check.hint[lang] if not hidden and status == "failed" and message.startswith(check.hint[lang]) else "",
    )


def _graded(outcome: ExerciseOutcome, number: int, lang: str) -> Section:
    error = outcome.error.render(lang) if outcome.error else ""
    note = msg("report.not_graded", error=error).render(lang) if error else ""
    rows = tuple(
        _row(
            outcome.exercise, number, index, check.check, lang,
            status="passed" if check.passed else ("error" if check.result.unknown else "failed"),
            score=check.score,
            max_score=check.max_score,
            message=message(check, lang, error=outcome.error),  # "hidden check" for a hidden one
            secret=message(check, lang, reveal=True, error=outcome.error),
            note="" if check.passed or check.check.visibility == "hidden" else note,
            seconds=check.seconds,
        )
        for index, check in enumerate(outcome.checks, 1)
    )
    commands = tuple(
        Command(run.line, run.text, run.exit_code, run.timed_out, run.refused.render(lang) if run.refused else None, run.output)
        for run in outcome.commands
    )
    return Section(number, outcome.exercise.id, outcome.exercise.title[lang], rows, True, error, commands, outcome.seconds, outcome.exercise.path)


def _not_graded(exercise: Exercise, number: int, lang: str, error: str | None) -> Section:
    reason = msg("report.not_graded", error=error if error is not None else msg("none")).render(lang)
    rows = tuple(
        _row(exercise, number, index, check, lang, status="error", score=0, message=reason, secret=reason)
        for index, check in enumerate(exercise.checks, 1)
    )
    return Section(number, exercise.id, exercise.title[lang], rows, graded=False, path=exercise.path)
