"""Reading a Docker daemon: which one, and a GET-only client that counts its requests.

The endpoint is chosen as the docker CLI chooses it (``checks.endpoint``): ``--host`` or
``--context``, else DOCKER_HOST, else DOCKER_CONTEXT, else the config's currentContext, else the
default socket, with TLS from DOCKER_TLS_VERIFY/DOCKER_TLS/DOCKER_CERT_PATH. The API version is
negotiated (``GET /_ping``).

Grading never changes the daemon: ``DaemonClient`` only sends GET requests, and
records each one so that tests can count them.
"""

from __future__ import annotations

import struct
from typing import Any, Iterator, Mapping

from checks import endpoint as endpoint_module
from checks import reads
from checks.endpoint import DEFAULT_HOST, Endpoint  # noqa: F401 - the names callers import from here
from checks.errors import DaemonError
from checks.messages import msg
from checks.dial import open_transport
from checks.reads import shaped as _shaped
from checks.snapshot import Snapshot, Source, containers_from_api, images_from_api
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


class DaemonSource(Source):
    """The daemon's answers to a snapshot's lazy reads (``checks.reads.DAEMON``, a kind's own reads
    included, looked up when asked: a kind may be imported after the snapshot is made)."""

    FILE_LIMIT = reads.FILE_LIMIT
    HASH_LIMIT = reads.HASH_LIMIT

    def __init__(self, client: DaemonClient):
        super().__init__()
        self.client = client

    def answer(self, name: str, *args):
        provider = reads.DAEMON.get(name)
        return None if provider is None else provider(self.client, *args)


def read_snapshot(client: DaemonClient) -> Snapshot:
    """One list of containers (all=1) and one list of images: two GET requests, each answer's shape checked."""
    containers = _shaped(client, "GET /containers/json", containers_from_api, _listed(client.get_json("/containers/json", {"all": 1})))
    images = _shaped(client, "GET /images/json", images_from_api, _listed(client.get_json("/images/json")))
    return Snapshot(tuple(images), tuple(containers), source=DaemonSource(client))


def _listed(answer: Any) -> Any:
    """A list request's answer; a 404 (None) as an empty list, anything else as it came, to be checked."""
    return [] if answer is None else answer


def connect(host: str | None = None, environ: Mapping[str, str] | None = None, context: str | None = None) -> DaemonClient:
    return DaemonClient(resolve_endpoint(host, environ, context))
