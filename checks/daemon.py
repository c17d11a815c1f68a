"""Reading a Docker daemon: which one, and a GET-only client that counts its requests.

The endpoint is chosen as the docker CLI chooses it (``checks.endpoint``): ``--host`` or
``--context``, else DOCKER_HOST, else DOCKER_CONTEXT, else the config's currentContext, else the
default socket, with TLS from DOCKER_TLS_VERIFY/DOCKER_TLS/DOCKER_CERT_PATH. The API version is
negotiated (``GET /_ping``).

Grading never changes the daemon: ``DaemonClient`` only sends GET requests, and
records each one so that tests can count them.
"""

from __future__ import annotations

import io
import struct
from typing import Any, Iterator, Mapping

from checks import endpoint as endpoint_module
from checks.endpoint import DEFAULT_HOST, Endpoint  # noqa: F401 - the names callers import from here
from checks.errors import DaemonError
from checks.messages import msg
from checks.snapshot import (FileRead, ShapeError, Snapshot, container_inspect_shaped, containers_from_api, image_inspect_shaped,
                             images_from_api)
from checks.dial import open_transport
from checks.transport import Response, TransportError

TIMEOUT = 30  # seconds for one request; a daemon that answers nothing fails in bounded time
_LOG_CHUNK = 64 * 1024
MAX_API_VERSION = "1.45"  # the requests sent exist since API 1.24; newer daemons are asked in this version


def resolve_endpoint(host: str | None = None, environ: Mapping[str, str] | None = None, context: str | None = None) -> Endpoint:
    """The daemon the docker CLI would use (``checks.endpoint`` has its rules)."""
    return endpoint_module.resolve(host, context, environ)


class DaemonClient:
    """GET-only access to one daemon. ``requests`` lists every request sent, in order."""

    def __init__(self, endpoint: Endpoint, timeout: float | None = None, api_version: str = ""):
        self.endpoint = endpoint
        self.timeout = TIMEOUT if timeout is None else timeout
        self.requests: list[str] = []
        self.log_bytes = 0  # payload bytes of logs read, all containers together
        self._transport = _open(endpoint, self.timeout)
        self.api_version = api_version
        if api_version:  # negotiated already, earlier in the same run
            return
        self.api_version = min(self._daemon_api_version(), MAX_API_VERSION, key=_version_key)

    def _daemon_api_version(self) -> str:
        """The daemon's API version from ``GET /_ping``'s API-Version header; ``GET /version`` only when it
        has none. /_ping is answered at once, where /version asks containerd and runc for theirs (7 ms)."""
        ping = self._get("/_ping")
        ping.close()
        if ping.status == 200 and _version_key(ping.headers.get("api-version", "")):
            return ping.headers["api-version"]
        version = self.get_json("/version")
        if not isinstance(version, dict):
            raise DaemonError(msg("daemon.bad_answer", endpoint=self.endpoint.host, request="GET /version", reason=version))
        return str(version.get("ApiVersion", "1.41"))

    def close(self) -> None:
        self._transport.close()

    def __enter__(self) -> "DaemonClient":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _get(self, path: str, params: Mapping[str, Any] | None = None, *, stream: bool = False) -> Response:
        query = "&".join(f"{k}={v}" for k, v in (params or {}).items())
        self.requests.append(f"GET {path}" + (f"?{query}" if query else ""))
        versioned = f"/v{self.api_version}{path}" if self.api_version else path
        try:
            return self._transport.get(versioned, dict(params or {}), stream)
        except TransportError as error:
            if error.kind == "too_large":
                from checks.transport import ANSWER_LIMIT

                raise DaemonError(msg("daemon.too_large", endpoint=self.endpoint.host, request=f"GET {path}", limit=ANSWER_LIMIT)) from None
            raise _fault(self.endpoint, error) from error

    def get_json(self, path: str, params: Mapping[str, Any] | None = None) -> Any:
        response = self._get(path, params)
        if response.status == 404:
            return None
        try:
            if response.status >= 400:
                raise TransportError(f"HTTP {response.status}")
            return response.json()
        except ValueError as error:  # not JSON
            raise DaemonError(msg("daemon.bad_answer", endpoint=self.endpoint.host, request=f"GET {path}", reason=str(error)[:200])) from error
        except TransportError as error:
            raise DaemonError(msg("daemon.bad_answer", endpoint=self.endpoint.host, request=f"GET {path}", reason=error.reason)) from error

    def stream_logs(self, container_id: str) -> Iterator[bytes] | None:
        """The container's stdout and stderr as chunks of bytes; None if it is gone or going."""
        response = self._get(f"/containers/{container_id}/logs", {"stdout": 1, "stderr": 1}, stream=True)
        if response.status in (404, 409):  # 409: "removal in progress", a student's `docker rm` meanwhile
            response.close()
            return None
        if response.status >= 400:
            response.close()
            raise DaemonError(
                msg("daemon.bad_answer", endpoint=self.endpoint.host, request="GET logs", reason=response.status)
            )
        return self._counted(_demultiplex(response), container_id)

    def _counted(self, chunks: Iterator[bytes], container_id: str) -> Iterator[bytes]:
        """Counts the log bytes read, and turns a stream cut short (daemon gone) into a DaemonError."""
        try:
            for chunk in chunks:
                self.log_bytes += len(chunk)
                yield chunk
        except TransportError as error:
            raise DaemonError(msg("daemon.lost", endpoint=self.endpoint.host, reason=error.reason)) from error
        finally:
            chunks.close()

