"""Starting states: what the lab sets up before an exercise's commands, where it is missing.

This is the lab changing its own daemon, never grading: it pulls the images an
exercise starts with and runs containers to completion until there are as many
as declared, counting the ones the student's earlier exercises left. A submission
may have left anything behind (an image re-tagged to one whose command never ends),
so every wait is bounded and a container that outlives it is killed.
"""

from __future__ import annotations

from typing import Mapping

from checks.boundary.rules import Limits
from checks.daemon import DaemonClient, Endpoint, read_snapshot
from checks.lab.control import LabDaemon, lab_error
from checks.transport import TransportError

RUN_WAIT = 20  # seconds a starting-state container may run before it is killed


def apply(start: Mapping, daemon: LabDaemon) -> None:
    if not start:
        return
    try:
        for reference in start.get("images", ()):
            _ensure_image(daemon, reference)
        for item in start.get("containers", ()):
            _ensure_image(daemon, item["image"])
            with _client(daemon) as client:
                snapshot = read_snapshot(client)
                present = sum(snapshot.created_from(c, item["image"]) for c in snapshot.containers)
            for _ in range(item.get("count", 1) - present):
                daemon.run_to_completion(item["image"], item.get("command"), _limited(), RUN_WAIT)
    except TransportError as error:
        raise lab_error(daemon.host, error) from error


def stop_running(daemon: LabDaemon) -> None:
    """Kills every container still running, so that nothing a submission started outlives its exercise."""
    try:
        for container in daemon.running():
            daemon.call("POST", f"/containers/{container['Id']}/update", body={"RestartPolicy": {"Name": "no"}}, ok=(404, 409))
            daemon.kill(container["Id"])
    except TransportError as error:
        raise lab_error(daemon.host, error) from error


def _client(daemon: LabDaemon) -> DaemonClient:
    return DaemonClient(Endpoint(daemon.host), api_version=daemon.api_version)


def _limited() -> dict:
    """The per-container limits a submission's own containers get at the boundary: the image may be the student's."""
    limits = Limits()
    log = {"Type": "json-file", "Config": {"max-size": limits.log_size, "max-file": str(limits.log_files)}}
    return {"PidsLimit": limits.pids, "LogConfig": log}


def _ensure_image(daemon: LabDaemon, reference: str) -> None:
    with _client(daemon) as client:
        if read_snapshot(client).find_image(reference) is not None:
            return
    daemon.pull(reference)
