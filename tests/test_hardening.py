"""What students and machines throw at the grader: huge logs, a daemon that changes or dies while it
is read, odd names, sockets it may not open, addresses that answer nothing. Each test can fail:
it asserts counts (bytes, requests, kilobytes of memory) and exit codes, never wall times."""

from __future__ import annotations

import json
import os
import signal
import socket
import shutil
import subprocess
import time
import sys
import tempfile
import threading
from pathlib import Path

import pytest
import yaml

from checks import cli, daemon as daemon_module, runner
from checks import exercises as exercise_files
from checks.lab import Lab
from checks.report import WRITERS

from conftest import EXERCISES, ROOT
from test_reports import JSON_FORMATS, READERS, schema
from test_requests import served

LINE = "x" * 999


def exercise_file(folder: Path, checks: list[dict], exercise_id: str = "hardening") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    document = {
        "id": exercise_id,
        "lesson": "hardening",
        "order": 1,
        "title": {"pt-BR": "Título ção 🐳", "en": "Title 🐳"},
        "description": {"pt-BR": "d", "en": "d"},
        "checks": [
            {"points": 1, "hint": {"pt-BR": "dica: faça 🐳", "en": "hint: do 🐳"}, "name": f"check-{i}", **check}
            for i, check in enumerate(checks)
        ],
    }
    path = folder / f"{exercise_id}.yaml"
    path.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    return path


def peak_rss_kb(command: list[str], tmp_path: Path, **kwargs) -> tuple[int, int, str]:
    """Runs a Python program; its exit code, its own peak resident memory in KiB (VmHWM, read as it
    exits, see bench/approaches/measured.py), and its stdout."""
    peak = tmp_path / "peak"
    measured = [sys.executable, str(ROOT / "bench" / "approaches" / "measured.py"), *command]
    done = subprocess.run(measured, capture_output=True, text=True, env={**os.environ, "DG_PEAK_FILE": str(peak)}, timeout=600, **kwargs)
    return done.returncode, int(peak.read_text()), done.stdout


def test_200_mb_of_logs_stream_in_bounded_memory_and_stop_at_the_first_match(daemon, lab, tmp_path):
    daemon.docker("pull", "-q", "alpine:3.14")
    script = f"echo FIRST; yes {LINE} | head -c 200000000; echo; echo LAST-NEEDLE"
    container = daemon.api.create_container("alpine:3.14", ["sh", "-c", script], name="big")
    daemon.api.start(container)
    assert daemon.api.wait(container, timeout=600)["StatusCode"] == 0

    # The whole CLI, in a process of its own: the needle is at the very end, after 200 MB.
    folder = tmp_path / "exercises"
    exercise_file(folder, [{"kind": "containers", "select": {"name": "big"}, "logs_contain": "LAST-NEEDLE"}])
    command = ["-m", "checks", "check", "--host", lab.host, "--exercises", str(folder), "--format", "json"]
    code, peak, out = peak_rss_kb(command, tmp_path, cwd=ROOT)
    assert code == 0 and json.loads(out)["score"] == 1
    print(f"docker-grader check over 200 MB of logs: peak RSS {peak / 1024:.1f} MiB")  # shown with -s
    assert peak < 100 * 1024, f"peak RSS {peak} KiB"

    # Stops at the first match: FIRST is in the first bytes, and little more is read.
    with daemon_module.connect(lab.host) as client:
        snapshot = daemon_module.read_snapshot(client)
        (big,) = [c for c in snapshot.containers if c.name == "big"]
        assert snapshot.read("logs", big.id, "FIRST")
        assert client.log_bytes < 2 * 65536
        assert snapshot.read("logs", big.id, "LAST-NEEDLE")
        assert client.log_bytes > 200_000_000


def test_a_needle_split_across_chunks_and_frames_is_found(daemon):
    # dockerd cuts log lines into 16 KiB messages, so each of those is a frame of its own. The
    # 4-byte whale ends exactly at byte 65536: "🐳 olá" spans two frames (and the client's chunks).
    # (A character that dockerd itself cuts in two is logged as U+FFFD: no grader could find it.)
    daemon.docker("pull", "-q", "alpine:3.14")
    script = "head -c 65532 /dev/zero | tr '\\0' x; echo '🐳 olá'; echo 'stderr: ç' >&2"
    container = daemon.api.create_container("alpine:3.14", ["sh", "-c", script], name="split")
    daemon.api.start(container)
    daemon.api.wait(container, timeout=60)
    for _ in range(100):  # the daemon's log copier may still be writing the last lines as `wait` returns
        if "stderr: ç" in daemon.api.logs(container).decode(errors="replace"):
            break
        time.sleep(0.1)
    with daemon_module.connect(daemon.lab.host) as client:
        snapshot = daemon_module.read_snapshot(client)
        (split,) = snapshot.containers
        assert snapshot.read("logs", split.id, "🐳 olá") and snapshot.read("logs", split.id, "stderr: ç")
        assert not snapshot.read("logs", split.id, "🐳 olé")


