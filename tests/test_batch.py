"""Grading a class: submissions side by side, each in a lab of its own; a crash or a timeout stops only itself."""

from __future__ import annotations

import csv
import importlib.util
import io
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from checks import batch, cli
from checks.lab import Lab
from checks.sandbox import Sandbox

from conftest import EXERCISES, ROOT
from test_lab import leftovers, live_processes_mentioning, wait_for_a_running_container

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


def grade(folder: Path, results: Path, log: Path, options: list[str], jobs: int, timeout: float = 600, **env: str) -> batch.Outcome:
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
    graded = grade(folder, results, log, ["--exercise", "pull-alpine"], jobs=2, DG_BARRIER="2").graded
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
    outcome = grade(folder, results, log, ["--exercise", "run-hello-world", "--timeout", "600"], jobs=2, timeout=20)
    graded = outcome.graded
    assert [(g.submission, g.status) for g in graded] == [("crash", "crashed"), ("hang", "timeout"), ("ok", "passed")]
    assert outcome.exit_code == 4  # no report from two runs: the grading machinery did not finish, not a failed check
    # crash: no report, and the stale one is not read; hang: its own report, written when it was stopped (SIGTERM)
    assert [(g.score, g.max) for g in graded] == [(0, 0), (0, 4), (4, 4)]
    labs = labs_noted(log)
    assert sorted(labs) == ["crash", "hang", "ok"]
    for lab in labs.values():
        assert leftovers(lab) == []
        assert not [path for path in Path("/sys/fs/cgroup").glob("*/docker-grader-cli-*")
                    if Sandbox(lab.root.parent / "sandbox", lab.root.parent / "api").tag in str(path)]
    assert list(base.iterdir()) == []
    summary = list(csv.DictReader(io.StringIO((results / "summary.csv").read_text())))
    assert [(row["submission"], row["score"], row["max"], row["status"]) for row in summary] == [
        ("crash", "0", "0", "crashed"), ("hang", "0", "4", "timeout"), ("ok", "4", "4", "passed")]
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


def test_the_batch_exit_code_is_the_worst_of_its_runs_in_a_stated_order():
    def line(code: int) -> batch.Graded:
        return batch.Graded("s", 0, 0, "x", 0, code)

    assert batch.exit_code([]) == 0
    assert [batch.exit_code([line(0), line(code)]) for code in (0, 1, 5, 2, 3, 4)] == [0, 1, 5, 2, 3, 4]
    assert batch.exit_code([line(4), line(1), line(3)]) == 4 and batch.exit_code([line(5), line(1)]) == 5
    assert batch.exit_code([line(2), line(3)]) == 3 and batch.exit_code([line(-9)]) == 4  # killed: as the lab's fault
    assert batch.exit_code([line(0)], interrupted=True) == 130


def test_a_run_that_is_bad_input_keeps_its_exit_code_through_the_batch(tmp_path, capsys):
    (tmp_path / "class" / "typo").mkdir(parents=True)
    (tmp_path / "class" / "typo" / "run-helo-world").write_text("docker run hello-world\n")  # no such exercise: exit 2
    code = cli.main(["run", str(tmp_path / "class"), "--jobs", "1", "--lang", "en", "--exercises", str(EXERCISES),
                     "--results", str(tmp_path / "results")])
    assert code == 2
    summary = json.loads((tmp_path / "results" / "summary.json").read_text())
    assert [(line["submission"], line["status"], line["exit_code"]) for line in summary] == [("typo", "error", 2)]


# A batch in a process of its own, as CI runs it, with the WORKER above for each submission.
BATCH = """
import sys
from pathlib import Path
from checks import batch
folder, results, resume = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3] == "resume"
options = ["--lang", "en", "--exercises", sys.argv[4], "--exercise", "run-hello-world", "--timeout", "600"]
outcome = batch.grade_class(folder, results, options, 2, 600, worker=(sys.executable, "-c", sys.argv[5]), resume=resume)
sys.exit(outcome.exit_code)
"""


@pytest.fixture
def batches():
    """Batches started by a test; one still running when it ends (a failed test) is killed, and its runs with it."""
    started: list[subprocess.Popen] = []
    yield started
    for process in started:
        if process.poll() is None:
            process.kill()
            process.wait()


