"""Reading a Docker daemon: which one, and a GET-only client that counts its requests.

The endpoint is chosen as the docker CLI chooses it: ``--host``, else DOCKER_HOST,
else the current docker context (DOCKER_CONTEXT or the config's currentContext),
else the default socket. The API version is negotiated.

Grading never changes the daemon: ``DaemonClient`` only sends GET requests, and
records each one so that tests can count them.
"""

from __future__ import annotations

import errno
import os
import struct
from dataclasses import dataclass
from typing import Any, Iterator, Mapping

import docker
import requests
import urllib3
from docker.context import ContextAPI
from docker.context.config import get_current_context_name
from docker.utils import kwargs_from_env

from checks.errors import DaemonError
from checks.messages import msg
from checks.snapshot import Snapshot

DEFAULT_HOST = "unix:///var/run/docker.sock"
TIMEOUT = 30  # seconds for one request; a daemon that answers nothing fails in bounded time
_LOG_CHUNK = 64 * 1024


@dataclass(frozen=True)
class Endpoint:
    """Where the daemon is, and how we came to choose it (for error messages)."""

    host: str
    origin: str  # "--host", "DOCKER_HOST", "context NAME", "default"
    tls: Any = None


def resolve_endpoint(host: str | None = None, environ: Mapping[str, str] | None = None) -> Endpoint:
    environ = os.environ if environ is None else environ
    if host:
        return Endpoint(host, "--host", kwargs_from_env(environment={**environ, "DOCKER_HOST": host}).get("tls"))
    if environ.get("DOCKER_HOST"):
        params = kwargs_from_env(environment=dict(environ))
        return Endpoint(params["base_url"], "DOCKER_HOST", params.get("tls"))
    name = environ.get("DOCKER_CONTEXT") or get_current_context_name()
    if name and name != "default":
        try:
            context = ContextAPI.get_context(name)
        except Exception as error:  # docker-py raises several kinds for a broken context store
            raise DaemonError(msg("daemon.context", name=name, reason=error)) from error
        if context is None:
            raise DaemonError(msg("daemon.context", name=name, reason="not found"))
        return Endpoint(context.Host, f"context {name}", context.TLSConfig or None)
    return Endpoint(DEFAULT_HOST, "default")


class DaemonClient:
    """GET-only access to one daemon. ``requests`` lists every request sent, in order."""

    def __init__(self, endpoint: Endpoint, timeout: float | None = None):
        self.endpoint = endpoint
        self.timeout = TIMEOUT if timeout is None else timeout
        self.requests: list[str] = []
        self.log_bytes = 0  # payload bytes of logs read, all containers together
        try:
            # version="1.24" avoids docker-py's own GET /version; we negotiate below and count it.
            self._api = docker.APIClient(base_url=endpoint.host, version="1.24", timeout=self.timeout, tls=endpoint.tls)
        except Exception as error:  # docker-py raises DockerException, and plain errors for a malformed address
            raise DaemonError(msg("daemon.bad_host", endpoint=endpoint.host, reason=error)) from error
        version = self.get_json("/version", versioned=False)
        self.api_version = min(str(version.get("ApiVersion", "1.41")), docker.constants.DEFAULT_DOCKER_API_VERSION, key=_version_key)

    def close(self) -> None:
        self._api.close()

    def __enter__(self) -> "DaemonClient":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _url(self, path: str, versioned: bool = True) -> str:
        prefix = f"/v{self.api_version}" if versioned else ""
        return f"{self._api.base_url}{prefix}{path}"

    def _get(self, path: str, params: Mapping[str, Any] | None = None, *, stream: bool = False, versioned: bool = True):
        query = "&".join(f"{k}={v}" for k, v in (params or {}).items())
        self.requests.append(f"GET {path}" + (f"?{query}" if query else ""))
        try:
            # requests' own get has no timeout: without one, a daemon that accepts and never answers hangs us
            response = self._api.get(self._url(path, versioned), params=params, stream=stream, timeout=self.timeout)
        except requests.exceptions.ConnectionError as error:
            raise self._unreachable(error) from error
        except requests.exceptions.RequestException as error:
            raise DaemonError(msg("daemon.unreachable", endpoint=self.endpoint.host, reason=_reason(error))) from error
        except OSError as error:
            raise self._unreachable(error) from error
        return response

    def get_json(self, path: str, params: Mapping[str, Any] | None = None, *, versioned: bool = True) -> Any:
        response = self._get(path, params, versioned=versioned)
        if response.status_code == 404:
            return None
        try:
            response.raise_for_status()
            return response.json()
        except (requests.exceptions.HTTPError, ValueError) as error:
            raise DaemonError(
                msg("daemon.bad_answer", endpoint=self.endpoint.host, request=f"GET {path}", reason=_reason(error))
            ) from error

    def stream_logs(self, container_id: str) -> Iterator[bytes] | None:
        """The container's stdout and stderr as chunks of bytes; None if it is gone or going."""
        response = self._get(f"/containers/{container_id}/logs", {"stdout": 1, "stderr": 1}, stream=True)
        if response.status_code in (404, 409):  # 409: "removal in progress", a student's `docker rm` meanwhile
            response.close()
            return None
        if response.status_code >= 400:
            response.close()
            raise DaemonError(
                msg("daemon.bad_answer", endpoint=self.endpoint.host, request="GET logs", reason=response.status_code)
            )
        return self._counted(_demultiplex(response), container_id)

    def _counted(self, chunks: Iterator[bytes], container_id: str) -> Iterator[bytes]:
        """Counts the log bytes read, and turns a stream cut short (daemon gone) into a DaemonError."""
        try:
            for chunk in chunks:
                self.log_bytes += len(chunk)
                yield chunk
        except (requests.exceptions.RequestException, urllib3.exceptions.HTTPError, OSError) as error:
            raise DaemonError(msg("daemon.lost", endpoint=self.endpoint.host, reason=_reason(error))) from error
        finally:
            chunks.close()

    def _unreachable(self, error: BaseException) -> DaemonError:
        cause = _root_cause(error)
        if isinstance(cause, PermissionError) or getattr(cause, "errno", None) in (errno.EACCES, errno.EPERM):
            return DaemonError(msg("daemon.permission", endpoint=self.endpoint.host))
        return DaemonError(msg("daemon.unreachable", endpoint=self.endpoint.host, reason=_reason(error)))


