"""Grading a class: submissions side by side, each in a lab of its own; a crash or a timeout stops only itself."""

from __future__ import annotations

import csv
import io
import json
import os
import sys
import tempfile
from pathlib import Path

import pytest

from checks import batch, cli
from checks.lab import Lab
from checks.sandbox import Sandbox

from conftest import EXERCISES, ROOT
from test_lab import leftovers

# Runs `docker-grader run`, noting each lab it starts; "crash" dies (SIGKILL) in the middle of grading,
# with its lab, sandbox and boundary up. With DG_BARRIER=n, a run waits after its lab is up until n
# labs are (at most 60 s), so runs side by side are really up at the same time.
WORKER = """
import os, signal, sys, time
from pathlib import Path
from checks import cli, runner
from checks.lab import Lab
log, name = Path(os.environ["DG_LOG"]), Path(sys.argv[1]).name
up, grade_one = Lab.up, runner._grade_one

def noted_up(self, *args, **kwargs):
    result = up(self, *args, **kwargs)
    with open(log, "a") as out:
        out.write(f"up {name} {self.root}\\n")
    barrier = int(os.environ.get("DG_BARRIER", "0"))
    deadline = time.monotonic() + 60
    while log.read_text().count("up ") < barrier and time.monotonic() < deadline:
        time.sleep(0.05)
    return result

def crashing(*args, **kwargs):
    if name == "crash":
        os.kill(os.getpid(), signal.SIGKILL)
    return grade_one(*args, **kwargs)

Lab.up, runner._grade_one = noted_up, crashing
code = cli.main(["run", *sys.argv[1:]])
with open(log, "a") as out:
    out.write(f"end {name}\\n")
sys.exit(code)
"""


@pytest.fixture
def base(monkeypatch):
    """The batch's scratch folders go here (tempfile's folder), to be found empty at the end."""
    path = Path(tempfile.mkdtemp(prefix="dgb-", dir="/tmp"))
    os.chmod(path, 0o711)
    monkeypatch.setattr(tempfile, "tempdir", str(path))
    yield path
    import shutil

    shutil.rmtree(path, ignore_errors=True)


def grade(folder: Path, results: Path, log: Path, options: list[str], jobs: int, timeout: float = 600, **env: str) -> list:
    saved = dict(os.environ)  # the workers inherit these; the session's own environment is given back after
    os.environ.update({"DG_LOG": str(log), "PYTHONPATH": str(ROOT), **env})
    try:
        return batch.grade_class(folder, results, ["--lang", "en", "--exercises", str(EXERCISES), *options], jobs, timeout,
                                 worker=(sys.executable, "-c", WORKER))
    finally:
        os.environ.clear()
        os.environ.update(saved)


def labs_noted(log: Path) -> dict[str, Lab]:
    return {line.split()[1]: Lab("noted", Path(line.split()[2])) for line in log.read_text().splitlines() if line.startswith("up ")}


def test_runs_side_by_side_never_touch_each_others_labs(tmp_path, base):
    folder, results, log = tmp_path / "class", tmp_path / "results", tmp_path / "log"
    for name, lines in (("alice", "docker pull alpine:3.14\ndocker run --name from-alice hello-world\ndocker ps -a\n"),
                        ("bob", "docker ps -a\ndocker images\n")):
        (folder / name).mkdir(parents=True)
        (folder / name / "pull-alpine").write_text(lines)
    graded = grade(folder, results, log, ["--exercise", "pull-alpine"], jobs=2, DG_BARRIER="2")
    events = [line.split()[0] for line in log.read_text().splitlines()]
    assert events[:2] == ["up", "up"]  # both labs were up before either run ended
    labs = labs_noted(log)
    assert labs["alice"].root != labs["bob"].root and labs["alice"].tag != labs["bob"].tag
    by_name = {g.submission: g for g in graded}
    assert (by_name["alice"].score, by_name["alice"].status) == (3, "passed")
    bob = json.loads((results / "bob" / "result.json").read_text())
    assert bob["exercises"][0]["checks"][0]["passed"] is False  # alice's pull is not in bob's lab
    outputs = "".join(c["output"] for c in bob["exercises"][0]["commands"])
    assert "from-alice" not in outputs and "alpine" not in outputs
    assert "from-alice" in json.loads((results / "alice" / "result.json").read_text())["exercises"][0]["commands"][2]["output"]
    assert all(leftovers(lab) == [] for lab in labs.values())
    assert list(base.iterdir()) == []


