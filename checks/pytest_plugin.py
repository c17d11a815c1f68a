"""pytest front end: ``pytest --grader`` grades the daemon, one test item per check.

Loaded only when a run asks for grading (``docker_grader_pytest``, the entry point, has the options
and decides). Exercise files under the exercises folder (``--grader-exercises``, the
``grader_exercises`` ini option, or the CLI's default with ``--grader``) become
``<file>::<exercise-id>::<check>`` items, so ``-k`` selects by exercise or check; a hidden check's
item is named ``hidden-<n>``, its place in the exercise. A failure reads as the check's hint and
what was found; the session ends with a score table, built from the test reports, so that it comes
out under xdist too; ``--junitxml`` records each check's points as suite properties.

The verdicts are the engine's, as ``docker-grader check`` has them (checks.grading.DaemonGrading):
the daemon is read once per session (per worker under xdist), with the start point of
``docker-grader start`` and the progress since applied, and an exercise with services of its own
(``compose:``) graded while they run (checks.services, with pytest-docker; its fixtures are set
here for Debian's docker-compose 1.29 on the graded daemon). The snapshot behind the
``docker_grader_snapshot`` fixture is the one every item grades. A daemon that is down makes every
check a pytest error (in setup) with the reason, as the CLI's ``error`` status, and the session
exits with the CLI's exit code for that error (checks.errors.exit_code: 3 for a daemon that is down).
"""

from __future__ import annotations

from pathlib import Path
from typing import NoReturn

import pytest

from checks import courses, grading
from checks import exercises as exercise_files
from checks import progress, services
from checks import lang as language
from checks.daemon import DaemonClient, connect, resolve_endpoint
from checks.errors import ExerciseError, GraderError, exit_code
from checks.model import Check, Exercise
from checks.messages import msg
from checks.report.junit import record_points
from checks.report.rows import message, points
from checks.results import CheckOutcome, ExerciseOutcome
from checks.snapshot import Snapshot

CLIENT = pytest.StashKey[DaemonClient]()
GRADING = pytest.StashKey[grading.DaemonGrading]()
EXERCISES = pytest.StashKey[list]()  # the exercises this session grades
FOLDER = pytest.StashKey[Path]()
DAEMON_DOWN = pytest.StashKey[GraderError]()

pytest_plugins = ["docker_grader_pytest"]  # the options, when this module is named in a conftest


def pytest_configure(config: pytest.Config) -> None:
    config.pluginmanager.register(ScoreTable(config), "docker-grader-scores")
    try:
        config.stash[FOLDER] = exercises_dir(config)
    except GraderError as error:
        stop(error, language.choose(config.getoption("grader_lang")))
    given = config.getoption("grader") or config.getoption("grader_exercises")
    if given and config.args_source != pytest.Config.ArgsSource.ARGS:
        config.args = [str(config.stash[FOLDER])]  # no path on the command line: the exercises themselves


def stop(error: GraderError, lang: str) -> NoReturn:
    """Ends the session on the grader's own error before any check ran: its message, and the exit code
    ``docker-grader check`` gives it (2 for a bad option or exercise id), not pytest's usage error
    (4, which the grader's table gives to a lab that could not start)."""
    pytest.exit(error.render(lang), returncode=exit_code(error))


def pytest_unconfigure(config: pytest.Config) -> None:
    client = config.stash.get(CLIENT, None)
    if client is not None:
        client.close()


def lang_of(config: pytest.Config) -> str:
    folder = config.stash.get(FOLDER, None)
    try:
        course_default = courses.default_lang([folder]) if folder is not None else None
    except GraderError:
        course_default = None
    return language.choose(config.getoption("grader_lang"), course_default)


def exercises_dir(config: pytest.Config) -> Path:
    """--grader-exercises (from where pytest was started), else the ini option (from the rootdir),
    else the CLI's default with --grader, else ./exercises of the rootdir (the plugin named in a conftest)."""
    if config.getoption("grader_exercises"):
        with_cwd = courses.exercises_folder(config.getoption("grader_exercises"), cwd=config.invocation_params.dir)
        return with_cwd.resolve()
    if config.getini("grader_exercises"):
        return (config.rootpath / config.getini("grader_exercises")).resolve()
    if config.getoption("grader"):
        return courses.exercises_folder(None, cwd=config.invocation_params.dir).resolve()
    return (config.rootpath / "exercises").resolve()