def _version_key(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split(".") if part.isdigit())


def _root_cause(error: BaseException) -> BaseException:
    seen = error
    while True:
        nested = seen.__cause__ or seen.__context__ or (seen.args[0] if seen.args and isinstance(seen.args[0], BaseException) else None)
        if nested is None or nested is seen:
            return seen
        reason = getattr(nested, "reason", None)
        seen = reason if isinstance(reason, BaseException) else nested


def _reason(error: BaseException) -> str:
    cause = _root_cause(error)
    if isinstance(cause, OSError) and cause.strerror:
        return cause.strerror
    text = str(cause) or type(cause).__name__
    return text.splitlines()[0][:200]


def _demultiplex(response: requests.Response) -> Iterator[bytes]:
    """Payload bytes of a logs stream, with or without the 8-byte frame headers.

    A container without a TTY sends frames (stream byte 0-2, three zero bytes, a
    big-endian length); with a TTY, raw bytes. The first header tells which, so
    no inspect request is needed to know the container's TTY setting.
    """
    raw = response.raw
    try:
        head = raw.read(8)
        framed = len(head) == 8 and head[0] in (0, 1, 2) and head[1:4] == b"\0\0\0"
        if not framed:
            if head:
                yield head
            while chunk := raw.read(_LOG_CHUNK):
                yield chunk
            return
        while len(head) == 8:
            (size,) = struct.unpack(">I", head[4:8])
            while size > 0:
                chunk = raw.read(min(size, _LOG_CHUNK))
                if not chunk:
                    return
                size -= len(chunk)
                yield chunk
            head = raw.read(8)
    finally:
        response.close()


class DaemonSource:
    """The lazy reads a snapshot may need, each one GET request for one container."""

    def __init__(self, client: DaemonClient):
        self.client = client

    def created_with(self, container_id: str) -> str | None:
        details = self.client.get_json(f"/containers/{container_id}/json")
        return (details or {}).get("Config", {}).get("Image")

    def logs_contain(self, container_id: str, text: str) -> bool:
        """Streams the logs and stops at the first match; memory stays bounded by the chunk size."""
        needle = text.encode()
        chunks = self.client.stream_logs(container_id)
        if chunks is None:
            return False
        tail = b""
        for chunk in chunks:
            window = tail + chunk
            if needle in window:
                chunks.close()
                return True
            tail = window[-(len(needle) - 1) :] if len(needle) > 1 else b""
        return False


def read_snapshot(client: DaemonClient) -> Snapshot:
    """One list of containers (all=1) and one list of images: two GET requests."""
    containers = client.get_json("/containers/json", {"all": 1}) or []
    images = client.get_json("/images/json") or []
    return Snapshot.from_api(images, containers, source=DaemonSource(client), endpoint=client.endpoint.host)


def connect(host: str | None = None, environ: Mapping[str, str] | None = None) -> DaemonClient:
    return DaemonClient(resolve_endpoint(host, environ))
