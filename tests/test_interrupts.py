"""`run` interrupted by SIGTERM or SIGINT: a report in every format, written before the teardown,
and a teardown that a second signal cannot cut short. Each run is a process of its own, as CI runs it."""

from __future__ import annotations

import base64
import json
import os
import selectors
import signal
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import pytest

from checks.lab import Lab
from checks.sandbox import Sandbox

from conftest import EXERCISES, ROOT
from test_lab import leftovers, wait_for_a_running_container

FIRST, SECOND = "run-hello-world", "pull-alpine"  # the course's first two exercises, in lesson order


@pytest.fixture
def scratch():
    """The run's TMPDIR: its dg-run-* folder (lab, sandbox) is made here, and must be gone after."""
    path = Path(tempfile.mkdtemp(prefix="dgi-", dir="/tmp"))
    os.chmod(path, 0o711)
    yield path
    import shutil

    shutil.rmtree(path, ignore_errors=True)


def submission(tmp_path: Path) -> Path:
    folder = tmp_path / "submission"
    folder.mkdir()
    (folder / FIRST).write_text("docker run hello-world\ndocker run hello-world\n")
    (folder / SECOND).write_text("docker run alpine:3.14 sleep 600\n")  # busy when the signal comes
    return folder


class Run:
    """`docker-grader run` in a process of its own, with its progress lines read as they come."""

    def __init__(self, folder: Path, out: Path, scratch: Path):
        self.out = out
        argv = [sys.executable, "-m", "checks", "run", str(folder), FIRST, SECOND, "--lang", "en", "--exercises", str(EXERCISES),
                "--timeout", "600", "--format", "json", "--output", str(out / "result.json"),
                "--report", f"text={out / 'result.txt'}", "--report", f"junit={out / 'result.xml'}", "--github-output"]
        env = {**os.environ, "PYTHONPATH": str(ROOT), "TMPDIR": str(scratch), "GITHUB_OUTPUT": str(out / "github-output")}
        out.mkdir()
        (out / "github-output").write_text("")
        self.process = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env, text=True)
        self.lines: list[str] = []

    def wait_for(self, text: str, limit: float = 300) -> None:
        """Reads progress until a line holds ``text`` (the limit only keeps a broken run from hanging the suite)."""
        selector = selectors.DefaultSelector()
        selector.register(self.process.stderr, selectors.EVENT_READ)
        deadline = time.monotonic() + limit
        while time.monotonic() < deadline:
            if selector.select(1):
                line = self.process.stderr.readline()
                if not line:
                    break
                self.lines.append(line)
                if text in line:
                    return
        raise AssertionError(f"no {text!r} in {self.lines}")

    def end(self) -> int:
        self.lines += self.process.stderr.readlines()
        return self.process.wait(120)


def assert_interrupted_reports(out: Path, name: str) -> None:
    document = json.loads((out / "result.json").read_text())
    assert document["status"] == "error" and document["error"].startswith(f"interrupted by {name} after 1 of 2 exercise(s)")
    first, second = document["exercises"]
    assert first["id"] == FIRST and first["score"] == first["max_score"] > 0 and len(first["commands"]) == 2  # kept
    assert second["id"] == SECOND and second["score"] == 0 and "commands" not in second
    assert all(check["message"].startswith("not graded: interrupted") for check in second["checks"])
    assert document["score"] == first["score"] and document["max_score"] > first["score"]
    text = (out / "result.txt").read_text()
    assert f"interrupted by {name}" in text and "Total:" in text
    suite = ElementTree.parse(out / "result.xml").getroot()  # whole: it parses
    assert "interrupted" in ElementTree.tostring(suite, encoding="unicode")
    (line,) = (out / "github-output").read_text().splitlines()  # GitHub Classroom's result, base64-encoded
    classroom = json.loads(base64.b64decode(line.removeprefix("result=")))
    assert classroom and "interrupted" in json.dumps(classroom)


def left_by_the_run(scratch: Path, runs: list[Path]) -> list[str]:
    """What the runs (their dg-run-* folders, noted while they were up) left: folders, the lab's
    processes, mounts and cgroups, and the sandbox's cgroups."""
    labs = [Lab("left", run / "lab") for run in runs]
    mounts = [line for line in Path("/proc/self/mountinfo").read_text().splitlines() if str(scratch) in line]
    tags = [Sandbox(run / "sandbox", run / "api" / "docker.sock").tag for run in runs]
    cgroups = [str(path) for tag in tags for path in Path("/sys/fs/cgroup").glob(f"**/{tag}*")]
    return [str(path) for path in scratch.glob("dg-run-*")] + [item for lab in labs for item in leftovers(lab)] + mounts + cgroups


def runs_under(scratch: Path) -> list[Path]:
    runs = list(scratch.glob("dg-run-*"))
    assert len(runs) == 1
    return runs


def test_sigterm_mid_exercise_writes_every_report_then_tears_down(tmp_path, scratch):
    out = tmp_path / "out"
    run = Run(submission(tmp_path), out, scratch)
    run.wait_for(f"exercise {SECOND}")
    runs = runs_under(scratch)
    wait_for_a_running_container(Lab("busy", runs[0] / "lab"))  # its sleep 600 is running
    run.process.send_signal(signal.SIGTERM)
    assert run.end() == 130
    assert_interrupted_reports(out, "SIGTERM")
    assert left_by_the_run(scratch, runs) == []
    assert not any("Traceback" in line for line in run.lines)


def test_a_second_sigint_during_teardown_waits_for_it(tmp_path, scratch):
    out = tmp_path / "out"
    run = Run(submission(tmp_path), out, scratch)
    run.wait_for(f"exercise {SECOND}")
    runs = runs_under(scratch)
    wait_for_a_running_container(Lab("busy", runs[0] / "lab"))
    run.process.send_signal(signal.SIGINT)
    run.wait_for("stopping lab")  # teardown has begun
    run.process.send_signal(signal.SIGINT)
    run.process.send_signal(signal.SIGTERM)
    assert run.end() == 130
    assert_interrupted_reports(out, "SIGINT")
    assert left_by_the_run(scratch, runs) == []
    assert not any("Traceback" in line for line in run.lines)


def test_the_labs_dockerd_killed_mid_run_still_writes_every_report(tmp_path, scratch):
    out = tmp_path / "out"
    run = Run(submission(tmp_path), out, scratch)
    run.wait_for(f"exercise {SECOND}")
    runs = runs_under(scratch)
    wait_for_a_running_container(Lab("busy", runs[0] / "lab"))
    (lab,) = [Lab("killed", path / "lab") for path in runs]
    os.kill(lab.read_state()["dockerd_pid"], signal.SIGKILL)
    run.wait_for("stopping lab")
    assert (out / "result.json").exists() and (out / "result.txt").exists()  # written before the teardown began
    assert run.end() == 3
    document = json.loads((out / "result.json").read_text())
    first, second = document["exercises"]
    assert first["score"] == first["max_score"] > 0 and second["score"] == 0
    assert document["status"] == "error" and ("stopped answering" in document["error"] or "not answering" in document["error"])
    assert "Total:" in (out / "result.txt").read_text()
    ElementTree.parse(out / "result.xml")
    assert left_by_the_run(scratch, runs) == []
