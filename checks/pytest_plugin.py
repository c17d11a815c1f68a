"""pytest front end: ``pytest --grader`` grades the daemon, one test item per check.

Loaded only when a run asks for grading (``docker_grader_pytest``, the entry point, has the options
and decides). Exercise files under the exercises folder (``--grader-exercises``, the
``grader_exercises`` ini option, or the CLI's default with ``--grader``) become
``<file>::<exercise-id>::<check>`` items, so ``-k`` selects by exercise or check; a hidden check's
item is named ``hidden-<n>``, its place in the exercise. A failure reads as the check's hint and
what was found; the session ends with a score table, built from the test reports, so that it comes
out under xdist too; ``--junitxml`` records each check's points as suite properties. The daemon is read
once per session (per worker under xdist): the snapshot behind the ``docker_grader_snapshot``
fixture is the one every item grades. A daemon that is down fails every check with the reason, and
the session exits with 3.
An exercise with services of its own (``compose:``) brings them up before its first check and
down after its last, and grades on a snapshot read while they run (checks.services, with
pytest-docker; its fixtures are set here for Debian's docker-compose 1.29 on the graded daemon).
"""

from __future__ import annotations

import contextlib
from pathlib import Path

import pytest

from checks import courses, grading
from checks import exercises as exercise_files
from checks import probe, services
from checks import lang as language
from checks.daemon import DaemonClient, connect, read_snapshot, resolve_endpoint
from checks.errors import EXIT_DAEMON, DaemonError, ExerciseError, GraderError
from checks.model import Check, Exercise
from checks.messages import msg
from checks.report.junit import record_points
from checks.report.rows import message, points
from checks.results import CheckOutcome, Result
from checks.snapshot import Snapshot

CLIENT = pytest.StashKey[DaemonClient]()
SNAPSHOT = pytest.StashKey[Snapshot]()
FOLDER = pytest.StashKey[Path]()
DAEMON_DOWN = pytest.StashKey[GraderError]()

pytest_plugins = ["docker_grader_pytest"]  # the options, when this module is named in a conftest


def pytest_configure(config: pytest.Config) -> None:
    config.pluginmanager.register(ScoreTable(config), "docker-grader-scores")
    try:
        config.stash[FOLDER] = exercises_dir(config)
    except GraderError as error:
        raise pytest.UsageError(error.render(language.choose(config.getoption("grader_lang")))) from None
    given = config.getoption("grader") or config.getoption("grader_exercises")
    if given and config.args_source != pytest.Config.ArgsSource.ARGS:
        config.args = [str(config.stash[FOLDER])]  # no path on the command line: the exercises themselves


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


def snapshot_for(config: pytest.Config) -> Snapshot:
    """The session's one snapshot, read on first use. A daemon that is down is tried once: every
    check then fails with its reason, and the session's exit code is 3."""
    if DAEMON_DOWN in config.stash:
        raise config.stash[DAEMON_DOWN]
    if SNAPSHOT not in config.stash:
        try:
            client = connect(config.getoption("grader_host"))
            config.stash[CLIENT] = client
            config.stash[SNAPSHOT] = read_snapshot(client)
        except GraderError as error:
            config.stash[DAEMON_DOWN] = error
            raise
    return config.stash[SNAPSHOT]


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
        self.snapshot: Snapshot | None = None  # its own, read while its services run (compose:)
        self.error: GraderError | None = None
        self._services = contextlib.ExitStack()

    def setup(self) -> None:
        """An exercise with services of its own: up (checks.services, through pytest-docker) before its checks."""
        if not self.exercise.compose:
            return
        snapshot_for(self.config)  # the session's snapshot first: other exercises never see these services
        client = self.config.stash[CLIENT]
        try:
            command = services.daemon_command(client.endpoint.host, self.config.rootpath)
            self._services.enter_context(services.running(self.exercise, command, probe.for_host(client.endpoint.host)))
            self.snapshot = services.services_snapshot(self.exercise, client)
        except GraderError as error:
            self.error = error

    def teardown(self) -> None:
        """Down, whatever happened: after the last check, on a failure, and on Ctrl-C (pytest tears down then too)."""
        try:
            self._services.close()
        except GraderError as error:
            pytest.fail(error.render(lang_of(self.config)), pytrace=False)

    def collect(self):
        for index, check in enumerate(self.exercise.checks, 1):
            yield CheckItem.from_parent(self, name=item_name(check, index), check=check, exercise=self.exercise)


def item_name(check: Check, index: int) -> str:
    """A check's item name: its own, or for a hidden check one that tells nothing, its place in the exercise."""
    return f"hidden-{index}" if check.visibility == "hidden" else check.name


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
        self.outcome: CheckOutcome | None = None

    def runtest(self) -> None:
        node = self.parent
        if node.error is not None:  # the exercise's services did not come up: every check fails with why
            result = Result(False, node.error.message)
        else:
            result = grading.evaluate(self.check, node.snapshot or snapshot_for(self.config))
        outcome = CheckOutcome(self.check, result)
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
    if isinstance(item, CheckItem) and report.when == "call":
        outcome = getattr(item, "outcome", None)  # None: the check could not be graded (daemon down)
        report.docker_grader = {
            "exercise": item.exercise.id, "lesson": item.exercise.lesson, "order": item.exercise.order,
            "score": outcome.score if outcome else 0, "max_score": outcome.max_score if outcome else item.check.points,
            "passed": report.passed,
            "down": call.excinfo is not None and isinstance(call.excinfo.value, DaemonError),
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
            terminalreporter.write_line(f"{key[2].ljust(width)}  {points(score):>4}/{points(top):<4} {passed}")
        terminalreporter.write_line(msg("report.total", score=points(total), max_score=points(maximum)).render(lang), bold=True)

    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        """Exit code 3 when the daemon was down, as the CLI's; the checks themselves failed with the reason."""
        if DAEMON_DOWN in self.config.stash or any(check["down"] for check in self.checks):
            session.exitstatus = EXIT_DAEMON


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Only the exercises of --grader-exercise, when given; checks in lesson order (files are
    collected by name); other items keep their place."""
    wanted = config.getoption("grader_exercise")
    if wanted:
        known = {item.exercise.id: item.exercise for item in items if isinstance(item, CheckItem)}
        try:
            chosen = {exercise.id for exercise in exercise_files.select(list(known.values()), wanted)}
        except GraderError as error:
            raise pytest.UsageError(error.render(lang_of(config))) from None
        dropped = [item for item in items if isinstance(item, CheckItem) and item.exercise.id not in chosen]
        if dropped:
            config.hook.pytest_deselected(items=dropped)
            items[:] = [item for item in items if not (isinstance(item, CheckItem) and item.exercise.id not in chosen)]
    graded = [item for item in items if isinstance(item, CheckItem)]
    ordered = iter(sorted(graded, key=lambda item: (item.exercise.lesson, item.exercise.order, item.exercise.id)))
    items[:] = [next(ordered) if isinstance(item, CheckItem) else item for item in items]