def test_unicode_and_very_long_names_and_labels(daemon, lab, tmp_path):
    daemon.docker("pull", "-q", "alpine:3.14")
    long_name = "aluna-" + "n" * 240
    long_tag = "registry.local:5000/" + "/".join(["x" * 60] * 3) + ":" + "t" * 128
    daemon.docker("tag", "alpine:3.14", long_tag)
    labels = {"curso": "Introdução ao Docker 🐳", "x" * 500: "y" * 5000}
    daemon.api.create_container(long_tag, ["echo", "Olá, mundo 🐳 — 世界"], name=long_name, labels=labels)
    daemon.docker("start", "-a", long_name)
    folder = tmp_path / "exercises"
    exercise_file(
        folder,
        [
            {"kind": "containers", "select": {"name": long_name, "image": long_tag}, "count": 1, "logs_contain": "mundo 🐳 — 世界"},
            {"kind": "image", "image": long_tag},
            {"kind": "containers", "select": {"name": long_name + "-não"}, "count": 1},
        ],
    )
    for lang in ("pt-BR", "en"):
        for fmt in WRITERS:
            target = tmp_path / f"out.{lang}.{fmt}"
            code = cli.main(["check", "--host", lab.host, "--exercises", str(folder), "--format", fmt, "--output", str(target), "--lang", lang])
            assert code == 1
            text = target.read_text(encoding="utf-8")
            if fmt in READERS:
                score, failed = READERS[fmt](text)
                assert score == 2 and failed == {("hardening", "check-2")}, fmt
            if fmt in JSON_FORMATS:
                assert schema(fmt).is_valid(json.loads(text))
    assert long_name in (tmp_path / "out.en.json").read_text(encoding="utf-8")  # what was found names it intact


def test_containers_created_and_removed_while_grading(daemon, lab, tmp_path, capsys):
    """A student's daemon changes under the grader: every run still gives a whole, valid result."""
    daemon.docker("run", "--name", "kept", "hello-world")
    stop = threading.Event()
    churned: list[str] = []  # containers created and removed by the churn thread
    errors: list[BaseException] = []

    def churn():
        try:
            while not stop.is_set():
                name = f"churn-{len(churned)}"
                daemon.api.create_container("hello-world", name=name)
                daemon.api.remove_container(name, force=True)
                churned.append(name)
        except BaseException as error:  # a dead thread says nothing by itself: the test reports it
            errors.append(error)

    worker = threading.Thread(target=churn)
    worker.start()
    try:
        for attempt in range(15):
            target = tmp_path / f"result-{attempt}.json"
            code = cli.main(["check", "--host", lab.host, "--format", "json", "--output", str(target), "--lang", "en"])
            document = json.loads(target.read_text())
            assert code in (0, 1) and document["status"] in ("passed", "failed")
            assert schema("json").is_valid(document)
            assert sum(len(e["checks"]) for e in document["exercises"]) == 13
        alive = worker.is_alive()  # still churning when the last grading ended
    finally:
        stop.set()
        worker.join()
    capsys.readouterr()
    assert errors == [] and alive, errors
    assert churned, "the daemon never changed during grading"


def test_a_container_removed_between_the_list_and_its_logs(daemon, lab, monkeypatch):
    daemon.docker("run", "--name", "first", "hello-world")
    daemon.docker("run", "--name", "second", "hello-world")
    original = daemon_module.read_snapshot

    def list_then_remove(client):
        snapshot = original(client)
        daemon.api.remove_container("second", force=True)  # gone before its logs are read
        return snapshot

    monkeypatch.setattr("checks.grading.read_snapshot", list_then_remove)
    outcome = daemon.grade("two-containers-one-image")
    results = {c.check.name: c for c in outcome.checks}
    assert results["two-containers"].passed  # the list, as it was read
    assert not results["both-greeted"].passed  # logs that are gone are not there
    assert "first" in results["both-greeted"].result.found.render("en")


@pytest.fixture
def own_lab(tmp_path):
    """A lab of the test's own, for tests that kill its daemon."""
    lab = Lab("killed", tmp_path / "lab", debug=True)
    lab.up()
    yield lab
    lab.down()


