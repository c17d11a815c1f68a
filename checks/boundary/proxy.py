"""The boundary's server: a unix socket in front of the lab's dockerd that passes only allowed requests.

    docker CLI (sandbox) ──▶ boundary socket ──[rules.route + rule]──▶ lab's dockerd socket
                                   └── refused: 403 {"message": reason}, as dockerd itself answers

One request per connection: the request head is read and judged, ``Connection: close`` is
sent upstream, and only then are bytes copied both ways. A second request can therefore never
ride on a connection that was judged for the first. Bodies that a rule reads are decoded,
checked and sent on re-encoded, so dockerd sees exactly what was judged; any framing or
encoding the boundary cannot read unambiguously is refused rather than guessed at.
"""

from __future__ import annotations

import json
import os
import re
import socket
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable
from urllib.parse import parse_qsl, quote, unquote, urlencode

from checks.boundary import rules
from checks.boundary.messages import msg
from checks.messages import LANGS, Message
from checks.transport import TransportError, UnixTransport

MAX_HEAD = 64 * 1024
MAX_BODY = 1024 * 1024
MAX_CONNECTIONS = 64
HEAD_TIMEOUT = 30.0
OLDEST_API = (1, 40)  # older API versions apply a HostConfig sent to /start, unchecked
TOKEN = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")
VERSION_PREFIX = re.compile(r"/v([0-9]+)\.([0-9]+)(?=/)")
HOP_BY_HOP = {"connection", "keep-alive", "proxy-connection", "te", "trailer", "upgrade", "proxy-authorization"}


class Refused(Exception):
    def __init__(self, reason: Message):
        super().__init__(reason.render("en"))
        self.reason = reason


@dataclass
class Head:
    method: str
    target: str
    version: str
    headers: list[tuple[str, str]]

    def header(self, name: str) -> list[str]:
        return [value for key, value in self.headers if key.lower() == name]


@dataclass
class Stats:
    """What the boundary did, for tests and the run's record."""

    allowed: int = 0
    refused: list[tuple[str, str, Message]] = field(default_factory=list)


