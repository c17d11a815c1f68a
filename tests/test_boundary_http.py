"""The API boundary on its own, over raw HTTP: what any client could send (not only the docker CLI),
against a boundary in front of the tests' real dockerd. What is refused never reaches dockerd: the
daemon's containers, volumes and networks are the same afterwards.
"""

from __future__ import annotations

import gzip
import io
import json
import socket
import tarfile
import tempfile
from pathlib import Path

import docker
import pytest

from checks.boundary import Boundary, Context, Limits, container_counter
from checks.messages import LANGS, msg

LAB_REGISTRY = "127.0.0.1:5000"


@pytest.fixture(scope="module")
def boundary(lab):
    folder = Path(tempfile.mkdtemp(prefix="dgb-", dir="/tmp"))
    context = Context(LAB_REGISTRY, Limits(), container_counter(lab.socket))
    with Boundary(lab.socket, folder / "boundary.sock", context) as serving:
        yield serving
    folder.rmdir()


def exchange(boundary: Boundary, raw: bytes) -> tuple[int, bytes]:
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as conn:
        conn.settimeout(30)
        conn.connect(str(boundary.listen))
        try:
            conn.sendall(raw)
        except BrokenPipeError:
            pass  # refused before the whole body was sent: the answer is still there to read
        data = b""
        try:
            while chunk := conn.recv(65536):
                data += chunk
        except ConnectionResetError:
            pass
    head, _, body = data.partition(b"\r\n\r\n")
    return int(head.split()[1]), body


def post_json(path: str, body: bytes, extra: str = "") -> bytes:
    return (f"POST {path} HTTP/1.1\r\nHost: docker\r\nContent-Type: application/json\r\n{extra}"
            f"Content-Length: {len(body)}\r\n\r\n").encode() + body


def daemon_state(lab) -> tuple:
    api = docker.APIClient(base_url=lab.host, version="auto")
    try:
        return (sorted(c["Id"] for c in api.containers(all=True)), sorted(v["Name"] for v in api.volumes()["Volumes"] or []),
                sorted(n["Name"] for n in api.networks()))
    finally:
        api.close()


PRIVILEGED = json.dumps({"Image": "alpine:3.14", "HostConfig": {"Privileged": True}}).encode()
SAFE = json.dumps({"Image": "alpine:3.14", "HostConfig": {}}).encode()
SMUGGLED = post_json("/v1.41/containers/create", PRIVILEGED)


