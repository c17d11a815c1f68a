"""The CLI by exact output and exit code, against the tests' daemon."""

from __future__ import annotations

import json
import socket
import subprocess
import sys

from checks import cli

from conftest import ROOT


def run(capsys, *args):
    code = cli.main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_list(capsys):
    code, out, _ = run(capsys, "list", "--lang", "en")
    assert code == 0
    assert out.splitlines()[1].split() == ["pull-alpine", "3", "Pull", "the", "alpine:3.14", "image", "without", "running", "it"]


def test_check_exit_codes_and_json(daemon, lab, capsys):
    code, out, _ = run(capsys, "check", "run-hello-world", "--host", lab.host, "--format", "json", "--lang", "en")
    assert code == 1
    document = json.loads(out)
    assert (document["score"], document["max_score"]) == (0, 4)
    first = document["exercises"][0]["checks"][0]
    assert set(first) == {"name", "passed", "score", "max_score", "message"}
    assert first["message"].startswith("Run `docker run hello-world`")
    daemon.docker("run", "hello-world")
    code, out, _ = run(capsys, "check", "run-hello-world", "--host", lab.host, "--format", "json")
    assert code == 0 and json.loads(out)["score"] == 4


def test_check_text_in_both_languages(daemon, lab, capsys):
    _, out_en, _ = run(capsys, "check", "pull-alpine", "--host", lab.host, "--lang", "en")
    _, out_pt, _ = run(capsys, "check", "pull-alpine", "--host", lab.host, "--lang", "pt-BR")
    assert out_en.splitlines()[1] == "  ✘ alpine-pulled  0/2"
    assert "found: image alpine:3.14 is not present" in out_en
    assert "encontrado: a imagem alpine:3.14 não está presente" in out_pt
    assert out_en.splitlines()[-1] == "Total: 1/3 points"
    assert out_pt.splitlines()[-1] == "Total: 1/3 pontos"
    assert "\033[" not in out_en


def test_check_writes_the_output_file(daemon, lab, capsys, tmp_path):
    target = tmp_path / "out" / "result.json"
    code, out, _ = run(capsys, "check", "--host", lab.host, "--format", "json", "--output", str(target))
    assert code == 1 and out == ""
    assert json.loads(target.read_text())["max_score"] == 17


def test_output_to_a_fifo_writes_into_it_and_keeps_it(daemon, lab, capsys, tmp_path):
    import os
    import stat
    import threading

    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_text()))
    reader.start()
    assert run(capsys, "check", "remove-images", "--host", lab.host, "--format", "json", "--output", str(fifo))[0] == 0
    reader.join(10)
    assert json.loads(received[0])["score"] == 2
    assert stat.S_ISFIFO(fifo.stat().st_mode)  # written into, not replaced by a regular file


def test_unknown_id_names_the_closest(capsys):
    code, out, err = run(capsys, "check", "pull-alpin", "--lang", "en")
    assert code == 2
    assert err.startswith("unknown exercise: pull-alpin; closest: pull-alpine")


def test_bad_option_is_exit_2(capsys):
    code, _, err = run(capsys, "check", "--format", "yaml", "--lang", "en")
    assert code == 2 and err.startswith("invalid option:")


def test_daemon_down_is_one_line_and_exit_3(tmp_path, capsys):
    host = f"unix://{tmp_path}/none.sock"
    code, out, err = run(capsys, "check", "--host", host, "--lang", "en", "--format", "json")
    assert code == 3
    assert err == f"the Docker daemon at {host} is not answering (No such file or directory). Start Docker, or point at another one with --host or DOCKER_HOST\n"
    document = json.loads(out)
    assert document["status"] == "error" and document["max_score"] == 17


def test_permission_denied_names_the_docker_group(tmp_path, capsys, monkeypatch):
    def refuse(self, address):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    code, _, err = run(capsys, "check", "--host", f"unix://{tmp_path}/docker.sock", "--lang", "en")
    assert code == 3
    assert "permission denied" in err and "usermod -aG docker" in err
    assert len(err.splitlines()) == 1


def test_garbage_answer_is_a_clean_error(tmp_path, capsys):
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    import threading

    def answer():
        conn, _ = server.accept()
        conn.recv(1024)
        conn.sendall(b"this is not http\r\n\r\n")
        conn.close()

    threading.Thread(target=answer, daemon=True).start()
    code, _, err = run(capsys, "check", "--host", f"tcp://127.0.0.1:{server.getsockname()[1]}", "--lang", "en")
    server.close()
    assert code == 3 and "Traceback" not in err and len(err.splitlines()) == 1


def test_docker_host_and_context_are_honoured(daemon, lab, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("DOCKER_HOST", lab.host)
    assert run(capsys, "check", "remove-images")[0] == 0
    monkeypatch.delenv("DOCKER_HOST")
    # a docker context, as `docker context create/use` leaves it
    config = tmp_path / "docker"
    env = {"PATH": "/usr/bin:/bin:/usr/local/bin", "DOCKER_CONFIG": str(config)}
    subprocess.run(["docker", "context", "create", "lab", "--docker", f"host={lab.host}"], env=env, check=True, capture_output=True)
    subprocess.run(["docker", "context", "use", "lab"], env=env, check=True, capture_output=True)
    monkeypatch.setenv("DOCKER_CONFIG", str(config))
    assert run(capsys, "check", "remove-images")[0] == 0
    monkeypatch.setenv("DOCKER_CONTEXT", "nope")
    code, _, err = run(capsys, "check", "remove-images", "--lang", "en")
    assert code == 3 and "docker context ls" in err


def test_console_entry_point(tmp_path):
    done = subprocess.run([sys.executable, "-m", "checks", "validate"], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0 and done.stdout == "OK: 5 exercise(s), 13 check(s)\n"


def test_output_file_gets_a_normal_mode_and_keeps_an_existing_one(tmp_path):
    import os

    fresh, existing = tmp_path / "fresh.json", tmp_path / "summary.md"
    existing.write_text("old")
    existing.chmod(0o640)
    previous = os.umask(0o022)
    try:
        cli.write_file(fresh, "{}")
        cli.write_file(existing, "new")
    finally:
        os.umask(previous)
    assert fresh.stat().st_mode & 0o777 == 0o644  # not the temporary file's private 0600
    assert existing.stat().st_mode & 0o777 == 0o640 and existing.read_text() == "new"