class Boundary:
    """Serves ``listen`` (a unix socket path) in threads until closed; a context manager."""

    def __init__(self, upstream: Path, listen: Path, context: rules.Context, owner: int | None = None):
        """``owner``: the only user (besides root) that may connect; anyone, when None."""
        self.upstream = str(upstream)
        self.listen = Path(listen)
        self.context = context
        self.stats = Stats()
        self._server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        if self.listen.exists() or self.listen.is_symlink():
            self.listen.unlink()
        self._server.bind(str(self.listen))
        if owner is not None:
            os.chown(self.listen, owner, owner)
        os.chmod(self.listen, 0o600 if owner is not None else 0o666)
        self._server.listen(64)
        self._slots = threading.BoundedSemaphore(MAX_CONNECTIONS)
        self._closed = threading.Event()
        self._thread = threading.Thread(target=self._serve, name="boundary", daemon=True)
        self._thread.start()

    def __enter__(self) -> "Boundary":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._closed.set()
        try:
            self._server.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self._server.close()
        self._thread.join(timeout=5)
        try:
            self.listen.unlink()
        except OSError:
            pass

    def _serve(self) -> None:
        while not self._closed.is_set():
            try:
                client, _ = self._server.accept()
            except OSError:
                return
            if not self._slots.acquire(blocking=False):
                _answer(client, 429, msg("boundary.too_many", what="connections", limit=MAX_CONNECTIONS))
                continue
            threading.Thread(target=self._handle, args=(client,), daemon=True).start()

    def _handle(self, client: socket.socket) -> None:
        upstream = None
        head = None
        try:
            client.settimeout(HEAD_TIMEOUT)
            head, rest = _read_head(client)
            route, body, rest, decision = self._judge(head, rest, client)
            if decision.answer is not None or decision.before:
                if self._answered_here(client, head, decision):
                    return
            upstream = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            upstream.connect(self.upstream)
            client.settimeout(None)
            upstream.sendall(_forward_head(head, route.hijack, body))
            self.stats.allowed += 1
            if body is not None:
                upstream.sendall(body)
            if route.hijack:
                _after_upgrade(client, upstream, rest)
                return
            if body is None:  # a body the rule did not read: streamed as it comes (build contexts, tars)
                threading.Thread(target=_pump, args=(client, upstream, rest), daemon=True).start()
            _pump(upstream, client, b"")
            for method, path, query in decision.after:
                _side_request(self.upstream, head, method, path, query)
        except Refused as refusal:
            self.stats.refused.append((getattr(refusal, "method", "?"), getattr(refusal, "path", "?"), refusal.reason))
            if head is not None and not getattr(refusal, "body_read", False):
                _drain(client, head, rest)  # a client still writing its body would see a broken pipe, not the answer
            _answer(client, 403, refusal.reason)
        except OSError:
            pass
        finally:
            for conn in (client, upstream):
                if conn is not None:
                    conn.close()
            self._slots.release()

    def _answered_here(self, client: socket.socket, head: Head, decision: rules.Decision) -> bool:
        """The boundary's own answer (docker login), or the failure of a request it sent first; False: go on."""
        if decision.answer is not None:
            _send(client, 200, json.dumps(decision.answer).encode())
            self.stats.allowed += 1
            return True
        for method, path, query in decision.before:
            status, answer = _side_request(self.upstream, head, method, path, query)
            if status >= 300:  # dockerd's own error (no such image): the student's to read
                _send(client, status, answer)
                return True
        return False

    def _judge(self, head: Head, rest: bytes, client: socket.socket) -> tuple[rules.Route, bytes | None, bytes, rules.Decision]:
        """The route, the body to send (None: stream the client's as it comes), what the client sent after it,
        and the decision (with a target rewritten, when it was: ``head`` then carries it)."""
        path, query = _split_target(head.target)
        route = rules.route(head.method, path)
        if route is None:
            raise _refusal(msg("boundary.endpoint", method=head.method, path=path), head.method, path)
        framing = _framing(head)
        body_value = None
        body = None
        if route.reads_body or route.hijack:
            raw, rest = _read_body(client, rest, framing)
            try:
                body_value = _decode_json(raw) if route.reads_body and raw.strip() else None
            except Refused as refusal:
                refusal.body_read = True
                raise
            body = raw
        request = rules.Request(head.method, path, route.params, query, body_value)
        decision = route.rule(request, self.context)
        if not decision.allowed:
            refusal = _refusal(decision.reason, head.method, path)
            refusal.body_read = route.reads_body or route.hijack
            raise refusal
        if route.reads_body:
            value = decision.body if decision.rewritten else body_value
            body = b"" if value is None else json.dumps(value).encode()
        if decision.target is not None:
            head.target = _versioned(head, decision.target)
        return route, body, rest, decision


def _versioned(head: Head, target: str) -> str:
    """``target`` (a path the boundary chose, and its query) with the API version of the request's."""
    version = VERSION_PREFIX.match(head.target)
    path, _, query = target.partition("?")
    quoted = quote(path, safe="/:@")
    return (version.group(0) if version else "") + quoted + (f"?{query}" if query else "")