def pytest_collect_file(file_path: Path, parent: pytest.Collector):
    if exercise_files.is_exercise_file(file_path) and file_path.resolve().is_relative_to(parent.config.stash[FOLDER]):
        return ExerciseFile.from_parent(parent, path=file_path)
    return None


def grading_for(config: pytest.Config) -> grading.DaemonGrading:
    """The session's one grading of the daemon (checks.grading, as ``check``'s), begun on first use:
    the snapshot read once, the start point and progress applied. A daemon that is down is tried
    once: every check is then an error with its reason, and the session's exit code is 3."""
    if DAEMON_DOWN in config.stash:
        raise config.stash[DAEMON_DOWN]
    if GRADING not in config.stash:
        exercises = config.stash.get(EXERCISES, [])
        try:
            client = connect(config.getoption("grader_host"))
            config.stash[CLIENT] = client
            config.stash[GRADING] = grading.DaemonGrading(client, exercises, config.rootpath)
        except GraderError as error:
            config.stash[DAEMON_DOWN] = error
            raise
    return config.stash[GRADING]


def snapshot_for(config: pytest.Config) -> Snapshot:
    """The session's one snapshot (read on first use), as every check of the session sees it."""
    return grading_for(config).snapshot


@pytest.fixture(scope="session")
def docker_grader_snapshot(pytestconfig: pytest.Config) -> Snapshot:
    """The daemon's state as every check of this session sees it (read once)."""
    return snapshot_for(pytestconfig)


@pytest.fixture(scope="session")
def docker_compose_command(pytestconfig: pytest.Config) -> str:
    """pytest-docker's compose command: Debian's docker-compose 1.29 (not the v2 plugin) on the graded daemon."""
    client = pytestconfig.stash.get(CLIENT, None)
    host = client.endpoint.host if client else resolve_endpoint(pytestconfig.getoption("--docker-host")).host
    return services.daemon_command(host, pytestconfig.rootpath)


@pytest.fixture(scope="session")
def docker_setup() -> list[str]:
    """pytest-docker's setup for docker-compose 1.29, which has no `up --wait`."""
    return list(services.SETUP)


@pytest.fixture(scope="session")
def docker_cleanup() -> list[str]:
    """pytest-docker's cleanup: containers, networks and the project's volumes."""
    return list(services.CLEANUP)


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
        self.outcome: ExerciseOutcome | None = None
        self.error: GraderError | None = None  # why it could not be graded

    def setup(self) -> None:
        """Grades the exercise through the session's grading, with its own services up meanwhile
        (compose:). A daemon that cannot be graded makes each of its checks a pytest error, not a
        failure: the student did nothing wrong (the CLI's ``error`` status)."""
        try:
            self.outcome = grading_for(self.config).outcome(self.exercise)
        except GraderError as error:
            self.error = error
            pytest.fail(error.render(lang_of(self.config)), pytrace=False)

    def collect(self):
        for index, check in enumerate(self.exercise.checks, 1):
            yield CheckItem.from_parent(self, name=item_name(check, index), check=check, exercise=self.exercise, index=index - 1)


def item_name(check: Check, index: int) -> str:
    """A check's item name: its own, or for a hidden check one that tells nothing, its place in the exercise."""
    return f"hidden-{index}" if check.visibility == "hidden" else check.name


class CheckFailed(Exception):
    """A check that did not pass: a student's result, shown as its hint, never as a traceback."""

    def __init__(self, outcome: CheckOutcome):
        super().__init__(outcome.check.name)
        self.outcome = outcome


class CheckItem(pytest.Item):
    def __init__(self, *, check: Check, exercise: Exercise, index: int, **kwargs):
        super().__init__(**kwargs)
        self.check = check
        self.exercise = exercise
        self.index = index  # its place in the exercise, as in the exercise's outcome
        self.outcome: CheckOutcome | None = None

    def runtest(self) -> None:
        exercise = self.parent.outcome
        outcome = exercise.checks[self.index]
        self.outcome = outcome  # what the report carries to the score table
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
        return self.path, self.check.line - 1, f"{self.exercise.id}::{self.name}"


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call):
    """Each check's report carries its exercise and points (plain values, so xdist sends them on to
    the controller), and the score table is built from the reports wherever they arrive."""
    report = yield
    not_graded = report.when == "setup" and report.failed and isinstance(item, CheckItem)  # the daemon could not be graded: an error
    if not_graded and isinstance(call.excinfo.value, pytest.fail.Exception):
        report.longrepr = call.excinfo.value.msg  # the reason alone, as the CLI says it (JUnit's error message too)
    if isinstance(item, CheckItem) and (report.when == "call" or not_graded):
        outcome = getattr(item, "outcome", None)  # None: the check could not be graded (daemon down)
        graded = item.parent.outcome
        state = item.config.stash.get(GRADING, None)
        report.docker_grader = {
            "exercise": item.exercise.id, "lesson": item.exercise.lesson, "order": item.exercise.order,
            "score": outcome.score if outcome else 0, "max_score": outcome.max_score if outcome else item.check.points,
            "passed": report.passed,
            # Why it could not be graded, as the CLI's exit code: sent on to xdist's controller with the report.
            "exit_code": exit_code(item.parent.error) if not_graded and item.parent.error is not None else None,
            "passed_at": progress.shown_time(graded.passed_at) if graded is not None and graded.passed_at else "",
            "notes": [note.render(lang_of(item.config)) for note in state.notes] if state is not None else [],
        }
    return report


