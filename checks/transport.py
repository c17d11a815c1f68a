"""How GET requests reach a daemon, with the standard library only: HTTP/1.1 over a unix socket
(here, on the socket alone), and TCP, TLS over TCP, or the stdin and stdout of ``ssh HOST docker
system dial-stdio`` (``checks.remote``, on http.client, imported only for such an address; as the
docker CLI reaches an ssh:// daemon, no paramiko). ``checks.dial`` picks one for an address. Every
way gives a ``Response`` and raises ``TransportError``, so ``checks.daemon`` holds the same logic
for all of them.
"""

from __future__ import annotations

import contextlib
import errno
import json
import socket
import sys
import time
from typing import Any, Protocol
from urllib.parse import quote, urlencode


class TransportError(Exception):
    """The request did not get an answer: ``reason`` in a few words, ``permission`` if access was refused."""

    def __init__(self, reason: str, permission: bool = False, kind: str = ""):
        super().__init__(reason)
        self.reason = reason
        self.permission = permission
        self.kind = kind  # "tls", "ssh", "ssh_missing", "too_large" (ANSWER_LIMIT) or "" (the daemon is not answering)


class Response(Protocol):
    status: int
    headers: dict[str, str]  # names in lower case

    def read(self, size: int = -1) -> bytes: ...

    def json(self) -> Any: ...

    def close(self) -> None: ...


class Transport(Protocol):
    def get(self, path: str, params: dict | None, stream: bool) -> Response: ...

    def close(self) -> None: ...


def is_transport_error(error: BaseException) -> bool:
    """What a request can raise on its way: socket and HTTP errors (http.client's too), and those of
    requests, urllib3 and docker-py (the tests' own clients)."""
    if isinstance(error, OSError):
        return True
    return type(error).__module__.split(".", 1)[0] in ("http", "requests", "urllib3", "docker", "paramiko")


@contextlib.contextmanager
def mapped_errors():
    """The one map from what the transports (and the tests' docker-py client) raise to TransportError."""
    try:
        yield
    except TransportError:
        raise
    except Exception as error:
        if not is_transport_error(error):
            raise
        cause = _innermost(error)
        tls = sys.modules.get("ssl")  # an SSL error needs ssl imported (checks.remote): never import it here
        kind = "tls" if tls is not None and (isinstance(cause, tls.SSLError) or isinstance(error, tls.SSLError)) else ""
        raise TransportError(reason_of(error), _is_permission(cause), kind) from error


def reason_of(error: BaseException) -> str:
    """The innermost cause of an error, in one short line (errno text where there is one)."""
    cause = _innermost(error)
    if isinstance(cause, OSError) and cause.strerror:
        return cause.strerror
    if isinstance(cause, TimeoutError | socket.timeout):
        return "timed out"
    text = str(cause) or type(cause).__name__
    return text.splitlines()[0][:200]


def _innermost(error: BaseException) -> BaseException:
    """Follows causes, contexts and wrapped reasons (urllib3 wraps twice) down to the first error."""
    seen = set()
    while id(error) not in seen:
        seen.add(id(error))
        nested = error.__cause__ or error.__context__ or getattr(error, "reason", None)
        if nested is None and error.args and isinstance(error.args[0], BaseException):
            nested = error.args[0]
        if not isinstance(nested, BaseException):
            return error
        error = nested
    return error


def _is_permission(error: BaseException) -> bool:
    return isinstance(error, PermissionError) or getattr(error, "errno", None) in (errno.EACCES, errno.EPERM)


HEAD_LIMIT = 64 * 1024  # bytes of status line and headers; dockerd sends a few hundred
# Bytes of one buffered answer (a list, an inspect): 5,000 containers list in about 10 MiB. A stream
# (logs, an archive) is read in chunks by its caller and is not bounded here.
ANSWER_LIMIT = 64 * 1024 * 1024
STREAM_TIME = 10  # a stream may take this many times a request's timeout, in all: 200 MB of logs stream in seconds