def _side_request(upstream: str, head: Head, method: str, path: str, query) -> tuple[int, bytes]:
    """A request of the boundary's own to dockerd (never the student's bytes): its status and body."""
    target = _versioned(head, path + (f"?{urlencode(query)}" if query else ""))
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as conn:
            conn.settimeout(HEAD_TIMEOUT)
            conn.connect(upstream)
            conn.sendall(f"{method} {target} HTTP/1.1\r\nHost: docker\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".encode())
            answer = b""
            while len(answer) <= MAX_BODY:
                chunk = conn.recv(65536)
                if not chunk:
                    break
                answer += chunk
    except OSError as error:
        return 502, json.dumps({"message": f"docker-grader: {error.strerror or error}"}).encode()
    status_line, _, rest = answer.partition(b"\r\n")
    _, _, body = rest.partition(b"\r\n\r\n")
    try:
        status = int(status_line.split(b" ")[1])
    except (IndexError, ValueError):
        return 502, json.dumps({"message": "docker-grader: no answer from the daemon"}).encode()
    if b"transfer-encoding: chunked" in rest.partition(b"\r\n\r\n")[0].lower():
        body = _dechunk(body)
    return status, body


def _dechunk(data: bytes) -> bytes:
    out = b""
    while data:
        size_line, _, data = data.partition(b"\r\n")
        try:
            size = int(size_line.split(b";")[0], 16)
        except ValueError:
            break
        if size == 0:
            break
        out, data = out + data[:size], data[size + 2:]
    return out


def _send(client: socket.socket, status: int, body: bytes) -> None:
    head = (f"HTTP/1.1 {status} {'OK' if status < 300 else 'Error'}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n")
    try:
        client.sendall(head.encode() + body)
    except OSError:
        pass


def _drain(client: socket.socket, head: Head, rest: bytes) -> None:
    """Reads what is left of a refused request's body (bounded, briefly), so the client reads the answer."""
    try:
        framing = _framing(head)
    except Refused:
        return
    budget = 8 * MAX_BODY
    client.settimeout(2)
    try:
        if framing == "chunked":
            data = rest
            while not data.endswith(b"0\r\n\r\n") and len(data) < budget:
                chunk = client.recv(65536)
                if not chunk:
                    return
                data = data[-8:] + chunk
                budget -= len(chunk)
        else:
            left = min(int(framing), budget) - len(rest)
            while left > 0:
                chunk = client.recv(min(65536, left))
                if not chunk:
                    return
                left -= len(chunk)
    except OSError:
        pass


def _refusal(reason: Message, method: str, path: str) -> Refused:
    refusal = Refused(reason)
    refusal.method, refusal.path = method, path
    return refusal


# --- HTTP, read strictly -----------------------------------------------------------------
def _read_head(client: socket.socket) -> tuple[Head, bytes]:
    data = b""
    while b"\r\n\r\n" not in data:
        if len(data) > MAX_HEAD:
            raise Refused(msg("boundary.bad_request", reason="request head too large"))
        chunk = client.recv(65536)
        if not chunk:
            raise OSError("closed before a request")
        data += chunk
    raw, rest = data.split(b"\r\n\r\n", 1)
    if len(raw) > MAX_HEAD:
        raise Refused(msg("boundary.bad_request", reason="request head too large"))
    try:
        text = raw.decode("ascii")
    except UnicodeDecodeError:
        raise Refused(msg("boundary.bad_request", reason="non-ASCII request head")) from None
    lines = text.split("\r\n")
    parts = lines[0].split(" ")
    if len(parts) != 3 or not TOKEN.fullmatch(parts[0]) or parts[2] not in ("HTTP/1.1", "HTTP/1.0") or not parts[1].startswith("/"):
        raise Refused(msg("boundary.bad_request", reason=f"request line {lines[0][:80]!r}"))
    headers = []
    for line in lines[1:]:
        name, sep, value = line.partition(":")
        if not sep or not TOKEN.fullmatch(name) or "\n" in line or "\r" in line:
            raise Refused(msg("boundary.bad_request", reason=f"header line {line[:80]!r}"))
        headers.append((name, value.strip(" \t")))
    return Head(parts[0], parts[1], parts[2], headers), rest


