"""``docker-grader watch`` on the tests' own daemon: the lesson followed live, its cost per burst of
events, Ctrl-C, and a daemon that goes away.

watch runs as a student runs it, in a process of its own, stopped with SIGINT (Ctrl-C). The tests
wait for its lines (each ✔ as it is reached), never for a time.
"""

from __future__ import annotations

import json
import os
import queue
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

import pytest

from conftest import EXERCISES, ROOT, Daemon
from test_events_daemon import tag_and_untag
from test_requests import served
from test_selfcheck import TOTAL, check, images_lesson, start

from checks.errors import EXIT_DAEMON
from checks.lab import Lab

WAIT = 120  # seconds a line of watch's may take on a loaded machine, at most


@pytest.fixture(autouse=True)
def state(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))  # the watch process inherits it


class Watching:
    """``docker-grader watch`` in a process of its own; its stderr lines as they come."""

    def __init__(self, host: str, *extra: str):
        command = [sys.executable, "-m", "checks", "watch", "--host", host, "--exercises", str(EXERCISES), "--lang", "en", *extra]
        self.process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT)
        self.lines: queue.Queue = queue.Queue()
        self.seen: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.process.stderr:
            self.lines.put(line.rstrip("\n"))
        self.lines.put(None)

    def wait_for(self, text: str) -> str:
        """The first line from now on that holds ``text``."""
        while True:
            try:
                line = self.lines.get(timeout=WAIT)
            except queue.Empty:
                raise AssertionError(f"watch never said {text!r}; it said: {self.seen}") from None
            if line is None:
                raise AssertionError(f"watch ended before saying {text!r}; it said: {self.seen}")
            self.seen.append(line)
            if text in line:
                return line

    def stop(self) -> tuple[int, str]:
        """Ctrl-C: its exit code and what it printed on stdout (the summary)."""
        self.process.send_signal(signal.SIGINT)
        out = self.process.stdout.read()
        return self.process.wait(WAIT), out

    def end(self) -> int:
        out = self.process.stdout.read()
        self.out = out
        return self.process.wait(WAIT)

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()


@pytest.fixture
def watching():
    started: list[Watching] = []

    def begin(host: str, *extra: str) -> Watching:
        started.append(Watching(host, *extra))
        return started[-1]

    yield begin
    for one in started:
        one.close()


def test_the_images_lesson_with_watch_running_and_no_check_ends_with_full_marks(daemon, lab, capsys, watching):
    start(lab.host, capsys)
    watch = watching(lab.host, "--format", "json")
    assert watch.wait_for("→ next: ") == (
        "[docker-grader] → next: run-hello-world — Run the hello-world image; hint: Run `docker run hello-world`: "
        "the hello-world:latest image is pulled from the registry on its own."
    )
    watch.wait_for("watching the daemon at ")
    reached = {
        "run hello-world": "✔ run-hello-world",
        "pull alpine": "✔ pull-alpine",
        "run hello-world again": "✔ two-containers-one-image",
        "rm -f": "✔ remove-containers",
        "rmi": "✔ remove-images",
    }
    for step in images_lesson(daemon):
        watch.wait_for(reached[step])  # as a student would, before the next command
    watch.wait_for("every exercise passed: 17/17 points")
    code, out = watch.stop()
    summary = json.loads(out)
    assert (code, summary["score"], summary["max_score"]) == (0, TOTAL, TOTAL)

    code, document, _ = check(lab.host, capsys)  # what watch saw pass, recorded as check records it
    assert (code, document["score"]) == (0, TOTAL)
    assert all(e["passed_at"] for e in document["exercises"])


def test_a_burst_of_100_events_costs_one_grading(daemon, lab, capsys, watching):
    daemon.docker("pull", "hello-world")
    start(lab.host, capsys)
    watch = watching(lab.host)
    watch.wait_for("watching the daemon at ")

    def burst() -> None:
        tag_and_untag(daemon, 50)  # 100 events, no verdict changed...
        daemon.docker("run", "hello-world")  # ...and the last one changes one: watch says so
        watch.wait_for("✔ run-hello-world")

    requests = served(lab, burst)
    assert watch.stop()[0] == 1
    # The grader's own requests (the test's client sent the tags, removals and the run): a grading
    # is one /info, one list of each kind and one read of the events since start.
    graded = {path: sum(1 for _, sent in requests if sent.startswith(path)) for path in ("/info", "/containers/json?all=1", "/images/json", "/events?")}
    # One grading per burst: a stall of the tests' own client longer than watch's quiet time may split it in two.
    assert 1 <= graded["/containers/json?all=1"] <= 2, requests
    assert set(graded.values()) == {graded["/containers/json?all=1"]}, graded


@pytest.fixture
def lab_to_stop():
    """A daemon of the test's own, stopped during the test."""
    scratch = Path(tempfile.mkdtemp(prefix="dgt3-", dir="/tmp"))
    with Lab("tests-stopped", scratch / "lab").running() as the_lab:
        yield the_lab
    shutil.rmtree(scratch, ignore_errors=True)


def test_a_daemon_that_goes_away_ends_watch_with_one_line_and_exit_3(lab_to_stop, capsys, watching):
    Daemon(lab_to_stop).reset()
    watch = watching(lab_to_stop.host)
    watch.wait_for("watching the daemon at ")
    os.kill(lab_to_stop.read_state()["dockerd_pid"], signal.SIGTERM)  # its dockerd only: `lab down` would end watch too (its argv names the lab)
    assert watch.end() == EXIT_DAEMON
    # The stream ends ("stopped answering"), or the daemon's last events start a grading that finds it gone ("not answering")
    error = watch.wait_for(f"the Docker daemon at {lab_to_stop.host} ")
    assert "stopped answering during grading" in error or "is not answering" in error
    assert watch.lines.get(timeout=WAIT) is None  # one line, and no traceback after it
    assert not any("Traceback" in line for line in watch.seen)


def test_watch_of_a_daemon_that_is_not_there_is_exit_3(tmp_path, watching):
    watch = watching(f"unix://{tmp_path}/none.sock")
    assert watch.end() == EXIT_DAEMON
    assert "is not answering" in watch.wait_for("is not answering")


def test_ctrl_c_prints_the_summary_as_check_does(daemon, lab, watching):
    watch = watching(lab.host)
    watch.wait_for("watching the daemon at ")
    code, out = watch.stop()
    assert code == 1 and "Total: 5/17 points" in out  # no start: the daemon graded as it is, as `check` grades it
    assert not any("Traceback" in line for line in watch.seen)
