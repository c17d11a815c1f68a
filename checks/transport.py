"""How GET requests reach a daemon, with the standard library only: HTTP/1.1 over a unix socket,
TCP, TLS over TCP, or the stdin and stdout of ``ssh HOST docker system dial-stdio`` (as the docker
CLI reaches an ssh:// daemon; no paramiko). Every way gives a ``Response`` and raises
``TransportError``, so ``checks.daemon`` holds the same logic for all of them.
"""

from __future__ import annotations

import contextlib
import errno
import http.client
import json
import socket
import ssl
import subprocess
from typing import Any, Callable, Protocol
from urllib.parse import quote, urlencode, urlsplit


class TransportError(Exception):
    """The request did not get an answer: ``reason`` in a few words, ``permission`` if access was refused."""

    def __init__(self, reason: str, permission: bool = False, kind: str = ""):
        super().__init__(reason)
        self.reason = reason
        self.permission = permission
        self.kind = kind  # "tls", "ssh", "ssh_missing" or "" (the daemon is not answering)


class Response(Protocol):
    status: int

    def read(self, size: int = -1) -> bytes: ...

    def json(self) -> Any: ...

    def close(self) -> None: ...


class Transport(Protocol):
    def get(self, path: str, params: dict | None, stream: bool) -> Response: ...

    def close(self) -> None: ...


def open_transport(host: str, context: ssl.SSLContext | None, timeout: float, ssh_argv: list[str] | None = None) -> Transport:
    """The transport for an address: unix://, tcp:// (TLS when ``context`` is given) or ssh:// (``ssh_argv``)."""
    scheme, _, rest = host.partition("://")
    if scheme == "unix" and rest:
        return UnixTransport(rest, timeout)
    if scheme == "tcp":
        parts = urlsplit(host)
        try:
            port = parts.port
        except ValueError as error:
            raise TransportError(str(error)) from None
        if not parts.hostname or port is None:
            raise TransportError("expected tcp://HOST:PORT")
        return StreamTransport(tcp_opener(parts.hostname, port, context), timeout)
    if scheme == "ssh" and ssh_argv:
        return StreamTransport(command_opener(ssh_argv), timeout)
    raise TransportError(f"unsupported address (scheme {scheme or 'none'!r}): use unix://, tcp:// or ssh://")


def is_transport_error(error: BaseException) -> bool:
    """What a request can raise on its way: socket and HTTP errors, and those of requests, urllib3 and docker-py."""
    if isinstance(error, (OSError, http.client.HTTPException)):
        return True
    return type(error).__module__.split(".", 1)[0] in ("requests", "urllib3", "docker", "paramiko")


@contextlib.contextmanager
def mapped_errors():
    """The one map from what both transports (and the lab's docker-py client) raise to TransportError."""
    try:
        yield
    except TransportError:
        raise
    except Exception as error:
        if not is_transport_error(error):
            raise
        cause = _innermost(error)
        kind = "tls" if isinstance(cause, ssl.SSLError) or isinstance(error, ssl.SSLError) else ""
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


class _Connection(http.client.HTTPConnection):
    """HTTP/1.1 over whatever stream ``opener`` gives: a unix socket, TCP, TLS, or an ssh process."""

    def __init__(self, opener: "Opener", timeout: float):
        super().__init__("localhost", timeout=timeout)
        self._opener = opener
        self._process: subprocess.Popen | None = None
        self._fault = ""
        self.secured = False  # a TLS handshake was made: with TLS 1.3 the daemon refuses a client certificate after it

    def connect(self) -> None:
        self.sock, self._process = self._opener(self.timeout)
        self.secured = isinstance(self.sock, ssl.SSLSocket)

    def fault(self) -> str:
        """Why the program behind this connection (ssh) failed, in its own words; "" if it did not."""
        self.close()
        return self._fault

    def close(self) -> None:
        super().close()  # http.client also closes on its own errors: the program's words are kept here
        process, self._process = self._process, None
        if process is None:
            return
        try:
            process.wait(timeout=2)  # its stdin is closed: dial-stdio and ssh end on their own
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if process.returncode not in (0, -9):
            text = process.stderr.read(8192).decode("utf-8", "replace")
            lines = [line.strip() for line in text.splitlines() if line.strip()]
            self._fault = lines[-1][:300] if lines else f"{process.args[0]} exited with code {process.returncode}"
        process.stderr.close()


