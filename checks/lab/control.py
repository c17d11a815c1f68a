"""The lab's own requests to its dockerd: setting up starting states, killing what a submission left running.

Unlike grading, these change the daemon (POST). They go straight to dockerd's socket with the
standard library, in the API version the run negotiated once, so a run neither imports docker-py
nor asks ``GET /version`` again for each exercise.
"""

from __future__ import annotations

import http.client
import json
import socket
from typing import Any, Mapping
from urllib.parse import quote, urlencode

from checks import refs
from checks.errors import DaemonError
from checks.messages import msg
from checks.transport import TransportError, mapped_errors, reason_of

REQUEST_TIMEOUT = 120  # seconds: a pull of a course image from the lab's registry takes well under one


class _Connection(http.client.HTTPConnection):
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


class LabDaemon:
    """The lab's dockerd, for the lab's own changes. ``requests`` lists each request sent, in order."""

    def __init__(self, host: str, api_version: str):
        self.host = host
        self.api_version = api_version
        self.requests: list[str] = []

    def call(self, method: str, path: str, params: Mapping[str, Any] | None = None, body: Any = None,
             timeout: float = REQUEST_TIMEOUT, ok: tuple[int, ...] = ()) -> Any:
        """The decoded JSON answer (None for an empty one). Statuses in ``ok`` are answers too, given as
        ``{"status": n}``; any other HTTP error is a DaemonError. A TransportError (timeout) goes up."""
        target = quote(f"/v{self.api_version}{path}" if self.api_version else path)
        target += f"?{urlencode(params)}" if params else ""
        self.requests.append(f"{method} {path}")
        data = None if body is None else json.dumps(body).encode()
        connection = _Connection(self.host.removeprefix("unix://"), timeout)
        try:
            with mapped_errors():
                headers = {"Host": "docker", "Content-Type": "application/json"}
                connection.request(method, target, body=data, headers=headers)
                response = connection.getresponse()
                raw = response.read()  # a pull's progress stream too: it ends when the pull does
        finally:
            connection.close()
        if response.status in ok:
            return {"status": response.status}
        if response.status >= 400:
            raise DaemonError(msg("lab.start_failed", endpoint=self.host, reason=_reason(response.status, raw)))
        text = raw.strip()
        if not text:
            return None
        try:
            return json.loads(text)
        except ValueError:  # a stream of JSON lines (pull progress)
            return [json.loads(line) for line in text.splitlines() if line.strip()]

    # --- what starting states and the end of an exercise need ----------------------------
    def pull(self, reference: str) -> None:
        parsed = refs.parse(reference)
        self.call("POST", "/images/create", {"fromImage": parsed.repository, "tag": parsed.digest or parsed.tag or "latest"})

    def run_to_completion(self, image: str, command: list | None, host_config: dict, wait: float,
                          name: str | None = None, volumes: dict | None = None) -> None:
        """Creates and starts a container and waits for it; one still running after ``wait`` seconds is killed."""
        body = {"Image": image, "HostConfig": host_config}
        if command:
            body["Cmd"] = list(command)
        if volumes:
            body["Volumes"] = volumes
        created = self.call("POST", "/containers/create", {"name": name} if name else None, body=body)
        self.call("POST", f"/containers/{created['Id']}/start")
        try:
            self.call("POST", f"/containers/{created['Id']}/wait", timeout=wait)
        except TransportError:  # still running after ``wait``
            self.kill(created["Id"])

    def running(self) -> list[dict]:
        filters = json.dumps({"status": ["running", "paused", "restarting"]})
        return self.call("GET", "/containers/json", {"filters": filters}) or []

    def kill(self, container_id: str) -> None:
        """Kills a container; one that ended or was removed meanwhile (404, 409) is left as it is."""
        self.call("POST", f"/containers/{container_id}/kill", ok=(404, 409))


def _reason(status: int, raw: bytes) -> str:
    try:
        return f"HTTP {status}: {json.loads(raw).get('message', '')}"[:200]
    except (ValueError, AttributeError):
        return f"HTTP {status}"


def lab_error(host: str, error: TransportError) -> DaemonError:
    return DaemonError(msg("lab.start_failed", endpoint=host, reason=error.reason or reason_of(error)))
