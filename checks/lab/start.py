"""Starting states: what the lab sets up before an exercise's commands, where it is missing.

This is the lab changing its own daemon, never grading: it pulls the images an
exercise starts with, creates its volumes and networks, and runs containers (to
completion, or left running) until there are as many as declared, counting the ones
the student's earlier exercises left. A submission may have left anything behind (an
image re-tagged to one whose command never ends, a container of the name wanted), so
every wait is bounded and a container that outlives it is killed.
"""

from __future__ import annotations

import json
import time
from typing import Mapping

from checks.boundary.rules import Limits
from checks.daemon import DaemonClient, Endpoint, read_snapshot
from checks.lab.control import LabDaemon, lab_error
from checks.transport import TransportError

RUN_WAIT = 20  # seconds a starting-state container may run before it is killed
UP_WAIT = 10  # seconds a `running: true` container has to be seen running
POLL = 0.1


def apply(start: Mapping, daemon: LabDaemon) -> None:
    if not start:
        return
    try:
        for reference in start.get("images", ()):
            _ensure_image(daemon, reference)
        for volume in start.get("volumes", ()):
            found = daemon.call("GET", "/volumes", {"filters": json.dumps({"name": [volume["name"]]})}) or {}
            if not any(v["Name"] == volume["name"] for v in found.get("Volumes") or ()):
                daemon.call("POST", "/volumes/create", body={"Name": volume["name"], "Labels": volume.get("labels") or {}})
        for network in start.get("networks", ()):
            # The name filter matches substrings: compare the names themselves.
            found = daemon.call("GET", "/networks", {"filters": json.dumps({"name": [network["name"]]})}) or []
            if not any(n["Name"] == network["name"] for n in found):
                daemon.call("POST", "/networks/create", body={
                    "Name": network["name"], "Driver": "bridge", "Labels": network.get("labels") or {}, "CheckDuplicate": True})
        for item in start.get("containers", ()):
            _ensure_image(daemon, item["image"])
            if item.get("name"):
                _ensure_named(daemon, item)
                continue
            with _client(daemon) as client:
                snapshot = read_snapshot(client)
                present = sum(
                    snapshot.created_from(c, item["image"]) and (c.state == "running" or not item.get("running"))
                    for c in snapshot.containers
                )
            for _ in range(item.get("count", 1) - present):
                _run(daemon, item)
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


def _ensure_named(daemon: LabDaemon, item: Mapping) -> None:
    """The container of that name: created where missing, started again where it should run and does not."""
    filters = json.dumps({"name": [f"^/{item['name']}$"]})
    found = daemon.call("GET", "/containers/json", {"all": 1, "filters": filters}) or []
    if not found:
        _run(daemon, item)
    elif item.get("running") and found[0]["State"] != "running":
        daemon.call("POST", f"/containers/{found[0]['Id']}/start", ok=(304,))
        _wait_running(daemon, found[0]["Id"])


def _run(daemon: LabDaemon, item: Mapping) -> None:
    if not item.get("running"):
        daemon.run_to_completion(item["image"], item.get("command"), _limited(item), RUN_WAIT, name=item.get("name"),
                                 volumes=_targets(item))
        return
    body = {"Image": item["image"], "HostConfig": _limited(item)}
    if item.get("command"):
        body["Cmd"] = list(item["command"])
    if _targets(item):
        body["Volumes"] = _targets(item)
    params = {"name": item["name"]} if item.get("name") else None
    created = daemon.call("POST", "/containers/create", params, body=body)
    daemon.call("POST", f"/containers/{created['Id']}/start")
    _wait_running(daemon, created["Id"])


def _wait_running(daemon: LabDaemon, container_id: str) -> None:
    """Until dockerd says it runs, or it ended (its command did), or UP_WAIT: never longer."""
    deadline = time.monotonic() + UP_WAIT
    while time.monotonic() < deadline:
        state = (daemon.call("GET", f"/containers/{container_id}/json", ok=(404,)) or {}).get("State") or {}
        if state.get("Running") or state.get("Status") in ("exited", "dead") or not state:
            return
        time.sleep(POLL)


def _targets(item: Mapping) -> dict:
    """The mount points of the item's named volumes, as the create request's Volumes."""
    return {mount.split(":", 1)[1].split(":")[0]: {} for mount in item.get("volumes", ())}


def _client(daemon: LabDaemon) -> DaemonClient:
    return DaemonClient(Endpoint(daemon.host), api_version=daemon.api_version)


def _limited(item: Mapping | None = None) -> dict:
    """The per-container limits a submission's own containers get at the boundary: the image may be the student's.
    Mounts are named volumes only (the schema allows no host path)."""
    limits = Limits()
    log = {"Type": "json-file", "Config": {"max-size": limits.log_size, "max-file": str(limits.log_files)}}
    config = {"PidsLimit": limits.pids, "LogConfig": log}
    if item and item.get("network"):
        config["NetworkMode"] = item["network"]
    if item and item.get("volumes"):
        config["Binds"] = list(item["volumes"])
    return config


def _ensure_image(daemon: LabDaemon, reference: str) -> None:
    with _client(daemon) as client:
        if read_snapshot(client).find_image(reference) is not None:
            return
    daemon.pull(reference)