def _open(endpoint: Endpoint, timeout: float):
    """The transport for an endpoint; TLS files and ssh addresses are checked here, before any request."""
    scheme = endpoint.host.partition("://")[0]
    context = endpoint_module.ssl_context(endpoint) if endpoint.tls is not None and scheme == "tcp" else None
    argv = endpoint_module.parse_ssh(endpoint.host).argv() if scheme == "ssh" else None
    try:
        return open_transport(endpoint.host, context, timeout, argv)
    except TransportError as error:
        raise DaemonError(msg("daemon.bad_host", endpoint=endpoint.host, reason=error.reason)) from None


def _fault(endpoint: Endpoint, error: TransportError) -> DaemonError:
    """What a failed request tells the user: TLS and ssh faults name their cause, never the docker group."""
    host = endpoint.host
    if error.kind == "tls":
        return DaemonError(msg("endpoint.tls_failed", endpoint=host, reason=error.reason))
    if error.kind == "ssh":
        return DaemonError(msg("endpoint.ssh_failed", endpoint=host, reason=error.reason, target=endpoint_module.parse_ssh(host).display))
    if error.kind == "ssh_missing":
        return DaemonError(msg("endpoint.ssh_missing", endpoint=host, reason=error.reason))
    if error.permission and host.startswith("unix://"):
        return DaemonError(msg("daemon.permission", endpoint=host))
    return DaemonError(msg("daemon.unreachable", endpoint=host, reason=error.reason))


def _version_key(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split(".") if part.isdigit())


def _demultiplex(response: Response) -> Iterator[bytes]:
    """Payload bytes of a logs stream, with or without the 8-byte frame headers.

    A container without a TTY sends frames (stream byte 0-2, three zero bytes, a
    big-endian length); with a TTY, raw bytes. The first header tells which, so
    no inspect request is needed to know the container's TTY setting.
    """
    try:
        head = response.read(8)
        framed = len(head) == 8 and head[0] in (0, 1, 2) and head[1:4] == b"\0\0\0"
        if not framed:
            if head:
                yield head
            while chunk := response.read(_LOG_CHUNK):
                yield chunk
            return
        while len(head) == 8:
            (size,) = struct.unpack(">I", head[4:8])
            while size > 0:
                chunk = response.read(min(size, _LOG_CHUNK))
                if not chunk:
                    return
                size -= len(chunk)
                yield chunk
            head = response.read(8)
    finally:
        response.close()


