"""How GET requests reach a daemon: plain HTTP over a unix socket, or docker-py for everything else.

A local socket, the common case, needs nothing beyond the standard library, so ``docker-grader
check`` does not pay for importing docker-py and requests on each run. TCP (with or without TLS),
ssh:// and named pipes go through docker-py, imported only then. Both give a ``Response`` and raise
``TransportError``, so ``checks.daemon`` holds the same logic for both.
"""

from __future__ import annotations

import contextlib
import errno
import http.client
import json
import socket
from typing import Any, Protocol
from urllib.parse import quote, urlencode


class TransportError(Exception):
    """The request did not get an answer: ``reason`` in a few words, ``permission`` if access was refused."""

    def __init__(self, reason: str, permission: bool = False):
        super().__init__(reason)
        self.reason = reason
        self.permission = permission


class Response(Protocol):
    status: int

    def read(self, size: int = -1) -> bytes: ...

    def json(self) -> Any: ...

    def close(self) -> None: ...


class Transport(Protocol):
    def get(self, path: str, params: dict | None, stream: bool) -> Response: ...

    def close(self) -> None: ...


def open_transport(host: str, tls: Any, timeout: float) -> Transport:
    if host.startswith("unix://") and not tls:
        return UnixTransport(host.removeprefix("unix://"), timeout)
    return DockerPyTransport(host, tls, timeout)


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
        raise TransportError(reason_of(error), _is_permission(_innermost(error))) from error


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


class _UnixConnection(http.client.HTTPConnection):
    def __init__(self, path: str, timeout: float):
        super().__init__("localhost", timeout=timeout)
        self.socket_path = path

    def connect(self) -> None:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(self.timeout)
        try:
            sock.connect(self.socket_path)
        except BaseException:
            sock.close()
            raise
        self.sock = sock


class _UnixResponse:
    def __init__(self, response: http.client.HTTPResponse, connection: _UnixConnection):
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


class UnixTransport:
    """HTTP/1.1 over a unix socket with the standard library; one connection per request."""

    def __init__(self, path: str, timeout: float):
        self.path = path
        self.timeout = timeout

    def get(self, path: str, params: dict | None, stream: bool) -> _UnixResponse:
        target = quote(path) + (f"?{urlencode(params)}" if params else "")
        connection = _UnixConnection(self.path, self.timeout)
        try:
            with mapped_errors():
                connection.request("GET", target, headers={"Host": "docker"})
                response = _UnixResponse(connection.getresponse(), connection)
        except TransportError:
            connection.close()
            raise
        if not stream:
            body = response.read()
            response.close()
            return _Buffered(response.status, body)
        return response

    def close(self) -> None:
        pass


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


class _DockerPyResponse:
    def __init__(self, response):
        self._response = response
        self.status = response.status_code

    def read(self, size: int = -1) -> bytes:
        with mapped_errors():
            return self._response.raw.read(None if size < 0 else size)

    def json(self) -> Any:
        return self._response.json()

    def close(self) -> None:
        self._response.close()


class DockerPyTransport:
    """docker-py's APIClient as a transport: TCP, TLS, ssh://, npipe://."""

    def __init__(self, host: str, tls: Any, timeout: float):
        import docker

        self.timeout = timeout
        # version="1.24" avoids docker-py's own GET /version: the client negotiates, and counts it.
        with mapped_errors():
            self._api = docker.APIClient(base_url=host, version="1.24", timeout=timeout, tls=tls)

    def get(self, path: str, params: dict | None, stream: bool) -> _DockerPyResponse:
        with mapped_errors():
            # requests' own get has no timeout: without one, a daemon that accepts and never answers hangs us
            response = self._api.get(f"{self._api.base_url}{path}", params=params, stream=stream, timeout=self.timeout)
        return _DockerPyResponse(response)

    def close(self) -> None:
        self._api.close()