class _StreamResponse:
    def __init__(self, response: http.client.HTTPResponse, connection: _Connection):
        self._response = response
        self._connection = connection
        self.status = response.status

    def read(self, size: int = -1) -> bytes:
        with mapped_errors():
            return self._response.read(None if size < 0 else size)

    def json(self) -> Any:
        return json.loads(self.read())

    def close(self) -> None:
        self._response.close()
        self._connection.close()


Opener = Callable[[float], "tuple[socket.socket, subprocess.Popen | None]"]


class StreamTransport:
    """GET requests with the standard library, one connection per request, over ``opener``'s stream."""

    def __init__(self, opener: Opener, timeout: float):
        self.opener = opener
        self.timeout = timeout

    def get(self, path: str, params: dict | None, stream: bool) -> _StreamResponse:
        target = quote(path) + (f"?{urlencode(params)}" if params else "")
        connection = _Connection(self.opener, self.timeout)
        try:
            with mapped_errors():
                connection.request("GET", target, headers={"Host": "docker"})
                response = _StreamResponse(connection.getresponse(), connection)
        except TransportError as error:
            fault = connection.fault()
            connection.close()
            if fault:
                raise TransportError(fault, kind="ssh") from error
            if connection.secured and not error.kind and error.reason != "timed out":
                raise TransportError(f"the daemon ended the TLS session: {error.reason}", kind="tls") from error
            raise
        if not stream:
            body = response.read()
            response.close()
            return _Buffered(response.status, body)
        return response

    def close(self) -> None:
        pass


def unix_opener(path: str) -> Opener:
    def open_unix(timeout: float):
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(timeout)
        try:
            sock.connect(path)
        except BaseException:
            sock.close()
            raise
        return sock, None

    return open_unix


def tcp_opener(host: str, port: int, context: ssl.SSLContext | None = None) -> Opener:
    """TCP, and TLS over it when ``context`` is given (the handshake happens here, so its faults are TLS faults)."""

    def open_tcp(timeout: float):
        sock = socket.create_connection((host, port), timeout=timeout)
        if context is None:
            return sock, None
        try:
            return context.wrap_socket(sock, server_hostname=host), None
        except BaseException:
            sock.close()
            raise

    return open_tcp


def command_opener(argv: list[str]) -> Opener:
    """A connection that is a program's stdin and stdout, as the CLI's commandconn does for ssh://."""

    def open_command(timeout: float):
        ours, theirs = socket.socketpair()
        try:
            process = subprocess.Popen(argv, stdin=theirs, stdout=theirs, stderr=subprocess.PIPE, start_new_session=True)
        except OSError as error:
            ours.close()
            raise TransportError(f"{argv[0]}: {error.strerror or error}", kind="ssh_missing") from None
        finally:
            theirs.close()
        ours.settimeout(timeout)
        return ours, process

    return open_command


class _Buffered:
    def __init__(self, status: int, body: bytes):
        self.status = status
        self._body = body

    def read(self, size: int = -1) -> bytes:
        chunk, self._body = (self._body, b"") if size < 0 else (self._body[:size], self._body[size:])
        return chunk

    def json(self) -> Any:
        return json.loads(self._body)

    def close(self) -> None:
        pass


class UnixTransport(StreamTransport):
    """HTTP/1.1 over a unix socket; one connection per request."""

    def __init__(self, path: str, timeout: float):
        super().__init__(unix_opener(path), timeout)
        self.path = path
