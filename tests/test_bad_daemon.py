"""A daemon that answers badly: JSON of the wrong shape, an answer that drips a byte at a time, an
answer too large. `check` ends with exit 3 naming the request, within a deadline and a byte limit.
The daemon is a small threaded server on a unix socket of the test's own."""

from __future__ import annotations

import json
import socketserver
import threading
import time
from pathlib import Path

import pytest

from checks import cli, daemon, transport

from conftest import EXERCISES, ROOT


class FakeDaemon(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    """Answers /_ping, and the container and image lists with what the test sets; counts the bytes it sent."""

    daemon_threads = True

    def __init__(self, path: Path, containers=(), images=(), drip: float = 0.0, huge: int = 0):
        self.answers = {"/containers/json": containers, "/images/json": images}
        self.drip, self.huge = drip, huge
        self.sent = 0
        self.lock = threading.Lock()
        self.huge_sent = threading.Event()  # send_huge has ended: written all, or the grader hung up
        super().__init__(str(path), Handler)

    def count(self, size: int) -> None:
        with self.lock:
            self.sent += size


class Handler(socketserver.StreamRequestHandler):
    def handle(self) -> None:
        target = self.rfile.readline().split()[1].decode()
        while self.rfile.readline() not in (b"\r\n", b""):
            pass
        path = target.split("?")[0].split("/", 2)[-1]  # without /v1.41
        path = "/" + path if not path.startswith("/") else path
        server: FakeDaemon = self.server
        if path == "/_ping":
            return self.send(b"OK", {"Api-Version": "1.41"})
        body = next((json.dumps(answer).encode() for name, answer in server.answers.items() if path.endswith(name)), None)
        if body is None:
            return self.send(b"{}", status="404 Not Found")
        if server.huge and path.endswith("/containers/json"):
            return self.send_huge(server.huge)
        self.send(body, drip=server.drip if path.endswith("/containers/json") else 0)

    def send(self, body: bytes, headers: dict | None = None, status: str = "200 OK", drip: float = 0.0) -> None:
        head = f"HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {len(body)}\r\n"
        head += "".join(f"{name}: {value}\r\n" for name, value in (headers or {}).items()) + "\r\n"
        try:
            self.wfile.write(head.encode())
            if not drip:
                self.wfile.write(body)
                self.server.count(len(body))
                return
            for byte in body:  # one byte at a time: each read gets something well within its timeout
                self.wfile.write(bytes([byte]))
                self.wfile.flush()
                self.server.count(1)
                time.sleep(drip)
        except OSError:
            pass  # the grader hung up: what it read is counted

    def send_huge(self, size: int) -> None:
        """``[`` then spaces then ``]``: valid JSON, an empty list, ``size`` bytes long."""
        try:
            self.wfile.write(f"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {size}\r\n\r\n[".encode())
            block, left = b" " * 65536, size - 2
            while left > 0:
                piece = block[:left]
                self.wfile.write(piece)
                self.server.count(len(piece))
                left -= len(piece)
            self.wfile.write(b"]")
        except OSError:
            pass
        finally:
            self.server.huge_sent.set()


@pytest.fixture
def fake(tmp_path):
    servers = []

    def start(**answers) -> tuple[FakeDaemon, str]:
        server = FakeDaemon(tmp_path / f"d{len(servers)}.sock", **answers)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return server, f"unix://{tmp_path / f'd{len(servers) - 1}.sock'}"

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


def check(host: str, capsys) -> tuple[int, str]:
    code = cli.main(["check", "--host", host, "--lang", "en", "--exercises", str(EXERCISES), "run-hello-world"])
    return code, capsys.readouterr().err


CONTAINER = {"Id": "c" * 64, "Names": ["/web"], "Image": "alpine:3.14", "ImageID": "sha256:" + "a" * 64, "State": "exited",
             "Status": "Exited (0) 1 second ago"}


@pytest.mark.parametrize("containers, images, request_line, where, expected", [
    ({"Id": "x"}, [], "GET /containers/json", "$", "a list of objects"),
    ([], [1, 2, 3], "GET /images/json", "$[0]", "an object"),
    ([{**CONTAINER, "Id": 5}], [], "GET /containers/json", "$[0].Id", "a string"),
    ([{**CONTAINER, "Names": "/web"}], [], "GET /containers/json", "$[0].Names", "a list of strings"),
    ([{**CONTAINER, "Labels": ["a=b"]}], [], "GET /containers/json", "$[0].Labels", "an object of strings"),
    ([{**CONTAINER, "Ports": [{"PrivatePort": "80"}]}], [], "GET /containers/json", "$[0].Ports[0].PrivatePort", "a number"),
    ([{**CONTAINER, "Ports": [{"PrivatePort": 80, "PublicPort": 8080, "Type": "tcp"}]}], [], "GET /containers/json", "$[0].Ports[0].IP",
     "a string"),  # what the container kind indexes in a published port: before, a KeyError there
    ([{**CONTAINER, "Mounts": [{"Type": "bind", "Source": "/srv", "Destination": "/srv"}]}], [], "GET /containers/json", "$[0].Mounts[0].RW",
     "true or false"),
    ([{**CONTAINER, "NetworkSettings": {"Networks": {"bridge": 7}}}], [], "GET /containers/json",
     "$[0].NetworkSettings.Networks['bridge']", "an object"),
    ([], [{"Id": "sha256:" + "a" * 64, "RepoTags": "alpine:3.14"}], "GET /images/json", "$[0].RepoTags", "a list of strings"),
])
def test_an_answer_of_the_wrong_shape_is_exit_3_naming_the_request(fake, capsys, containers, images, request_line, where, expected):
    _, host = fake(containers=containers, images=images)
    code, err = check(host, capsys)
    assert code == 3 and "Traceback" not in err
    assert f"answered {request_line} with JSON not shaped as the Engine API's: {where} should be {expected}" in err


def test_an_answer_that_drips_ends_at_the_request_deadline(fake, capsys, monkeypatch):
    monkeypatch.setattr(daemon, "TIMEOUT", 1.0)  # the deadline of each request, here; 30 s by default
    padded = [CONTAINER] * 3  # about 600 bytes, one every 0.1 s: each read well within 1 s, the whole over a minute
    server, host = fake(containers=padded, drip=0.1)
    code, err = check(host, capsys)
    assert code == 3 and "timed out" in err
    assert server.sent < 60  # stopped near the deadline: about 10 bytes, never the whole answer


def test_an_answer_too_large_is_exit_3_and_is_not_read_past_the_limit(fake, capsys, monkeypatch):
    monkeypatch.setattr(transport, "ANSWER_LIMIT", 1 << 20)  # 1 MiB here; 64 MiB by default
    server, host = fake(huge=64 << 20)  # a valid, empty list of 64 MiB
    code, err = check(host, capsys)
    assert code == 3 and "gave an answer too large to GET /containers/json (over 1048576 bytes)" in err
    assert server.huge_sent.wait(60)  # the server's last write fails once the grader has hung up
    assert server.sent < 9 << 20  # the limit, and what the sockets' buffers held: not the 64 MiB


CONFIG = {"Env": [], "Cmd": None, "Entrypoint": None, "User": "", "Tty": False, "OpenStdin": False}  # as dockerd sends it


@pytest.mark.parametrize("inspect, where, expected", [
    ([], "$", "an object"),
    ({"Config": "x"}, "$.Config", "an object"),
    ({"Config": {"Env": "APP_ENV=production"}}, "$.Config.Env", "a list of strings"),
    ({"Config": CONFIG, "HostConfig": {"RestartPolicy": ["always"]}}, "$.HostConfig.RestartPolicy", "an object"),
    # fields the container kind indexes, left out: before, a KeyError in the kind (a traceback)
    ({"Id": "c" * 64}, "$.Config", "an object"),
    ({"Config": CONFIG, "HostConfig": {"RestartPolicy": {"Name": "no", "MaximumRetryCount": 0}, "PortBindings": {"80": []}}},
     "$.HostConfig.PortBindings['80']", "a port and a protocol, like 80/tcp"),
])
def test_an_inspect_of_the_wrong_shape_is_exit_3_naming_the_request(fake, capsys, inspect, where, expected):
    web = {**CONTAINER, "Names": ["/web"], "Image": "nginx:1.25", "State": "running", "Status": "Up 1 second"}
    server, host = fake(containers=[web])
    server.answers[f"/containers/{web['Id']}/json"] = inspect
    code = cli.main(["check", "--host", host, "--lang", "en", "--exercises", str(ROOT / "lessons" / "containers"), "run-detached"])
    err = capsys.readouterr().err
    assert code == 3 and "Traceback" not in err
    assert f"answered GET /containers/{web['Id']}/json with JSON not shaped as the Engine API's: {where} should be {expected}" in err


def test_a_network_list_of_the_wrong_shape_is_exit_3_and_no_verdict(fake, capsys):
    # GET /networks as an object keyed by name: before, read as no network at all, so `rede-app`
    # was "missing" and the student failed the check (exit 1) for the daemon's fault.
    api = {**CONTAINER, "Id": "d" * 64, "Names": ["/api"], "Image": "nginx:1.25", "State": "running", "Status": "Up 1 second"}
    server, host = fake(containers=[api, {**CONTAINER, "Names": ["/cliente"]}])
    server.answers["/networks"] = {"rede-app": {"Name": "rede-app", "Id": "n" * 64, "Driver": "bridge"}}
    code = cli.main(["check", "--host", host, "--lang", "en", "--exercises", str(ROOT / "lessons" / "volumes-networks"), "user-network"])
    err = capsys.readouterr().err
    assert code == 3 and "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert "answered GET /networks with JSON not shaped as the Engine API's: $ should be a list of objects" in err


def test_start_checks_the_lists_shape_as_check_does(fake, capsys, monkeypatch, tmp_path):
    # `docker-grader start` read the two lists without their shape checked: images [1, 2, 3] were
    # an AttributeError traceback, containers as an object a start point without any container.
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    server, host = fake(containers={"Id": "c" * 64}, images=[1, 2, 3])
    server.answers["/info"] = {"ID": "fake", "SystemTime": "2026-12-08T02:00:00.5Z"}
    server.answers["/events"] = {}  # asked only once the lists are read (before the fix)
    code = cli.main(["start", "--host", host, "--lang", "en", "--exercises", str(EXERCISES)])
    err = capsys.readouterr().err
    assert code == 3 and "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert "answered GET /containers/json with JSON not shaped as the Engine API's: $ should be a list of objects" in err
    server.answers["/containers/json"] = []
    assert cli.main(["start", "--host", host, "--lang", "en", "--exercises", str(EXERCISES)]) == 3
    assert "answered GET /images/json with JSON not shaped as the Engine API's: $[0] should be an object" in capsys.readouterr().err
    assert not (tmp_path / "state").exists() or not list((tmp_path / "state").rglob("*.json"))  # no start point saved


def test_doctor_says_a_version_of_the_wrong_shape(fake, capsys):
    # GET /version as a list: before, an AttributeError traceback out of `doctor`.
    server, host = fake()
    server.answers["/version"] = ["20.10.24"]
    cli.main(["doctor", "--host", host, "--lang", "en"])  # its exit code says whether `run` can work here, not this
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    assert "answered GET /version with JSON not shaped as the Engine API's: $ should be an object" in out + err