def _split_target(target: str) -> tuple[str, dict[str, str]]:
    """The path without its API version, and the query (first value of each key), or Refused."""
    raw_path, _, raw_query = target.partition("?")
    if "#" in target or ";" in raw_query:
        raise Refused(msg("boundary.bad_request", reason="fragment or ';' in the request target"))
    try:
        path = unquote(raw_path, errors="strict")
    except UnicodeDecodeError:
        raise Refused(msg("boundary.bad_request", reason="undecodable path")) from None
    segments = path.split("/")[1:]
    if "\0" in path or any(segment in ("", ".", "..") for segment in segments[:-1]) or segments[-1] in (".", ".."):
        raise Refused(msg("boundary.bad_request", reason=f"path {path[:80]!r} is not canonical"))
    version = VERSION_PREFIX.match(path)
    if version:
        if (int(version.group(1)), int(version.group(2))) < OLDEST_API:
            raise Refused(msg("boundary.bad_request", reason=f"API version {version.group(1)}.{version.group(2)} is older than 1.40"))
        path = path[version.end():]
    try:
        pairs = parse_qsl(raw_query, keep_blank_values=True, strict_parsing=False, errors="strict")
    except (UnicodeDecodeError, ValueError):
        raise Refused(msg("boundary.bad_request", reason="undecodable query")) from None
    query: dict[str, str] = {}
    for key, value in pairs:
        query.setdefault(key, value)
    return path, query


def _framing(head: Head) -> str | int:
    """'chunked', a Content-Length, or 0; anything ambiguous is refused."""
    lengths = head.header("content-length")
    encodings = head.header("transfer-encoding")
    kinds = [value.split(";")[0].strip().lower() for value in head.header("content-type")]
    if any(kind in ("application/x-www-form-urlencoded", "multipart/form-data") for kind in kinds):
        raise Refused(msg("boundary.bad_request", reason="form bodies are not accepted"))
    if lengths and encodings or len(lengths) > 1 or len(encodings) > 1:
        raise Refused(msg("boundary.bad_request", reason="ambiguous body framing"))
    if encodings:
        if encodings[0].lower() != "chunked":
            raise Refused(msg("boundary.bad_request", reason=f"Transfer-Encoding {encodings[0]!r}"))
        return "chunked"
    if lengths:
        if not lengths[0].isdigit():
            raise Refused(msg("boundary.bad_request", reason=f"Content-Length {lengths[0]!r}"))
        return int(lengths[0])
    return 0


def _read_body(client: socket.socket, rest: bytes, framing: str | int) -> tuple[bytes, bytes]:
    """The whole body (bounded) and what the client sent after it."""
    reader = _Reader(client, rest)
    return _read_framed(reader, framing), reader.buffer


def _read_framed(reader: "_Reader", framing: str | int) -> bytes:
    if framing == "chunked":
        body = b""
        while True:
            size_line = reader.line().split(b";")[0].strip()
            if not re.fullmatch(rb"[0-9a-fA-F]{1,8}", size_line):
                raise Refused(msg("boundary.bad_request", reason="bad chunk size"))
            size = int(size_line, 16)
            if size == 0:
                while reader.line():  # trailers, up to the blank line
                    pass
                return body
            if len(body) + size > MAX_BODY:
                raise Refused(msg("boundary.bad_request", reason=f"body over {MAX_BODY} bytes"))
            body += reader.exactly(size)
            if reader.exactly(2) != b"\r\n":
                raise Refused(msg("boundary.bad_request", reason="bad chunk end"))
    if framing > MAX_BODY:
        raise Refused(msg("boundary.bad_request", reason=f"body over {MAX_BODY} bytes"))
    return reader.exactly(framing)


class _Reader:
    def __init__(self, conn: socket.socket, buffered: bytes):
        self.conn, self.buffer = conn, buffered

    def _fill(self) -> None:
        chunk = self.conn.recv(65536)
        if not chunk:
            raise OSError("closed in the middle of a body")
        self.buffer += chunk

    def exactly(self, size: int) -> bytes:
        while len(self.buffer) < size:
            self._fill()
        data, self.buffer = self.buffer[:size], self.buffer[size:]
        return data

    def line(self) -> bytes:
        while b"\r\n" not in self.buffer:
            if len(self.buffer) > MAX_HEAD:
                raise Refused(msg("boundary.bad_request", reason="chunk line too long"))
            self._fill()
        line, self.buffer = self.buffer.split(b"\r\n", 1)
        return line