class _UnixResponse:
    """An HTTP/1.1 response read straight from the socket: a body of Content-Length bytes, chunked,
    or up to the end of the connection (the request asked dockerd to close it).

    The standard library's http.client would do, but importing it (with the email package) costs
    more than a ``check`` of an empty daemon spends on everything else but the interpreter.
    """

    def __init__(self, sock: socket.socket, deadline: float | None = None):
        self._sock = sock
        self._deadline = deadline  # time.monotonic() by which the whole answer must have come
        self.received = 0  # bytes taken from the socket, head and body
        self._buffer = bytearray()
        self._eof = False
        self._chunked = False
        self._left: int | None = None  # bytes left in the body, or in the current chunk; None: until EOF
        self._done = False
        head = self._head()
        status_line, *header_lines = head.split(b"\r\n")
        parts = status_line.split(b" ", 2)
        if len(parts) < 2 or not parts[0].startswith(b"HTTP/1.") or not parts[1].isdigit():
            raise TransportError(f"not an HTTP answer: {status_line[:60]!r}")
        self.status = int(parts[1])
        headers = {}
        for line in header_lines:
            name, _, value = line.partition(b":")
            headers[name.strip().lower()] = value.strip()
        self.headers = {name.decode("latin-1"): value.decode("latin-1") for name, value in headers.items()}
        if self.status in (204, 304) or 100 <= self.status < 200:
            self._done = True
        elif b"chunked" in headers.get(b"transfer-encoding", b"").lower():
            self._chunked = True
            self._left = 0
        elif headers.get(b"content-length", b"").isdigit():
            self._left = int(headers[b"content-length"])
            self._done = self._left == 0

    def _fill(self) -> bool:
        if self._eof:
            return False
        if self._deadline is not None:  # for the whole answer, not for each read: a drip of bytes cannot stretch it
            left = self._deadline - time.monotonic()
            if left <= 0:
                raise TransportError("timed out")
            self._sock.settimeout(left)
        with mapped_errors():
            chunk = self._sock.recv(65536)
        self.received += len(chunk)
        if not chunk:
            self._eof = True
            return False
        self._buffer += chunk
        return True

    def _head(self) -> bytes:
        while True:
            end = self._buffer.find(b"\r\n\r\n")
            if end >= 0:
                head = bytes(self._buffer[:end])
                del self._buffer[: end + 4]
                return head
            if len(self._buffer) > HEAD_LIMIT or not self._fill():
                raise TransportError("the connection closed before the answer's headers ended")

    def _line(self) -> bytes:
        while (end := self._buffer.find(b"\r\n")) < 0:
            if len(self._buffer) > HEAD_LIMIT or not self._fill():
                raise TransportError("a chunked answer was cut short")
        line = bytes(self._buffer[:end])
        del self._buffer[: end + 2]
        return line

    def _take(self, size: int) -> bytes:
        """Up to ``size`` bytes of the body as it comes (at least one unless the body ended)."""
        if self._done:
            return b""
        if self._chunked and self._left == 0:
            length = self._line().split(b";", 1)[0].strip()
            try:
                self._left = int(length, 16)
            except ValueError:
                raise TransportError(f"bad chunk size {length[:20]!r}") from None
            if self._left == 0:  # the last chunk, then trailers up to an empty line
                while self._line():
                    pass
                self._done = True
                return b""
        if not self._buffer and not self._fill():
            if self._left is not None:
                raise TransportError("the connection closed before the answer's body ended")
            self._done = True
            return b""
        want = size if self._left is None else min(size, self._left)
        chunk = bytes(self._buffer[:want])
        del self._buffer[:want]
        if self._left is not None:
            self._left -= len(chunk)
            if self._left == 0:
                if self._chunked:
                    self._line()  # the CRLF after a chunk's data
                else:
                    self._done = True
        return chunk

    def read(self, size: int = -1) -> bytes:
        """``size`` bytes (fewer only at the body's end); all of the body when ``size`` is negative."""
        parts, wanted = [], size if size >= 0 else float("inf")
        got = 0
        while got < wanted:
            chunk = self._take(int(min(wanted - got, 1 << 20)))
            if not chunk:
                break
            parts.append(chunk)
            got += len(chunk)
        return b"".join(parts)

    def json(self) -> Any:
        return json.loads(self.read())

    def close(self) -> None:
        self._sock.close()


class UnixTransport:
    """HTTP/1.1 over a unix socket, one connection per request, on the standard library's socket alone."""

    def __init__(self, path: str, timeout: float):
        self.path = path
        self.timeout = timeout

    def get(self, path: str, params: dict | None, stream: bool) -> _UnixResponse | "Buffered":
        target = quote(path) + (f"?{urlencode(params)}" if params else "")
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            sock.settimeout(self.timeout)
            deadline = time.monotonic() + self.timeout * (STREAM_TIME if stream else 1)
            with mapped_errors():
                sock.connect(self.path)
                sock.sendall(f"GET {target} HTTP/1.1\r\nHost: docker\r\nConnection: close\r\n\r\n".encode())
            response = _UnixResponse(sock, deadline)
        except BaseException:
            sock.close()
            raise
        if not stream:
            try:
                body = response.read(ANSWER_LIMIT + 1)
            finally:
                response.close()
            if len(body) > ANSWER_LIMIT:
                raise TransportError(f"over {ANSWER_LIMIT} bytes", kind="too_large")
            return Buffered(response.status, body, response.headers)
        return response

    def close(self) -> None:
        pass


class Buffered:
    """A whole answer, read: what every transport gives for a request that is not streamed."""

    def __init__(self, status: int, body: bytes, headers: dict[str, str] | None = None):
        self.status = status
        self._body = body
        self.headers = headers or {}

    def read(self, size: int = -1) -> bytes:
        chunk, self._body = (self._body, b"") if size < 0 else (self._body[:size], self._body[size:])
        return chunk

    def json(self) -> Any:
        return json.loads(self._body)

    def close(self) -> None:
        pass
