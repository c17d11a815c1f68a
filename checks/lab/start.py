"""Starting states: what the lab sets up before an exercise's commands, where it is missing.

This is the lab changing its own daemon, never grading: it pulls the images an
exercise starts with and runs containers to completion until there are as many
as declared, counting the ones the student's earlier exercises left. A submission
may have left anything behind (an image re-tagged to one whose command never ends),
so every wait is bounded and a container that outlives it is killed.
"""

from __future__ import annotations

from typing import Mapping

import docker

from checks.boundary.rules import Limits
from checks.daemon import DaemonClient, Endpoint, read_snapshot
from checks.errors import DaemonError
from checks.messages import msg
from checks.transport import TransportError, is_transport_error, mapped_errors

RUN_WAIT = 20  # seconds a starting-state container may run before it is killed
REQUEST_TIMEOUT = 120


def apply(start: Mapping, host: str) -> None:
    if not start:
        return
    with _api(host) as api:
        for reference in start.get("images", ()):
            _ensure_image(api, host, reference)
        for item in start.get("containers", ()):
            _ensure_image(api, host, item["image"])
            with DaemonClient(Endpoint(host)) as client:
                snapshot = read_snapshot(client)
                present = sum(snapshot.created_from(c, item["image"]) for c in snapshot.containers)
            for _ in range(item.get("count", 1) - present):
                container = api.create_container(item["image"], command=item.get("command"), host_config=_limited(api))
                api.start(container)
                try:
                    with mapped_errors():
                        api.wait(container, timeout=RUN_WAIT)
                except TransportError:  # still running after RUN_WAIT
                    api.kill(container)


def stop_running(host: str) -> None:
    """Kills every container still running, so that nothing a submission started outlives its exercise."""
    with _api(host) as api:
        for container in api.containers(filters={"status": ["running", "paused", "restarting"]}):
            try:
                api.update_container(container["Id"], restart_policy={"Name": "no"})
                api.kill(container["Id"])
            except docker.errors.NotFound:
                pass  # ended (or removed with --rm) meanwhile
            except docker.errors.APIError as error:
                if error.status_code != 409:  # 409: it is not running any more
                    raise


class _api:
    """docker-py's client for the lab's own socket, with every fault as a DaemonError."""

    def __init__(self, host: str):
        self.host = host

    def __enter__(self) -> docker.APIClient:
        try:
            with mapped_errors():
                self.api = docker.APIClient(base_url=self.host, version="auto", timeout=REQUEST_TIMEOUT)
        except TransportError as error:
            raise DaemonError(msg("lab.start_failed", endpoint=self.host, reason=error.reason)) from error
        return self.api

    def __exit__(self, kind, error, trace) -> None:
        self.api.close()
        if error is not None and (isinstance(error, TransportError) or is_transport_error(error)):
            try:
                with mapped_errors():
                    raise error
            except TransportError as mapped:
                raise DaemonError(msg("lab.start_failed", endpoint=self.host, reason=mapped.reason)) from error


def _limited(api: docker.APIClient) -> dict:
    """The per-container limits a submission's own containers get at the boundary: the image may be the student's."""
    limits = Limits()
    log = {"type": "json-file", "config": {"max-size": limits.log_size, "max-file": str(limits.log_files)}}
    return api.create_host_config(pids_limit=limits.pids, log_config=log)


def _ensure_image(api: docker.APIClient, host: str, reference: str) -> None:
    with DaemonClient(Endpoint(host)) as client:
        if read_snapshot(client).find_image(reference) is not None:
            return
    api.pull(reference)
