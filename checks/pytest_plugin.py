"""pytest front end: ``pytest exercises`` grades the daemon, one test item per check.

Exercise files under the folder named by the ``grader_exercises`` ini option
(default ``exercises``) become ``<file>::<exercise-id>::<check>`` items, so ``-k``
selects by exercise or check. A failure reads as the check's hint and what was
found; the session ends with a score table; ``--junitxml`` records each check's
points as properties. The daemon is read once per session: the snapshot behind the
``docker_grader_snapshot`` fixture is the one every item grades.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from checks import exercises as exercise_files
from checks import grading
from checks.daemon import DaemonClient, connect, read_snapshot
from checks.errors import EXIT_DAEMON, ExerciseError, GraderError
from checks.model import Check, Exercise
from checks.messages import LANGS, detect_lang, msg
from checks.report.junit import record_points
from checks.report.rows import message, points
from checks.results import CheckOutcome
from checks.snapshot import Snapshot

CLIENT = pytest.StashKey[DaemonClient]()
SNAPSHOT = pytest.StashKey[Snapshot]()
OUTCOMES = pytest.StashKey[dict]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("docker-grader", "grading Docker exercises")
    group.addoption("--docker-host", help="daemon to grade (default: DOCKER_HOST, the docker context, the default socket)")
    group.addoption("--grader-lang", choices=LANGS, help="language of hints (default: from LC_ALL/LANG, else pt-BR)")
    parser.addini("grader_exercises", "folder whose YAML files are exercises to grade", default="exercises")


def pytest_configure(config: pytest.Config) -> None:
    config.stash[OUTCOMES] = {}


def pytest_unconfigure(config: pytest.Config) -> None:
    client = config.stash.get(CLIENT, None)
    if client is not None:
        client.close()


def lang_of(config: pytest.Config) -> str:
    return config.getoption("--grader-lang") or detect_lang()


def exercises_dir(config: pytest.Config) -> Path:
    return (config.rootpath / config.getini("grader_exercises")).resolve()


def pytest_collect_file(file_path: Path, parent: pytest.Collector):
    if file_path.suffix in exercise_files.EXERCISE_SUFFIXES and file_path.resolve().is_relative_to(exercises_dir(parent.config)):
        return ExerciseFile.from_parent(parent, path=file_path)
    return None


def snapshot_for(config: pytest.Config) -> Snapshot:
    """The session's one snapshot, read on first use; a daemon that is down ends the session (exit 3)."""
    if SNAPSHOT not in config.stash:
        try:
            client = connect(config.getoption("--docker-host"))
            config.stash[CLIENT] = client
            config.stash[SNAPSHOT] = read_snapshot(client)
        except GraderError as error:
            pytest.exit(error.render(lang_of(config)), returncode=EXIT_DAEMON)
    return config.stash[SNAPSHOT]


@pytest.fixture(scope="session")
def docker_grader_snapshot(pytestconfig: pytest.Config) -> Snapshot:
    """The daemon's state as every check of this session sees it (read once)."""
    return snapshot_for(pytestconfig)


class ExerciseFile(pytest.File):
    def collect(self):
        try:
            exercise = exercise_files.load_file(self.path)
        except ExerciseError as error:
            raise self.CollectError(error.render(lang_of(self.config))) from None
        yield ExerciseNode.from_parent(self, name=exercise.id, exercise=exercise)


class ExerciseNode(pytest.Collector):
    def __init__(self, *, exercise: Exercise, **kwargs):
        super().__init__(**kwargs)
        self.exercise = exercise

    def collect(self):
        for check in self.exercise.checks:
            yield CheckItem.from_parent(self, name=check.name, check=check, exercise=self.exercise)


class CheckFailed(Exception):
    """A check that did not pass: a student's result, shown as its hint, never as a traceback."""

    def __init__(self, outcome: CheckOutcome):
        super().__init__(outcome.check.name)
        self.outcome = outcome


class CheckItem(pytest.Item):
    def __init__(self, *, check: Check, exercise: Exercise, **kwargs):
        super().__init__(**kwargs)
        self.check = check
        self.exercise = exercise

    def runtest(self) -> None:
        outcome = CheckOutcome(self.check, grading.evaluate(self.check, snapshot_for(self.config)))
        self.config.stash[OUTCOMES].setdefault(self.exercise.id, []).append(outcome)
        record_points(self.config, f"{self.exercise.id}::{self.check.name}", outcome.score, outcome.max_score)
        if outcome.result.unknown:  # the grader cannot tell: not passed, and not the student's failure
            pytest.skip(message(outcome, lang_of(self.config)))
        if not outcome.passed:
            raise CheckFailed(outcome)

    def repr_failure(self, excinfo, style=None):
        if isinstance(excinfo.value, CheckFailed):
            return message(excinfo.value.outcome, lang_of(self.config))
        if isinstance(excinfo.value, GraderError):
            return excinfo.value.render(lang_of(self.config))
        return super().repr_failure(excinfo)

    def reportinfo(self):
        return self.path, self.check.line - 1, f"{self.exercise.id}::{self.check.name}"


def pytest_terminal_summary(terminalreporter, exitstatus, config: pytest.Config) -> None:
    outcomes = config.stash.get(OUTCOMES, {})
    if not outcomes:
        return
    lang = lang_of(config)
    terminalreporter.section("docker-grader")
    width = max(map(len, outcomes))
    total = maximum = 0.0
    for exercise_id, checks in outcomes.items():
        score, top = sum(c.score for c in checks), sum(c.max_score for c in checks)
        total, maximum = total + score, maximum + top
        passed = msg("report.passed_checks", passed=sum(c.passed for c in checks), total=len(checks)).render(lang)
        terminalreporter.write_line(f"{exercise_id.ljust(width)}  {points(score):>4}/{points(top):<4} {passed}")
    terminalreporter.write_line(msg("report.total", score=points(total), max_score=points(maximum)).render(lang), bold=True)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Checks in lesson order (files are collected by name); other items keep their place."""
    graded = [item for item in items if isinstance(item, CheckItem)]
    ordered = iter(sorted(graded, key=lambda item: (item.exercise.lesson, item.exercise.order, item.exercise.id)))
    items[:] = [next(ordered) if isinstance(item, CheckItem) else item for item in items]
