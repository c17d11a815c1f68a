"""HTTP GET requests to a container's published port, for the ``http`` check kind.

Where they go depends on the daemon, so that they never leave the machine:

- a lab's daemon (its socket sits beside a ``lab.json`` that names a network namespace):
  127.0.0.1 inside that namespace, where the lab publishes ports; nothing reaches the host's
  loopback or network;
- a local daemon (a unix socket, or tcp/https on a loopback address): 127.0.0.1;
- any other daemon (tcp to another machine, ssh://): nothing is sent, the probe is ``skipped``.

Each request has a short deadline for the whole of it (connecting, sending, the answer's head and
body: a service that answers one byte at a time cannot stretch it) and reads at most ``BODY_LIMIT``
bytes of body; a request that gets no answer, or a 5xx, is tried again after ``INTERVAL`` seconds,
at most ``attempts`` times in all.
"""

from __future__ import annotations

import ipaddress
import json
import socket
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable
from urllib.parse import urlsplit

from checks.snapshot import HttpProbe

BODY_LIMIT = 64 * 1024
TIMEOUT = 3.0  # seconds for one request, from connecting to the last byte read
HEAD_LIMIT = 64 * 1024  # bytes of an answer's status line and headers
INTERVAL = 1.0  # seconds between attempts
MAX_ATTEMPTS = 20


@dataclass
class Prober:
    """Sends the probes of one grading run; ``sent`` lists each request, for tests to count."""

    address: str = "127.0.0.1"
    namespace: Path | None = None  # a lab's network namespace, joined for the requests
    skipped: str = ""  # why nothing is sent: the daemon's address, when it is on another machine
    sleep: Callable[[float], None] = time.sleep
    sent: list[str] = field(default_factory=list)

    def probe(self, host_port: int, path: str, attempts: int) -> HttpProbe:
        if self.skipped:
            return HttpProbe(skipped=self.skipped)
        attempts = max(1, min(attempts, MAX_ATTEMPTS))
        if self.namespace is not None:
            try:
                from checks.lab import netns  # only for a lab's daemon

                return netns.run_in(self.namespace, lambda: self._tries(host_port, path, attempts))
            except OSError as error:  # not a network namespace (a lab.json that lies), or not root
                return HttpProbe((f"GET http://{self.address}:{host_port}{path} → not sent: cannot enter {self.namespace} ({error.strerror or error})",))
        return self._tries(host_port, path, attempts)

    def _tries(self, host_port: int, path: str, attempts: int) -> HttpProbe:
        import http.client  # only when an http check runs

        url = f"http://{self.address}:{host_port}{path}"
        tried: list[str] = []
        answer: tuple[int, dict, bytes] | None = None
        for attempt in range(attempts):
            if attempt:
                self.sleep(INTERVAL)
            self.sent.append(f"GET {url}")
            try:
                answer = _get(self.address, host_port, path)
            except (OSError, http.client.HTTPException) as error:
                answer = None
                tried.append(f"GET {url} → {_reason(error)}")
                continue
            tried.append(f"GET {url} → {answer[0]}")
            if answer[0] < 500:
                break
        if answer is None:
            return HttpProbe(tuple(tried))
        return HttpProbe(tuple(tried), answer[0], answer[1], answer[2])


def _get(address: str, port: int, path: str) -> tuple[int, dict, bytes]:
    """One GET, done within TIMEOUT in all: what came before the deadline is the answer, if it has a head."""
    import http.client

    if any(ord(character) <= 0x20 or ord(character) == 0x7F for character in path):  # as http.client refuses them
        raise http.client.InvalidURL(f"control character or space in the path {path!r}")
    deadline = time.monotonic() + TIMEOUT
    received = bytearray()
    with socket.create_connection((address, port), timeout=TIMEOUT) as connection:
        connection.sendall(f"GET {path} HTTP/1.1\r\nHost: {address}:{port}\r\nUser-Agent: docker-grader\r\n"
                           "Connection: close\r\n\r\n".encode("latin-1"))
        while len(received) < HEAD_LIMIT + BODY_LIMIT and not _complete(received):
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                if b"\r\n\r\n" in received:
                    break  # a whole head and part of a body: the answer, as far as it came
                raise TimeoutError
            connection.settimeout(remaining)
            try:
                chunk = connection.recv(65536)
            except (socket.timeout, TimeoutError):
                if b"\r\n\r\n" in received:
                    break
                raise
            if not chunk:
                break
            received += chunk
    response = http.client.HTTPResponse(_Received(bytes(received)))
    response.begin()
    try:
        body = response.read(BODY_LIMIT)
    except http.client.IncompleteRead as cut:  # a chunked body cut by the deadline or the limit
        body = cut.partial[:BODY_LIMIT]
    headers = {name.lower(): value for name, value in response.getheaders()}
    return response.status, headers, body


def _complete(received: bytearray) -> bool:
    """Whether an answer with a Content-Length has come whole (the server may keep the connection open)."""
    head, found, body = bytes(received).partition(b"\r\n\r\n")
    if not found:
        return False
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length" and value.strip().isdigit():
            return len(body) >= int(value.strip())
    return False


class _Received:
    """The bytes of an answer, as the socket http.client.HTTPResponse reads its file from."""

    def __init__(self, data: bytes):
        self.data = data

    def makefile(self, mode: str):
        import io

        return io.BytesIO(self.data)


def _reason(error: BaseException) -> str:
    import http.client

    if isinstance(error, ConnectionRefusedError):
        return "connection refused"
    if isinstance(error, (socket.timeout, TimeoutError)):
        return f"no answer in {TIMEOUT:g} s"
    if isinstance(error, http.client.RemoteDisconnected) or isinstance(error, ConnectionResetError):
        return "connection closed without an answer"
    return (getattr(error, "strerror", None) or type(error).__name__)[:100]


def for_host(host: str) -> Prober:
    """The prober for a daemon address (``unix://...``, ``tcp://...``, ``ssh://...``)."""
    parts = urlsplit(host if "://" in host else f"tcp://{host}")
    if parts.scheme in ("unix", "npipe", ""):
        namespace = _lab_namespace(Path(parts.path)) if parts.scheme == "unix" else None
        return Prober(namespace=namespace)
    if parts.scheme in ("tcp", "http", "https") and _loopback(parts.hostname or ""):
        return Prober()
    return Prober(skipped=host)


def _lab_namespace(socket_path: Path) -> Path | None:
    """The network namespace of the lab whose socket this is (its lab.json names it), else None."""
    try:
        state = json.loads((socket_path.parent / "lab.json").read_text())
    except (OSError, ValueError):
        return None
    if not isinstance(state, dict) or state.get("host") != f"unix://{socket_path}" or not state.get("netns"):
        return None
    path = Path(state["netns"])
    return path if path.is_file() else None


def _loopback(hostname: str) -> bool:
    if hostname == "localhost":
        return True
    try:
        return ipaddress.ip_address(hostname).is_loopback
    except ValueError:
        return False