def start_batch(folder: Path, results: Path, log: Path, base: Path, batches: list, resume: bool = False) -> subprocess.Popen:
    env = {**os.environ, "DG_LOG": str(log), "PYTHONPATH": str(ROOT), "TMPDIR": str(base)}
    argv = [sys.executable, "-c", BATCH, str(folder), str(results), "resume" if resume else "-", str(EXERCISES), WORKER]
    batches.append(subprocess.Popen(argv, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
    return batches[-1]


def wait_until(condition, limit: float = 300, process: subprocess.Popen | None = None) -> None:
    """Polls; the limit only keeps a broken batch from hanging the suite (no time is asserted)."""
    deadline = time.monotonic() + limit
    while not condition():
        assert time.monotonic() < deadline, "waited in vain"
        assert process is None or process.poll() is None, f"the batch ended first, exit {process.returncode}"
        time.sleep(0.2)


def noted(log: Path, word: str) -> list[str]:
    return [line.split()[1] for line in log.read_text().splitlines() if line.startswith(word + " ")] if log.exists() else []


def nothing_left_under(base: Path, log: Path) -> list[str]:
    labs = labs_noted(log)
    return [item for lab in labs.values() for item in leftovers(lab)] + live_processes_mentioning(str(base))


def test_an_interrupted_batch_stops_its_runs_writes_an_incomplete_summary_and_resumes(tmp_path, base, batches):
    folder, results, log = tmp_path / "class", tmp_path / "results", tmp_path / "log"
    for name, lines in (("a", "docker run hello-world\ndocker run hello-world\n"),
                        ("b", "docker run alpine:3.14 sleep 600\n"), ("c", "docker run alpine:3.14 sleep 600\n")):
        (folder / name).mkdir(parents=True)
        (folder / name / "run-hello-world").write_text(lines)
    process = start_batch(folder, results, log, base, batches)
    wait_until(lambda: {"b", "c"} <= set(noted(log, "up")) and (results / "a" / "graded.json").exists(), process=process)
    for name in ("b", "c"):  # their sleep 600 is running
        wait_for_a_running_container(labs_noted(log)[name])
    process.send_signal(signal.SIGINT)
    time.sleep(0.5)
    process.send_signal(signal.SIGINT)  # a second Ctrl-C, while the runs tear down
    assert process.wait(180) == 130
    summary = json.loads((results / "summary.json").read_text())
    assert [(line["submission"], line["status"]) for line in summary] == [("a", "passed"), ("b", "interrupted"), ("c", "interrupted")]
    for name in ("b", "c"):  # each run said it was interrupted, or said nothing: never a grade
        report = results / name / "result.json"
        assert not report.exists() or json.loads(report.read_text())["error"].startswith("interrupted by SIGTERM")
        assert not (results / name / "graded.json").exists()
    assert nothing_left_under(base, log) == [] and list(base.iterdir()) == []

    for name in ("b", "c"):
        (folder / name / "run-hello-world").write_text("docker run hello-world\ndocker run hello-world\n")
    log.unlink()
    assert start_batch(folder, results, log, base, batches, resume=True).wait(300) == 0
    assert sorted(noted(log, "up")) == ["b", "c"]  # a was graded to the end already, from the same files
    summary = json.loads((results / "summary.json").read_text())
    assert [(line["submission"], line["status"], line["score"]) for line in summary] == [("a", "passed", 4), ("b", "passed", 4), ("c", "passed", 4)]
    assert list(base.iterdir()) == []


def test_a_batch_killed_with_sigkill_leaves_no_run_behind(tmp_path, base, batches):
    folder, results, log = tmp_path / "class", tmp_path / "results", tmp_path / "log"
    (folder / "slow").mkdir(parents=True)
    (folder / "slow" / "run-hello-world").write_text("docker run alpine:3.14 sleep 600\n")
    process = start_batch(folder, results, log, base, batches)
    wait_until(lambda: noted(log, "up") == ["slow"], process=process)
    wait_for_a_running_container(labs_noted(log)["slow"])  # its sleep 600 is running
    process.kill()
    process.wait(30)
    wait_until(lambda: noted(log, "end") == ["slow"], limit=120)  # the run got SIGTERM from the kernel, and ended itself
    wait_until(lambda: nothing_left_under(base, log) == [], limit=60)
    assert not list(base.glob("dg-batch-*/*/dg-run-*"))  # the run removed its own lab and sandbox
    assert json.loads((results / "slow" / "result.json").read_text())["error"].startswith("interrupted by SIGTERM")


# --- a class at speed: --jobs auto, and runs forked from one process that imported the grader ---------

def test_jobs_auto_is_two_runs_a_core_bounded_by_the_available_memory(tmp_path, monkeypatch):
    gib, run = 1024**3, batch.RUN_MEMORY
    assert batch.auto_jobs(cores=2, available=23 * gib) == 4
    assert batch.auto_jobs(cores=1, available=23 * gib) == 2
    assert batch.auto_jobs(cores=8, available=batch.MEMORY_RESERVE + 3 * run + run // 2) == 3  # memory, not cores
    assert batch.auto_jobs(cores=4, available=0) == 1  # at least one
    assert batch.auto_jobs() == batch.auto_jobs(len(os.sched_getaffinity(0)), batch.available_memory())
    asked = []
    monkeypatch.setattr(batch, "grade_class", lambda folder, results, options, jobs, *args, **kwargs: asked.append(jobs) or batch.Outcome([]))
    (tmp_path / "class" / "alice").mkdir(parents=True)
    (tmp_path / "results").mkdir()
    (tmp_path / "results" / "summary.csv").write_text("submission\n")
    assert cli.main(["run", str(tmp_path / "class"), "--jobs", "auto", "--results", str(tmp_path / "results")]) == 0
    assert asked == [batch.auto_jobs()]
    assert cli.main(["run", str(tmp_path / "class"), "--jobs", "many", "--lang", "en"]) == 2 and asked == [batch.auto_jobs()]


def test_runs_are_forked_from_one_process_each_with_a_fresh_lab_of_its_own(tmp_path, base):
    folder, results = tmp_path / "class", tmp_path / "results"
    for name, lines in (("alice", "docker pull alpine:3.14\ndocker run --name from-alice hello-world\n"),
                        ("bob", "docker ps -a\ndocker images\n"), ("carol", "docker pull alpine:3.14\n")):
        (folder / name).mkdir(parents=True)
        (folder / name / "pull-alpine").write_text(lines)
    outcome = batch.grade_class(folder, results, ["--lang", "en", "--exercises", str(EXERCISES), "--exercise", "pull-alpine"], 1)
    assert outcome.forked == 3  # one interpreter imported the grader; each run is a fork of it
    assert [(g.submission, g.status, g.score) for g in outcome.graded] == [("alice", "passed", 3), ("bob", "failed", 1),
                                                                             ("carol", "passed", 3)]
    bob = "".join(c["output"] for c in json.loads((results / "bob" / "result.json").read_text())["exercises"][0]["commands"])
    assert "from-alice" not in bob and "alpine" not in bob  # alice's lab, graded just before, is not bob's
    sockets = {name: re.search(r"starting dockerd at (\S+)/docker\.sock", (results / name / "run.log").read_text()).group(1)
               for name in ("alice", "bob", "carol")}
    labs = {name: Lab("noted", Path(root)) for name, root in sockets.items()}
    assert len({lab.root for lab in labs.values()}) == len({lab.data_root for lab in labs.values()}) == 3
    for index, name in enumerate(("alice", "bob", "carol")):  # made in the run's own scratch folder (its TMPDIR)
        assert labs[name].root.parent.parent.name == str(index) and labs[name].root.parent.parent.parent.parent == base
        assert leftovers(labs[name]) == []
    assert live_processes_mentioning(str(base)) == [] and list(base.iterdir()) == []


def start_class(folder: Path, results: Path, base: Path, batches: list) -> subprocess.Popen:
    """`docker-grader run CLASS --jobs 2` as a process of its own: its runs forked by the prefork server."""
    argv = [sys.executable, "-m", "checks", "run", str(folder), "--jobs", "2", "--results", str(results), "--lang", "en",
            "--exercises", str(EXERCISES), "--exercise", "run-hello-world", "--timeout", "600"]
    env = {**os.environ, "PYTHONPATH": str(ROOT), "TMPDIR": str(base)}
    batches.append(subprocess.Popen(argv, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
    return batches[-1]


def forked_labs(results: Path) -> dict[str, Lab]:
    """The lab each run said it started (its log), by submission."""
    found = {}
    for log in results.glob("*/run.log"):
        started = re.search(r"starting dockerd at (\S+)/docker\.sock", log.read_text())
        if started:
            found[log.parent.name] = Lab("noted", Path(started.group(1)))
    return found


@pytest.mark.parametrize("ending", [signal.SIGTERM, signal.SIGKILL], ids=["SIGTERM", "SIGKILL"])
def test_a_forked_run_ends_with_its_batch_interrupted_or_killed(tmp_path, base, batches, ending):
    folder, results = tmp_path / "class", tmp_path / "results"
    for name in ("a", "b"):
        (folder / name).mkdir(parents=True)
        (folder / name / "run-hello-world").write_text("docker run alpine:3.14 sleep 600\n")
    process = start_class(folder, results, base, batches)
    running = lambda: all("exercise run-hello-world" in (results / n / "run.log").read_text() for n in ("a", "b")
                          if (results / n / "run.log").exists()) and len(forked_labs(results)) == 2
    wait_until(running, process=process)
    for lab in forked_labs(results).values():  # their sleep 600 is running
        wait_for_a_running_container(lab)
    process.send_signal(ending)
    code = process.wait(180)
    labs = forked_labs(results)
    wait_until(lambda: [item for lab in labs.values() for item in leftovers(lab)] + live_processes_mentioning(str(base)) == [], limit=120)
    for name in ("a", "b"):  # each run got SIGTERM (from the batch, or from the kernel when the server died) and said so
        wait_until(lambda: (results / name / "result.json").exists(), limit=60)
        assert json.loads((results / name / "result.json").read_text())["error"].startswith("interrupted by SIGTERM")
    if ending == signal.SIGTERM:
        assert code == 130
        assert [line["status"] for line in json.loads((results / "summary.json").read_text())] == ["interrupted", "interrupted"]
        assert list(base.iterdir()) == []
    else:
        assert not list(base.glob("dg-batch-*/*/dg-run-*"))  # each run removed its own lab and sandbox


def test_the_benchmarks_standard_class_is_the_stated_mix_byte_for_byte_the_same_each_time(tmp_path):
    spec = importlib.util.spec_from_file_location("class40", ROOT / "bench" / "class40.py")
    class40 = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(class40)
    first, second = class40.generate(tmp_path / "one"), class40.generate(tmp_path / "two")
    assert len(first) == class40.SIZE == 40
    assert [path.name for path in first] == [path.name for path in second] == [p.name for p in batch.submissions(tmp_path / "one")]
    assert [batch.fingerprint(a, []) for a in first] == [batch.fingerprint(b, []) for b in second]
    kinds = [path.name.split("-", 1)[1] for path in first]
    assert {kind: kinds.count(kind) for kind in kinds} == dict(class40.MIX)
    assert b"\0" in (tmp_path / "one" / "s03-binary" / "pull-alpine.dc").read_bytes()
    assert len((tmp_path / "one" / "s04-hugeline" / "pull-alpine.dc").read_bytes()) > 900_000


def test_a_submission_with_no_command_file_is_graded_without_a_lab_as_a_lab_grades_a_missing_file(tmp_path, monkeypatch):
    ups, up = [], Lab.up
    monkeypatch.setattr(Lab, "up", lambda self, *args, **kwargs: ups.append(self.root) or up(self, *args, **kwargs))
    (tmp_path / "some").mkdir()
    (tmp_path / "some" / "pull-alpine").write_text("docker pull alpine:3.14\n")
    (tmp_path / "none").mkdir()
    (tmp_path / "none" / "notes.txt").write_text("I ran out of time\n")  # no command file: nothing to run
    reports = {}
    for name in ("some", "none"):
        output = tmp_path / f"{name}.json"
        assert cli.main(["run", str(tmp_path / name), "--lang", "en", "--exercises", str(EXERCISES), "--exercise", "pull-alpine",
                         "--exercise", "run-hello-world", "--format", "json", "--output", str(output)]) == 1
        reports[name] = {exercise["id"]: exercise for exercise in json.loads(output.read_text())["exercises"]}
    assert len(ups) == 1  # the lab of "some" only
    assert reports["none"]["run-hello-world"] == reports["some"]["run-hello-world"]  # missing, graded with a lab or not
    assert reports["none"]["pull-alpine"]["score"] == 0 and reports["some"]["pull-alpine"]["score"] == 3
