"""Fixtures for the project's own tests: a real Docker daemon of the tests' own.

The session starts one lab (registry + dockerd with its own data-root, exec-root,
socket and pidfile) and stops it at the end. A machine without dockerd makes these
tests fail loudly with what to install; they never skip.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

import docker
import pytest

from checks import exercises, grading
from checks.lab import Lab

ROOT = Path(__file__).resolve().parent.parent
EXERCISES = ROOT / "exercises"

pytest_plugins = ["pytester"]

FAST_LIST = ROOT / "tests" / "fast.txt"


def fast_list() -> tuple[list[str], list[str]]:
    """tests/fast.txt read: the files and tests it lists, and the tests (lines with `-`) it leaves out."""
    listed, left_out = [], []
    for line in FAST_LIST.read_text().splitlines():
        entry = line.strip()
        if entry and not entry.startswith("#"):
            (left_out if entry.startswith("-") else listed).append(entry.removeprefix("-"))
    return listed, left_out


def named_by(nodeid: str, entries: list[str]) -> bool:
    """Whether a test is one of the entries, or in a file or a test (all its parameters) they name."""
    return any(nodeid == entry or nodeid.startswith((entry + "::", entry + "[")) for entry in entries)


def pytest_configure(config):
    config.addinivalue_line("markers", "fast: listed in tests/fast.txt (no daemon, no lab): `pytest -m fast`")


def pytest_ignore_collect(collection_path, config):
    """`-m fast` collects only the files tests/fast.txt lists: the others may read files at import
    that mutmut's copy of the project does not hold, and importing them all is slow."""
    if config.getoption("markexpr", "").strip() == "fast" and collection_path.suffix == ".py" and collection_path.name.startswith("test_"):
        files = {entry.partition("::")[0] for entry in fast_list()[0]}
        path = collection_path.resolve()
        if path.is_relative_to(ROOT) and path.relative_to(ROOT).as_posix() not in files:
            return True
    return None


def pytest_collection_modifyitems(config, items):
    """Marks the tests tests/fast.txt lists `fast`, so that one list serves `pytest -m fast` and mutmut."""
    listed, left_out = fast_list()
    for item in items:
        if named_by(item.nodeid, listed) and not named_by(item.nodeid, left_out):
            item.add_marker(pytest.mark.fast)


@pytest.fixture(scope="session", autouse=True)
def no_baselines_of_the_machine(tmp_path_factory):
    """`docker-grader start` baselines of whoever runs the tests are not the tests' (checks.baseline)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("XDG_STATE_HOME", str(tmp_path_factory.mktemp("state")))
        yield


@pytest.fixture(scope="session", autouse=True)
def disk_cache(tmp_path_factory):
    """The tests' own disk cache (checks.cache): fuzzed exercise files never fill the machine's."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DOCKER_GRADER_CACHE", str(tmp_path_factory.mktemp("cache")))
        yield


@pytest.fixture(scope="session")
def lab():
    """The tests' own daemon. --debug makes dockerd log every API request it serves."""
    scratch = Path(tempfile.mkdtemp(prefix="dgt-", dir="/tmp"))
    with Lab("tests", scratch / "lab", debug=True).running() as the_lab:
        yield the_lab
    shutil.rmtree(scratch, ignore_errors=True)


class Daemon:
    """Test-side control of the lab's daemon: the tests change it, grading only reads it."""

    def __init__(self, lab: Lab):
        self.lab = lab
        self.api = docker.APIClient(base_url=lab.host, version="auto", timeout=120)

    def docker(self, *args: str, check: bool = True) -> str:
        """Runs the docker CLI against the lab, as a student would."""
        env = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin:/usr/local/bin", "HOME": "/tmp", **self.lab.environment()}
        done = subprocess.run(["docker", *args], capture_output=True, text=True, env=env, timeout=120)
        if check and done.returncode != 0:
            raise AssertionError(f"docker {' '.join(args)} failed: {done.stderr}")
        return done.stdout

    def reset(self) -> None:
        self.api.prune_containers()  # one request for the stopped ones, however many (5,000 in a test)
        for container in self.api.containers(all=True):
            self.api.remove_container(container["Id"], force=True)
        for image in self.api.images():
            self.api.remove_image(image["Id"], force=True)

    def grade(self, exercise_id: str):
        chosen = exercises.select(exercises.load([EXERCISES]), [exercise_id])
        report = grading.grade_daemon(chosen, host=self.lab.host)
        assert report.error is None, report.error.render("en")
        return report.exercises[0]


@pytest.fixture
def daemon(lab):
    """The lab's daemon, emptied of containers and images before the test."""
    control = Daemon(lab)
    control.reset()
    yield control
    control.api.close()


def failed(outcome) -> dict[str, str]:
    """Failed checks of an exercise outcome, by name, with what was found (in en)."""
    return {c.check.name: c.result.found.render("en") for c in outcome.checks if not c.passed}