def _decode_json(raw: bytes):
    def pairs(items):
        seen = set()
        for key, _ in items:
            # Go's decoder matches names with Unicode case folding (ſ is s, K is k) and merges
            # repeats: so keys are ASCII, and no two of an object are the same letters in any case.
            if not key.isascii():
                raise Refused(msg("boundary.bad_body", reason=f"key {key!r} is not ASCII"))
            if key.lower() in seen:
                raise Refused(msg("boundary.bad_body", reason=f"key {key!r} given twice"))
            seen.add(key.lower())
        return dict(items)

    try:
        return json.loads(raw.decode("utf-8"), object_pairs_hook=pairs)
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise Refused(msg("boundary.bad_body", reason="the body is not JSON")) from None


def _forward_head(head: Head, hijack: bool, body: bytes | None) -> bytes:
    lines = [f"{head.method} {head.target} HTTP/1.1"]
    for name, value in head.headers:
        lower = name.lower()
        if lower in HOP_BY_HOP or body is not None and lower in ("content-length", "transfer-encoding"):
            continue
        lines.append(f"{name}: {value}")
    if hijack and any(v.lower() == "tcp" for v in head.header("upgrade")):
        lines += ["Connection: Upgrade", "Upgrade: tcp"]
    else:
        lines.append("Connection: close")
    if body is not None:
        lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("ascii")


def _after_upgrade(client: socket.socket, upstream: socket.socket, early: bytes) -> None:
    """attach and exec start: bytes go both ways only once dockerd has switched protocols (101).

    Any other answer (404 for an unknown exec, 200 for a detached one) is passed on and the
    connection ends there: nothing the client sends is read as a second request.
    """
    head = b""
    while b"\r\n\r\n" not in head:
        chunk = upstream.recv(65536)
        if not chunk or len(head) > MAX_HEAD:
            return
        head += chunk
    status = head.split(b" ", 2)[1:2]
    client.sendall(head)
    if status != [b"101"]:
        upstream.shutdown(socket.SHUT_WR)  # dockerd ends the connection after this answer
        _pump(upstream, client, b"")
        return
    threading.Thread(target=_pump, args=(client, upstream, early), daemon=True).start()
    _pump(upstream, client, b"")


def _pump(source: socket.socket, sink: socket.socket, first: bytes) -> None:
    try:
        if first:
            sink.sendall(first)
        while True:
            chunk = source.recv(65536)
            if not chunk:
                break
            sink.sendall(chunk)
    except OSError:
        pass
    finally:
        try:
            sink.shutdown(socket.SHUT_WR)
        except OSError:
            pass


def _answer(client: socket.socket, status: int, reason: Message) -> None:
    text = " | ".join(msg("boundary.refused", reason=reason).render(lang) for lang in LANGS)
    body = json.dumps({"message": text}).encode()
    head = (
        f"HTTP/1.1 {status} {'Forbidden' if status == 403 else 'Too Many Requests'}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\nConnection: close\r\n\r\n"
    )
    try:
        client.sendall(head.encode() + body)
    except OSError:
        pass
    finally:
        client.close()


Counter = Callable[[], int]


def container_counter(upstream: Path) -> Counter:
    """Counts the lab's containers with one GET on dockerd's own socket (the cap on creates); fails closed."""

    def count() -> int:
        try:
            return len(UnixTransport(str(upstream), 10).get("/containers/json", {"all": 1}, stream=False).json())
        except (TransportError, ValueError, TypeError):
            return sys.maxsize  # cannot tell: refuse the create rather than let the cap go

    return count