def test_a_crash_and_a_timeout_stop_only_themselves_and_leave_nothing(tmp_path, base):
    folder, results, log = tmp_path / "class", tmp_path / "results", tmp_path / "log"
    for name, lines in (("crash", "docker run alpine:3.14 sleep 600\n"), ("hang", "docker run alpine:3.14 sleep 600\n"),
                        ("ok", "docker run hello-world\ndocker run hello-world\n")):
        (folder / name).mkdir(parents=True)
        (folder / name / "run-hello-world").write_text(lines)
    (results / "crash").mkdir(parents=True)
    (results / "crash" / "result.json").write_text('{"score": 9, "max_score": 9, "status": "passed"}')  # an earlier batch's
    graded = grade(folder, results, log, ["--exercise", "run-hello-world", "--timeout", "600"], jobs=2, timeout=20)
    assert [(g.submission, g.status) for g in graded] == [("crash", "crashed"), ("hang", "timeout"), ("ok", "passed")]
    assert [(g.score, g.max) for g in graded] == [(0, 0), (0, 0), (4, 4)]  # no report: stale ones are not read
    labs = labs_noted(log)
    assert sorted(labs) == ["crash", "hang", "ok"]
    for lab in labs.values():
        assert leftovers(lab) == []
        assert not [path for path in Path("/sys/fs/cgroup").glob("*/docker-grader-cli-*")
                    if Sandbox(lab.root.parent / "sandbox", lab.root.parent / "api").tag in str(path)]
    assert list(base.iterdir()) == []
    summary = list(csv.DictReader(io.StringIO((results / "summary.csv").read_text())))
    assert [(row["submission"], row["score"], row["max"], row["status"]) for row in summary] == [
        ("crash", "0", "0", "crashed"), ("hang", "0", "0", "timeout"), ("ok", "4", "4", "passed")]
    assert [line["submission"] for line in json.loads((results / "summary.json").read_text())] == ["crash", "hang", "ok"]
    assert (results / "ok" / "result.txt").read_text().strip()


def test_a_class_folder_without_subfolders_is_exit_2(tmp_path, capsys):
    (tmp_path / "pull-alpine").write_text("docker pull alpine:3.14\n")
    assert cli.main(["run", str(tmp_path), "--jobs", "2", "--lang", "en", "--results", str(tmp_path / "r")]) == 2
    assert "has no subfolders: to grade a class" in capsys.readouterr().err
    assert cli.main(["run", str(tmp_path), "--jobs", "0", "--lang", "en"]) == 2
    (tmp_path / "alice").mkdir()
    assert cli.main(["run", str(tmp_path), "--jobs", "1", "--lang", "en", "--results", str(tmp_path / "pull-alpine" / "r")]) == 2
    assert "pull-alpine/r" in capsys.readouterr().err


def test_the_progress_bar_is_drawn_on_a_terminal_only():
    class Stream(io.StringIO):
        def __init__(self, tty: bool):
            super().__init__()
            self.tty = tty

        def isatty(self) -> bool:
            return self.tty

    shown, hidden = Stream(True), Stream(False)
    for stream in (shown, hidden):
        bar = batch.ProgressBar("en", stream, width=4)
        bar(0, 2, 1)
        bar(2, 2, 0)
    assert hidden.getvalue() == ""
    assert shown.getvalue() == "\r[....] 0/2 submissions graded, 1 running\x1b[K\r[####] 2/2 submissions graded, 0 running\x1b[K\n"
