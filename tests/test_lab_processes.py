"""The lab's processes are found by what the lab recorded when it started them, never by a command line."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from checks.lab import Lab, processes


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