class ScoreTable:
    """The session's score table, from the checks' reports: in-process, or on xdist's controller."""

    def __init__(self, config: pytest.Config):
        self.config = config
        self.checks: list[dict] = []

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        data = getattr(report, "docker_grader", None)
        if data:
            self.checks.append(data)
            # --junitxml: the points as suite properties (the JUnit schema has none in a testcase), on the controller under xdist
            record_points(self.config, f"{data['exercise']}::{report.nodeid.rsplit('::', 1)[-1]}", data["score"], data["max_score"])

    def pytest_terminal_summary(self, terminalreporter) -> None:
        if not self.checks:
            return
        lang = lang_of(self.config)
        by_exercise: dict[tuple, list[dict]] = {}
        for check in self.checks:
            by_exercise.setdefault((check["lesson"], check["order"], check["exercise"]), []).append(check)
        terminalreporter.section("docker-grader")
        width = max(len(key[2]) for key in by_exercise)
        total = maximum = 0.0
        for key in sorted(by_exercise):
            found = by_exercise[key]
            score, top = sum(c["score"] for c in found), sum(c["max_score"] for c in found)
            total, maximum = total + score, maximum + top
            passed = msg("report.passed_checks", passed=sum(c["passed"] for c in found), total=len(found)).render(lang)
            earlier = f"  {msg('progress.earlier', time=found[0]['passed_at']).render(lang)}" if found[0]["passed_at"] else ""
            terminalreporter.write_line(f"{key[2].ljust(width)}  {points(score):>4}/{points(top):<4} {passed}{earlier}")
        terminalreporter.write_line(msg("report.total", score=points(total), max_score=points(maximum)).render(lang), bold=True)
        for note in dict.fromkeys(note for check in self.checks for note in check["notes"]):  # each once, also from xdist's workers
            terminalreporter.write_line(f"[docker-grader] {note}")

    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        """Records the passes this session saw (as ``check`` does); when the daemon could not be graded,
        the exit code ``check`` gives for the same error (3 for a daemon that is down, 2 for a damaged
        start point); the checks themselves are errors with the reason."""
        state = self.config.stash.get(GRADING, None)
        if state is not None:
            state.record()
        codes = [exit_code(self.config.stash[DAEMON_DOWN])] if DAEMON_DOWN in self.config.stash else []
        codes += [check["exit_code"] for check in self.checks if check["exit_code"] is not None]
        if codes:
            session.exitstatus = codes[0]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Only the exercises of --grader-exercise, when given; checks in lesson order (files are
    collected by name); other items keep their place. The session's grading knows the exercises
    chosen (the notes it gives depend on them)."""
    wanted = config.getoption("grader_exercise")
    if wanted:
        known = {item.exercise.id: item.exercise for item in items if isinstance(item, CheckItem)}
        try:
            chosen = {exercise.id for exercise in exercise_files.select(list(known.values()), wanted)}
        except GraderError as error:
            stop(error, lang_of(config))
        dropped = [item for item in items if isinstance(item, CheckItem) and item.exercise.id not in chosen]
        if dropped:
            config.hook.pytest_deselected(items=dropped)
            items[:] = [item for item in items if not (isinstance(item, CheckItem) and item.exercise.id not in chosen)]
    graded = [item for item in items if isinstance(item, CheckItem)]
    ordered = iter(sorted(graded, key=lambda item: (item.exercise.lesson, item.exercise.order, item.exercise.id)))
    items[:] = [next(ordered) if isinstance(item, CheckItem) else item for item in items]
    config.stash[EXERCISES] = list({item.exercise.id: item.exercise for item in items if isinstance(item, CheckItem)}.values())