class DaemonSource:
    """The lazy reads a snapshot may need, each one GET request (the snapshot caches them)."""

    FILE_LIMIT = 64 * 1024  # bytes of a file's content read for a check; the rest is not fetched
    HASH_LIMIT = 64 * 1024 * 1024  # bytes of a file hashed for a `sha256` check (files kind); a larger one is not read

    def __init__(self, client: DaemonClient):
        self.client = client
        self._prober = None

    @property
    def prober(self):
        """Where the http check kind's requests go, chosen from the daemon's address (checks.probe)."""
        if self._prober is None:
            from checks import probe

            self._prober = probe.for_host(self.client.endpoint.host)
        return self._prober

    def http_probe(self, host_port: int, path: str, attempts: int):
        return self.prober.probe(host_port, path, attempts)

    def inspect_container(self, container_id: str) -> dict | None:
        answer = self.client.get_json(f"/containers/{container_id}/json")
        return _shaped(self.client, f"GET /containers/{container_id}/json", container_inspect_shaped, answer)

    def inspect_image(self, image_id: str) -> dict | None:
        answer = self.client.get_json(f"/images/{image_id}/json")
        return _shaped(self.client, f"GET /images/{image_id}/json", image_inspect_shaped, answer)

    def image_history(self, image_id: str) -> list | None:
        history = self.client.get_json(f"/images/{image_id}/history")
        return history if isinstance(history, list) else None

    def volumes(self) -> list:
        answer = _mapping(self.client.get_json("/volumes")) or {}
        return list(answer.get("Volumes") or [])

    def networks(self) -> list:
        answer = self.client.get_json("/networks")
        return answer if isinstance(answer, list) else []

    def events(self) -> None:
        """No record of events: the daemon as it is (``checks.events`` gives a source that has one)."""
        return None

    def read_path(self, container_id: str, path: str) -> FileRead | None:
        """The first entry of GET /containers/{id}/archive?path=: the path itself, not what a
        directory holds; at most FILE_LIMIT bytes of a file's content are read, then the stream is
        closed. None when the container or the path does not exist."""
        response = self.client._get(f"/containers/{container_id}/archive", {"path": path}, stream=True)
        try:
            if response.status in (404, 409):
                return None
            if response.status >= 400 and b"not a directory" in response.read(4096):
                return None  # a path through a file (/file/x, /file/): no such path; dockerd answers 500
            if response.status >= 400:
                raise DaemonError(msg("daemon.bad_answer", endpoint=self.client.endpoint.host, request="GET archive", reason=response.status))
            return _first_entry(response, path, self.FILE_LIMIT)
        except TransportError as error:
            raise DaemonError(msg("daemon.lost", endpoint=self.client.endpoint.host, reason=error.reason)) from error
        finally:
            response.close()

    def file_sha256(self, container_id: str, path: str) -> str | None:
        """The sha256 of a regular file's whole content, streamed from GET /containers/{id}/archive
        (HASH_LIMIT bytes at most: "" for a larger one); None when the container or file is gone."""
        response = self.client._get(f"/containers/{container_id}/archive", {"path": path}, stream=True)
        try:
            if response.status >= 400:
                return None
            return _file_digest(response, self.HASH_LIMIT)
        except TransportError as error:
            raise DaemonError(msg("daemon.lost", endpoint=self.client.endpoint.host, reason=error.reason)) from error
        finally:
            response.close()

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


def _mapping(answer: Any) -> dict | None:
    return answer if isinstance(answer, dict) else None


class _Reader(io.RawIOBase):
    """A Response as a file object for tarfile's stream mode."""

    def __init__(self, response: Response):
        self._response = response

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        chunk = self._response.read(len(buffer))
        buffer[: len(chunk)] = chunk
        return len(chunk)


def _first_entry(response: Response, path: str, limit: int) -> FileRead | None:
    import tarfile  # only for a check that reads a path: not on every run

    try:
        with tarfile.open(fileobj=io.BufferedReader(_Reader(response)), mode="r|") as archive:
            member = archive.next()
            if member is None:
                return None
            if member.issym() or member.islnk():
                return FileRead(path, "symlink", mode=member.mode, target=member.linkname)
            if member.isdir():
                return FileRead(path, "dir", mode=member.mode)
            if not member.isfile():
                return FileRead(path, "other", mode=member.mode)
            content = archive.extractfile(member).read(limit) if member.size else b""
            return FileRead(path, "file", member.size, member.mode, content=content, truncated=member.size > limit)
    except tarfile.TarError:
        return None


def _file_digest(response: Response, limit: int) -> str | None:
    import hashlib
    import tarfile

    try:
        with tarfile.open(fileobj=io.BufferedReader(_Reader(response)), mode="r|") as archive:
            member = archive.next()
            if member is None or not member.isfile():
                return None
            if member.size > limit:
                return ""
            digest, content = hashlib.sha256(), archive.extractfile(member)
            while chunk := content.read(1024 * 1024):
                digest.update(chunk)
            return digest.hexdigest()
    except tarfile.TarError:
        return None


def read_snapshot(client: DaemonClient) -> Snapshot:
    """One list of containers (all=1) and one list of images: two GET requests, each answer's shape checked."""
    containers = _shaped(client, "GET /containers/json", containers_from_api, _listed(client.get_json("/containers/json", {"all": 1})))
    images = _shaped(client, "GET /images/json", images_from_api, _listed(client.get_json("/images/json")))
    return Snapshot(tuple(images), tuple(containers), source=DaemonSource(client))


def _listed(answer: Any) -> Any:
    """A list request's answer; a 404 (None) as an empty list, anything else as it came, to be checked."""
    return [] if answer is None else answer


def _shaped(client: DaemonClient, request: str, read, answer):
    """``read(answer)``; an answer of the wrong shape is a DaemonError (exit 3) naming the request and the field."""
    try:
        return read(answer)
    except ShapeError as error:
        raise DaemonError(msg("daemon.bad_shape", endpoint=client.endpoint.host, request=request, where=error.where,
                              expected=msg(f"shape.{error.expected}"))) from None


def connect(host: str | None = None, environ: Mapping[str, str] | None = None, context: str | None = None) -> DaemonClient:
    return DaemonClient(resolve_endpoint(host, environ, context))