def test_daemon_killed_in_the_middle_of_a_check(own_lab, tmp_path, monkeypatch, capsys):
    """dockerd dies after the lists and before the logs: exit 3 and a complete error document in every format."""
    env = {"PATH": os.environ["PATH"], "HOME": str(tmp_path), **own_lab.environment()}
    subprocess.run(["docker", "run", "hello-world"], env=env, check=True, capture_output=True)
    original = daemon_module.read_snapshot

    def read_then_kill(client):
        snapshot = original(client)
        os.kill(own_lab.read_state()["dockerd_pid"], signal.SIGKILL)
        return snapshot

    monkeypatch.setattr("checks.grading.read_snapshot", read_then_kill)
    reports = [f"--report={fmt}={tmp_path / ('out.' + fmt)}" for fmt in WRITERS]
    code = cli.main(["check", "--host", own_lab.host, "--format", "text", "--lang", "en", *reports])
    err = capsys.readouterr().err
    assert code == 3
    assert err.startswith(f"the Docker daemon at {own_lab.host} ")
    for fmt in WRITERS:
        text = (tmp_path / f"out.{fmt}").read_text()
        if fmt in JSON_FORMATS:
            assert schema(fmt).is_valid(json.loads(text)), fmt
        if fmt in READERS:
            assert READERS[fmt](text)[0] == 0
    assert json.loads((tmp_path / "out.classroom").read_text())["status"] == "error"
    assert json.loads((tmp_path / "out.json").read_text())["status"] == "error"


def test_a_socket_without_permission_names_the_docker_group(tmp_path):
    """A real permission denial: a child process that is nobody grades against a root-only socket."""
    folder = Path(tempfile.mkdtemp(prefix="dg-perm-", dir="/tmp"))  # pytest's own tmp folders are 0700
    folder.chmod(0o755)  # nobody may reach the socket: only its own mode (0600) refuses
    path = folder / "docker.sock"
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(path))
    server.listen(1)
    os.chmod(path, 0o600)
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: drop root, then run the CLI as a student without the docker group would
        try:
            os.close(read)
            os.setgroups([])
            os.setgid(65534)
            os.setuid(65534)
            os.dup2(write, 2)
            sys.stderr = os.fdopen(2, "w")
            code = cli.main(["check", "--host", f"unix://{path}", "--lang", "en"])
            sys.stderr.flush()
        finally:
            os._exit(locals().get("code", 99))
    os.close(write)
    with os.fdopen(read) as stream:
        err = stream.read()
    _, status = os.waitpid(pid, 0)
    server.close()
    shutil.rmtree(folder)
    assert os.waitstatus_to_exitcode(status) == 3, err
    assert "permission denied" in err and "usermod -aG docker" in err
    assert len(err.splitlines()) == 1


def test_docker_host_pointing_at_nothing(capsys):
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()  # nothing listens there now
    assert cli.main(["check", "--host", f"tcp://127.0.0.1:{port}", "--lang", "en"]) == 3
    err = capsys.readouterr().err
    assert "is not answering" in err and "Traceback" not in err and len(err.splitlines()) == 1


def test_a_daemon_that_accepts_and_says_nothing_times_out(capsys, monkeypatch):
    monkeypatch.setattr(daemon_module, "TIMEOUT", 1)
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)  # accepts connections, never answers
    try:
        code = cli.main(["check", "--host", f"tcp://127.0.0.1:{server.getsockname()[1]}", "--lang", "en"])
    finally:
        server.close()
    err = capsys.readouterr().err
    assert code == 3 and "timed out" in err and len(err.splitlines()) == 1


def test_run_grades_with_get_requests_only(daemon, lab, tmp_path, monkeypatch):
    """`run` on a lab: with no student command, every request the daemon serves is the grader's: all GET."""
    course = [e for e in exercise_files.load([EXERCISES]) if not e.start]
    submission = tmp_path / "submission"
    submission.mkdir()
    for exercise in course:
        (submission / exercise.id).write_text("")
    made = []
    mkdtemp = tempfile.mkdtemp
    monkeypatch.setattr(runner.tempfile, "mkdtemp", lambda *a, **k: made.append(mkdtemp(*a, **k)) or made[-1])
    requests = served(lab, lambda: runner.run(submission, course, lab=lab))
    assert requests and {method for method, _ in requests} == {"GET"}
    assert len(made) == 1 and not Path(made[0]).exists()  # its working folder is gone too
    assert [path for _, path in requests].count("/containers/json?all=1") == len(course)