@pytest.mark.parametrize("name, raw", [
    ("privileged", post_json("/v1.41/containers/create", PRIVILEGED)),
    ("lowercase-key", post_json("/containers/create", b'{"Image": "alpine:3.14", "hostconfig": {"Privileged": true}}')),
    ("duplicate-key", post_json("/containers/create", b'{"Image": "alpine:3.14", "HostConfig": {"Privileged": true}, "HostConfig": {}}')),
    ("duplicate-key-other-case", post_json("/containers/create", b'{"HostConfig": {"Privileged": true}, "hostConfig": {}}')),
    ("not-json", post_json("/containers/create", b"{'Image': 'x'}")),
    ("old-api-start", post_json("/v1.23/containers/x/start", b'{"Privileged": true, "Binds": ["/:/h"]}')),
    ("form-body", b"POST /images/create HTTP/1.1\r\nHost: d\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                  b"Content-Length: 38\r\n\r\nfromSrc=http%3A%2F%2F127.0.0.1%3A1%2Fx"),
    ("cl-and-te", b"POST /containers/create HTTP/1.1\r\nHost: d\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"),
    ("two-lengths", b"POST /containers/create HTTP/1.1\r\nHost: d\r\nContent-Length: 2\r\nContent-Length: 4\r\n\r\n{}{}"),
    ("te-not-chunked", b"POST /containers/create HTTP/1.1\r\nHost: d\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n"),
    ("folded-header", b"GET /info HTTP/1.1\r\nHost: d\r\nX: a\r\n b\r\n\r\n"),
    ("dot-dot", b"POST /v1.41/images/create/../../containers/create HTTP/1.1\r\nHost: d\r\n\r\n"),
    ("encoded-dot-dot", b"POST /v1.41/volumes/%2e%2e/containers/create HTTP/1.1\r\nHost: d\r\n\r\n"),
    ("double-slash", b"POST //containers/create HTTP/1.1\r\nHost: d\r\n\r\n"),
    ("absolute-target", b"GET http://docker/info HTTP/1.1\r\nHost: d\r\n\r\n"),
    ("semicolon-query", b"POST /images/create?fromImage=alpine;fromSrc=http://x HTTP/1.1\r\nHost: d\r\n\r\n"),
    ("plugins", b"GET /plugins HTTP/1.1\r\nHost: d\r\n\r\n"),
    ("swarm", b"POST /swarm/init HTTP/1.1\r\nHost: d\r\nContent-Length: 2\r\n\r\n{}"),
    ("huge-head", b"GET /info HTTP/1.1\r\nX: " + b"a" * 70000 + b"\r\n\r\n"),
    ("huge-body", post_json("/containers/create", b'{"Image": "' + b"a" * (1024 * 1024 + 10) + b'"}')),
])
def test_raw_requests_that_never_reach_dockerd(boundary, lab, name, raw):
    before = daemon_state(lab)
    status, body = exchange(boundary, raw)
    assert status == 403, body
    assert json.loads(body)["message"].startswith("docker-grader recusou este pedido")
    assert daemon_state(lab) == before


def test_a_second_request_on_the_same_connection_is_never_served(boundary, lab):
    """A safe request, then a smuggled one on the same connection: dockerd closes after the first."""
    before = daemon_state(lab)
    status, body = exchange(boundary, b"GET /_ping HTTP/1.1\r\nHost: d\r\n\r\n" + SMUGGLED)
    assert status == 200 and body.endswith(b"OK")
    assert daemon_state(lab) == before


def test_a_chunked_body_is_judged_whole(boundary, lab):
    before = daemon_state(lab)
    half = len(PRIVILEGED) // 2
    chunked = (b"POST /containers/create HTTP/1.1\r\nHost: d\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
               + f"{half:x}\r\n".encode() + PRIVILEGED[:half] + b"\r\n"
               + f"{len(PRIVILEGED) - half:x}\r\n".encode() + PRIVILEGED[half:] + b"\r\n0\r\n\r\n")
    assert exchange(boundary, chunked)[0] == 403
    assert daemon_state(lab) == before


def test_an_allowed_create_reaches_dockerd_with_the_limits_put_in(boundary, daemon):
    lab = daemon.lab
    daemon.api.pull("alpine:3.14")
    status, body = exchange(boundary, post_json("/v1.41/containers/create?name=through-boundary", SAFE))
    assert status == 201, body
    api = docker.APIClient(base_url=lab.host, version="auto")
    try:
        host_config = api.inspect_container("through-boundary")["HostConfig"]
        api.remove_container("through-boundary", force=True)
    finally:
        api.close()
    assert host_config["PidsLimit"] == Limits().pids
    assert host_config["LogConfig"] == {"Type": "json-file", "Config": {"max-file": "1", "max-size": "10m"}}
    assert boundary.stats.allowed >= 1


def test_refusals_are_recorded_with_what_was_refused(boundary):
    refused_before = len(boundary.stats.refused)
    exchange(boundary, post_json("/v1.41/containers/create", PRIVILEGED))
    method, path, message = boundary.stats.refused[-1]
    assert len(boundary.stats.refused) == refused_before + 1
    assert (method, path) == ("POST", "/containers/create") and "Privileged" in message.render("en")


def test_only_the_sandboxs_user_may_connect(lab):
    """A run's boundary socket belongs to the sandbox's user (mode 0600): another local user of the
    machine cannot send requests to that run's lab."""
    import os
    import subprocess

    folder = Path(tempfile.mkdtemp(prefix="dgb-", dir="/tmp"))
    os.chmod(folder, 0o711)
    code = ("import socket, sys; s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); "
            "s.sendall(b'GET /_ping HTTP/1.1\\r\\nHost: d\\r\\n\\r\\n'); print(s.recv(12).decode())")
    try:
        with Boundary(lab.socket, folder / "boundary.sock", Context(LAB_REGISTRY), owner=65534) as serving:
            assert (serving.listen.stat().st_uid, serving.listen.stat().st_mode & 0o777) == (65534, 0o600)
            results = {
                uid: subprocess.run(["/usr/bin/python3", "-c", code, str(serving.listen)], user=uid, group=uid, extra_groups=[],
                                    capture_output=True, text=True, timeout=30)
                for uid in (65534, 4242)
            }
    finally:
        folder.rmdir()
    assert results[65534].stdout.startswith("HTTP/1.1 200"), results[65534].stderr
    assert results[4242].returncode != 0 and "PermissionError" in results[4242].stderr


def test_a_refused_request_is_answered_after_its_body_not_with_a_broken_pipe(boundary):
    """The docker CLI writes a request's body after its head; a refusal answered (and the connection
    closed) before the body is read makes that write fail, and the student sees "broken pipe"
    instead of the reason."""
    body = b"{" + b" " * (512 * 1024) + b"}"
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as conn:
        conn.settimeout(30)
        conn.connect(str(boundary.listen))
        conn.sendall(f"POST /v1.41/swarm/init HTTP/1.1\r\nHost: d\r\nContent-Length: {len(body)}\r\n\r\n".encode())
        conn.sendall(body)  # raises BrokenPipeError if the boundary has already closed
        answer = b""
        while chunk := conn.recv(65536):
            answer += chunk
    assert answer.startswith(b"HTTP/1.1 403 ") and b"swarm/init" in answer


# --- security round 3: queries, answers that carry the host, docker load -------------------------
def get(path: str) -> bytes:
    return f"GET {path} HTTP/1.1\r\nHost: d\r\n\r\n".encode()


def chunked_post(path: str, data: bytes, piece: int = 16384) -> bytes:
    head = f"POST {path} HTTP/1.1\r\nHost: d\r\nContent-Type: application/x-tar\r\nTransfer-Encoding: chunked\r\n\r\n".encode()
    chunks = b"".join(b"%x\r\n%s\r\n" % (len(data[i:i + piece]), data[i:i + piece]) for i in range(0, len(data), piece))
    return head + chunks + b"0\r\n\r\n"


def test_a_parameter_a_route_does_not_name_never_reaches_dockerd(boundary):
    status, body = exchange(boundary, get("/v1.41/containers/json?all=1&evil=1"))
    assert status == 403 and b"evil" in body
    assert exchange(boundary, get("/v1.41/containers/x/top?ps_args=eww"))[0] == 403
    assert exchange(boundary, get("/v1.41/containers/json?all=1&filters=%7B%7D"))[0] == 200


def test_docker_tops_error_answer_is_a_fixed_message_not_dockerds(boundary, daemon):
    """dockerd's error for top can quote a line of the host's ps; any error answer there is replaced."""
    daemon.api.pull("alpine:3.14")
    daemon.api.create_container("alpine:3.14", "true", name="stopped-for-top")
    status, body = exchange(boundary, get("/v1.41/containers/stopped-for-top/top?ps_args=-ef"))
    assert status == 409
    assert json.loads(body) == {"message": " | ".join(msg("boundary.top_failed", status=409).render(lang) for lang in LANGS)}
    assert exchange(boundary, get("/v1.41/containers/no-such-container/top"))[0] == 404


def test_docker_info_loses_the_hosts_name_and_proxies(boundary):
    status, body = exchange(boundary, get("/v1.41/info"))
    info = json.loads(body)
    assert status == 200 and info["Name"] == "docker-grader-lab" and info["ServerVersion"]
    assert (info["HttpProxy"], info["HttpsProxy"], info["NoProxy"]) == ("", "", "")
    assert socket.gethostname().encode() not in body


def manifest_bomb(megabytes: int) -> bytes:
    """A gzip of some kilobytes whose manifest.json is one string of ``megabytes`` MB."""
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w") as tar:
        data = b'[{"Config": "' + b"A" * (megabytes * 1024 * 1024) + b'", "Layers": []}]'
        info = tarfile.TarInfo("manifest.json")
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
    return gzip.compress(out.getvalue())


def test_docker_load_of_a_huge_manifest_is_refused_before_dockerd_reads_it(boundary, lab):
    before = daemon_state(lab)
    bomb = manifest_bomb(20)
    assert len(bomb) < 100_000
    status, body = exchange(boundary, chunked_post("/v1.41/images/load?quiet=1", bomb))
    assert status == 403 and b"manifest.json" in body, body
    assert daemon_state(lab) == before


def test_an_archive_docker_save_made_loads_through_the_boundary(boundary, daemon):
    daemon.api.pull("alpine:3.14")
    saved = b"".join(daemon.api.get_image("alpine:3.14"))
    daemon.api.remove_image("alpine:3.14")
    status, body = exchange(boundary, chunked_post("/v1.41/images/load?quiet=1", saved))
    assert status == 200 and b"alpine:3.14" in body, body
    assert daemon.api.inspect_image("alpine:3.14")["Id"]


def test_a_refusal_is_in_the_language_the_boundary_is_given_only(lab):
    folder = Path(tempfile.mkdtemp(prefix="dgb-", dir="/tmp"))
    try:
        with Boundary(lab.socket, folder / "boundary.sock", Context(LAB_REGISTRY, lang="en")) as serving:
            status, body = exchange(serving, post_json("/v1.41/containers/create", PRIVILEGED))
    finally:
        folder.rmdir()
    assert status == 403
    assert json.loads(body) == {"message": "docker-grader refused this request: HostConfig.Privileged = True is not accepted in the lab"}
