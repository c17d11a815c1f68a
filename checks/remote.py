"""GET requests to a daemon over TCP, TLS or an ssh process's stdin and stdout, on http.client.

Only an address of those kinds needs it (``checks.dial.open_transport`` imports it then), so a
``check`` of a local socket does not pay for importing http.client and the email package.
"""

from __future__ import annotations

import http.client
import json
import socket
import ssl
import subprocess
import time
from typing import Any, Callable
from urllib.parse import quote, urlencode

from checks.transport import ANSWER_LIMIT, TransportError, Buffered, mapped_errors


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
        self.headers = {name.lower(): value for name, value in response.getheaders()}

    def read(self, size: int = -1) -> bytes:
        with mapped_errors():
            return self._response.read(None if size < 0 else size)

    def json(self) -> Any:
        return json.loads(self.read())

    def close(self) -> None:
        self._response.close()
        self._connection.close()


Opener = Callable[[float], "tuple[socket.socket, subprocess.Popen | None]"]


def _bounded_body(response: "_StreamResponse", connection: "_Connection", deadline: float) -> bytes:
    """The whole body by ``deadline`` (not a timeout per read: a drip of bytes cannot stretch it) and
    within ANSWER_LIMIT bytes, read one receive at a time."""
    parts, size = [], 0
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            raise TransportError("timed out")
        if connection.sock is not None:
            connection.sock.settimeout(left)
        with mapped_errors():
            chunk = response._response.read1(65536)
        if not chunk:
            return b"".join(parts)
        size += len(chunk)
        if size > ANSWER_LIMIT:
            raise TransportError(f"over {ANSWER_LIMIT} bytes", kind="too_large")
        parts.append(chunk)


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
            try:
                body = _bounded_body(response, connection, time.monotonic() + self.timeout)
            finally:
                response.close()
            return Buffered(response.status, body, response.headers)
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
