"""The run's one sandbox (checks.launcher): each line started in it, and nothing a line started outliving it.

No lab is needed: the sandbox's socket is a placeholder, and the lines run busybox-free programs
of /usr (sh, sleep). Counted, never timed: processes in the sandbox's cgroup, sandboxes started.
"""

from __future__ import annotations

import os
import shlex
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

from checks import launcher, submission
from checks.lab import cleanup
from checks.sandbox import Sandbox


@pytest.fixture
def box():
    scratch = Path(tempfile.mkdtemp(prefix="dg-launch-", dir="/tmp"))
    os.chmod(scratch, 0o711)
    (scratch / "api").mkdir(mode=0o711)
    placeholder = socket.socket(socket.AF_UNIX)
    placeholder.bind(str(scratch / "api" / "docker.sock"))
    empty = scratch / "submission"
    empty.mkdir()
    sandbox = Sandbox(scratch / "sandbox", scratch / "api" / "docker.sock")
    sandbox.prepare(empty)
    try:
        yield sandbox
    finally:
        sandbox.close()
        placeholder.close()
        subprocess.run(["rm", "-rf", str(scratch)], check=False)


def in_cgroup(sandbox: Sandbox) -> list[int]:
    """The processes in the sandbox's cgroup (bubblewrap, its init, the launcher and whatever a line left)."""
    return sorted({pid for procs in sandbox.cgroups["procs"] for pid in cleanup.read_pids(Path(procs))})


def line(text: str, number: int = 1) -> submission.Command:
    return submission.Command(number, text, tuple(shlex.split(text)))


def run_lines(sandbox: Sandbox, *texts: str, timeout: float = 20.0):
    commands = tuple(line(text, number) for number, text in enumerate(texts, 1))
    return submission.run(submission.CommandFile(Path("probe"), commands), sandbox, timeout, time.monotonic() + 60)


def test_every_line_runs_in_the_one_sandbox_started_for_the_run(box, monkeypatch):
    started = []
    popen = subprocess.Popen

    class Counting(popen):
        def __init__(self, args, *rest, **kwargs):
            started.append(args)
            super().__init__(args, *rest, **kwargs)

    monkeypatch.setattr(subprocess, "Popen", Counting)
    runs = run_lines(box, "sh -c 'echo one'", "sh -c 'echo two'", "sh -c 'exit 3'")
    assert [(r.exit_code, r.output) for r in runs] == [(0, "one\n"), (0, "two\n"), (3, "")]
    assert len(started) == 1 and "bwrap" in started[0]  # the grader starts no process per line: the launcher does


def test_what_a_line_leaves_running_is_killed_before_the_next_line(box):
    first = run_lines(box, "sh -c 'sleep 300 & sleep 300 & echo left'")
    assert first[0].exit_code == 0 and first[0].output == "left\n"
    settled = in_cgroup(box)  # bubblewrap, its init and the launcher: 3, and no sleep
    assert len(settled) == 3, [Path(f"/proc/{pid}/cmdline").read_bytes() for pid in settled]
    second = run_lines(box, "sh -c 'echo next'")
    assert second[0].output == "next\n" and in_cgroup(box) == settled


def test_a_line_past_its_timeout_is_killed_with_all_it_started(box):
    runs = run_lines(box, "sh -c 'sleep 300 & sleep 300'", timeout=1.0)
    assert runs[0].timed_out and runs[0].exit_code is None
    assert len(in_cgroup(box)) == 3
    assert run_lines(box, "sh -c 'echo after'")[0].output == "after\n"


def test_a_terminal_line_gets_a_terminal_without_being_its_controlling_process(box):
    runs = run_lines(box, "sh -c 'test -t 1 && echo tty; (exec 3</dev/tty) 2>/dev/null || echo no-controlling' -t")  # -t: a terminal line
    assert "tty" in runs[0].output and "no-controlling" in runs[0].output


def test_a_launcher_that_ends_leaves_the_rest_of_the_lines_a_sandbox_each(box):
    assert run_lines(box, "sh -c 'echo first'")[0].output == "first\n"
    box.session().process.kill()
    box.session().process.wait()
    runs = run_lines(box, "sh -c 'echo second'", "sh -c 'echo third'")
    assert [r.output for r in runs][-1] == "third\n"
    assert box.session() is None


def test_without_a_python_for_it_each_line_gets_a_sandbox_of_its_own(box, monkeypatch):
    monkeypatch.setattr(launcher, "PYTHONS", ("/nonexistent/python3",))
    assert run_lines(box, "sh -c 'echo alone'")[0].output == "alone\n"
    assert box.session() is None


def test_a_line_of_hundreds_of_kilobytes_reaches_its_program_whole(box):
    """A line's words are not bounded by a message size of the launcher's socket (a 100 kB label, twice)."""
    word = "A" * 100_000
    runs = run_lines(box, f"sh -c 'echo ${{#1}} ${{#2}}' probe {word} {word}", "sh -c 'echo still'")
    assert [r.output for r in runs] == ["100000 100000\n", "still\n"]
    assert box.session() is not None
