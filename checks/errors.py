"""The grader's own faults, mapped to exit codes at the edge.

A student's mistake is never an exception: it is a failed check (a ``Result``).
These are for what stops grading itself::

    GraderError                  exit code
    ├── UsageError               2   bad option, unknown exercise id, bad submission folder
    ├── ExerciseError            2   exercise file that does not load or validate (with faults)
    ├── DaemonError              3   Docker daemon not reachable, refused, or gone mid-run
    ├── LabError                 4   the grader's own lab could not start or stop
    ├── ServicesError            1   an exercise's own services did not come up, answer or go:
    │                                that exercise's checks fail with why (never a front end's)
    └── Interrupted            130   SIGINT or SIGTERM stopped a run: what was graded is kept

Each class says its exit code here, once; each carries a ``Message`` (the key names what went
wrong where it was raised) so that the front end renders it in the user's language. Every front
end turns an error into its exit code with ``exit_code`` and into a Report with
``checks.results.stopped``.
"""

from __future__ import annotations

from dataclasses import dataclass

from checks.messages import Message, msg

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_BAD_INPUT = 2
EXIT_DAEMON = 3
EXIT_LAB = 4
EXIT_UNKNOWN = 5  # no check failed, but some could not be told (checks.results.Result.unknown)
EXIT_INTERRUPTED = 130


class GraderError(Exception):
    """Base of every error the grader raises on purpose; ``exit_code`` is the class's, as drawn above."""

    exit_code = EXIT_BAD_INPUT

    def __init__(self, message: Message):
        super().__init__(message.render("en"))
        self.message = message

    def render(self, lang: str) -> str:
        return self.message.render(lang)


class UsageError(GraderError):
    """A bad option, exercise id or submission: the user can fix the command line."""

    exit_code = EXIT_BAD_INPUT


@dataclass(frozen=True)
class Fault:
    """One thing wrong in an exercise file: where it is and what it is."""

    path: str
    line: int
    json_path: str
    message: Message

    def render(self, lang: str) -> str:
        """One line, whatever the file held: characters that would break it are shown escaped."""
        text = f"{self.path}:{self.line}: {self.json_path}: {self.message.render(lang)}"
        return "".join(ch if ch.isprintable() else ch.encode("unicode_escape").decode() for ch in text)


class ExerciseError(GraderError):
    """One or more exercise files are invalid; ``faults`` says where and why."""

    exit_code = EXIT_BAD_INPUT

    def __init__(self, faults: list[Fault]):
        self.faults = sorted(faults, key=lambda f: (f.path, f.line, f.json_path))
        first = self.faults[0]
        super().__init__(msg("error.exercise", where=f"{first.path}:{first.line}", count=len(self.faults)))

    def render(self, lang: str) -> str:
        return "\n".join(fault.render(lang) for fault in self.faults)


class DaemonError(GraderError):
    """The Docker daemon could not be reached or stopped answering."""

    exit_code = EXIT_DAEMON


class LabError(GraderError):
    """The grader's own lab (registry and dockerd) could not be started or stopped."""

    exit_code = EXIT_LAB


class ServicesError(GraderError):
    """The exercise's own services could not come up, answer, or go: the exercise is not graded,
    each of its checks fails with why (checks.grading.grade_one), and the run goes on."""

    exit_code = EXIT_FAILED


class Interrupted(GraderError):
    """SIGINT or SIGTERM (KeyboardInterrupt, checks.signals) stopped a grading: the exercises graded
    so far are kept, the rest are not graded."""

    exit_code = EXIT_INTERRUPTED


def exit_code(error: GraderError | KeyboardInterrupt) -> int:
    """The one map from what stopped a front end to its exit code: a GraderError's class says it;
    a KeyboardInterrupt that no run turned into ``Interrupted`` is one too."""
    if isinstance(error, KeyboardInterrupt):
        return Interrupted.exit_code
    return error.exit_code
