"""The lab's processes are found by what the lab recorded when it started them, never by a command line."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

import docker
import pytest

from checks import lab as lab_module
from checks.errors import LabError
from checks.lab import Lab, Resources, processes

from conftest import ROOT


@pytest.fixture
def scratch():
    path = Path(tempfile.mkdtemp(prefix="dgp-", dir="/tmp"))
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture
def bystanders():
    """Processes of someone else's, stopped at the end of the test whatever happened."""
    started: list[subprocess.Popen] = []
    yield started
    for process in started:
        process.kill()
        process.wait()


def test_an_unrelated_process_whose_arguments_name_the_lab_survives_down(scratch, bystanders):
    lab = Lab("named", scratch / "named")
    lab.up()
    try:
        # Someone reading the lab's log, and a program that names the lab's folder and tag in its arguments.
        bystanders.append(subprocess.Popen(["tail", "-f", str(lab.dockerd_log)], stdout=subprocess.DEVNULL))
        bystanders.append(subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)", str(lab.root), lab.tag, str(lab.data_root)]))
    finally:
        assert lab.down() is True
    assert [process.poll() for process in bystanders] == [None, None]
    assert not lab.root.exists()


def test_a_recorded_pid_that_now_belongs_to_another_process_is_left_alone(bystanders):
    bystanders.append(subprocess.Popen(["sleep", "600"]))
    pid = bystanders[0].pid
    identity = {"pid": pid, "start": processes.start_time(pid)}
    assert processes.alive(identity)
    reused = {**identity, "start": identity["start"] - 1}  # the pid of a process that ended; the number came back
    assert not processes.alive(reused)
    processes.kill([reused, None, {"pid": None}])
    assert bystanders[0].poll() is None
    processes.kill([identity])
    assert bystanders[0].poll() is not None


def lab_command(scratch: Path, *args: str, prelude: str = "") -> list[str]:
    """`docker-grader lab ...` in a process of its own (``prelude`` runs first, in that interpreter)."""
    code = f"{prelude}\nfrom checks import cli\nraise SystemExit(cli.main({list(args)!r}))"
    return [sys.executable, "-c", code]


def environment(scratch: Path) -> dict:
    return {**os.environ, "DOCKER_GRADER_LABS": str(scratch), "PYTHONPATH": str(ROOT)}


def test_three_lab_ups_at_once_with_one_name_make_one_lab(scratch):
    starts = [subprocess.Popen(lab_command(scratch, "lab", "up", "--name", "race", "--lang", "en"), env=environment(scratch),
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(3)]
    outcomes = [(start.wait(timeout=300), start.stderr.read()) for start in starts]
    for start in starts:
        start.stdout.close()
        start.stderr.close()
    lab = Lab("race", scratch / "race")
    try:
        assert [code for code, _ in outcomes] == [0, 0, 0]
        assert not any("Traceback" in err for _, err in outcomes)
        assert sorted("lab race is ready" in err for _, err in outcomes) == [False, False, True]
        assert sorted("is up already" in err for _, err in outcomes) == [False, True, True]
        assert lab.status() == "up"
        assert [found.name for found in labs_in(scratch)] == ["race"]
    finally:
        lab.down()
    assert not lab.root.exists() and not lab.data_root.exists()


def labs_in(scratch: Path) -> list[Lab]:
    return [Lab(path.name, path) for path in sorted(scratch.iterdir()) if (path / "lab.json").exists()]


# The images are pushed in well under a second; a pause before each keeps the process there long
# enough for the signal to land during the push, every time.
SLOW_PUSH = """
import time
from checks.lab import images
_push = images.push
images.push = lambda *args: (time.sleep(0.3), _push(*args))[1]
"""


def test_sigterm_during_the_push_leaves_no_lab_that_status_calls_up(scratch):
    start = subprocess.Popen(lab_command(scratch, "lab", "up", "--name", "cut", "--lang", "en", prelude=SLOW_PUSH),
                             env=environment(scratch), stderr=subprocess.PIPE, text=True)
    for line in start.stderr:
        if "pushing" in line:
            start.send_signal(signal.SIGTERM)
            break
    start.wait(timeout=60)
    start.stderr.close()
    lab = Lab("cut", scratch / "cut")
    try:
        assert lab.root.exists()  # cut short, not cleaned: SIGTERM ends `lab up` where it is
        assert lab.status() == "broken"
        status = subprocess.run(lab_command(scratch, "lab", "status"), env=environment(scratch), capture_output=True, text=True)
        assert status.stdout.startswith("cut  broken  ")
        assert lab.up() is True  # made again from the start, not "up already"
        api = docker.APIClient(base_url=lab.host, version="auto")
        api.pull("alpine:3.14")
        assert api.images("alpine")
        api.close()
    finally:
        lab.down()


def test_a_dockerd_that_ends_during_start_is_exit_4_quoting_its_log(scratch, monkeypatch):
    monkeypatch.setattr(lab_module, "READY_TIMEOUT", 10.0)
    lab = Lab("ends", scratch / "ends", resources=Resources(nofile="not-a-limit"))
    with pytest.raises(LabError) as raised:
        lab.up()
    text = raised.value.render("en")
    assert "the lab's dockerd ended while the lab was starting" in text
    assert "nofile=not-a-limit" in text  # dockerd's own words, from its log
    assert raised.value.exit_code == 4
    assert not lab.root.exists()
