"""Starting states: what the lab sets up before an exercise's commands, where it is missing.

This is the lab changing its own daemon, never grading: it pulls the images an
exercise starts with, creates its volumes and networks, and runs containers (to
completion, or left running) until there are as many as declared, counting the ones
the student's earlier exercises left. A submission may have left anything behind (an
image re-tagged to one whose command never ends, a container of the name wanted), so
every wait is bounded and a container that outlives it is killed.
"""

from __future__ import annotations

import time
from typing import Mapping

import docker

from checks.boundary.rules import Limits
from checks.daemon import DaemonClient, Endpoint, read_snapshot
from checks.errors import DaemonError
from checks.messages import msg
from checks.transport import TransportError, is_transport_error, mapped_errors

RUN_WAIT = 20  # seconds a starting-state container may run before it is killed
UP_WAIT = 10  # seconds a `running: true` container has to be seen running
POLL = 0.1
REQUEST_TIMEOUT = 120


def apply(start: Mapping, host: str) -> None:
    if not start:
        return
    with _api(host) as api:
        for reference in start.get("images", ()):
            _ensure_image(api, host, reference)
        for volume in start.get("volumes", ()):
            if not api.volumes(filters={"name": volume["name"]}).get("Volumes"):
                api.create_volume(volume["name"], labels=volume.get("labels"))
        for network in start.get("networks", ()):
            # The name filter matches substrings: compare the names themselves.
            if not any(n["Name"] == network["name"] for n in api.networks(names=[network["name"]])):
                api.create_network(network["name"], driver="bridge", labels=network.get("labels"), check_duplicate=True)
        for item in start.get("containers", ()):
            _ensure_image(api, host, item["image"])
            if item.get("name"):
                _ensure_named(api, item)
                continue
            with DaemonClient(Endpoint(host)) as client:
                snapshot = read_snapshot(client)
                present = sum(
                    snapshot.created_from(c, item["image"]) and (c.state == "running" or not item.get("running"))
                    for c in snapshot.containers
                )
            for _ in range(item.get("count", 1) - present):
                _run(api, item)


def _ensure_named(api: docker.APIClient, item: Mapping) -> None:
    """The container of that name: created where missing, started again where it should run and does not."""
    found = api.containers(all=True, filters={"name": f"^/{item['name']}$"})
    if not found:
        _run(api, item)
    elif item.get("running") and found[0]["State"] != "running":
        api.start(found[0]["Id"])
        _wait_running(api, found[0]["Id"])


def _run(api: docker.APIClient, item: Mapping) -> None:
    host_config = _limited(api, item)
    container = api.create_container(
        item["image"], command=item.get("command"), name=item.get("name"), host_config=host_config,
        volumes=[mount.split(":", 1)[1] for mount in item.get("volumes", ())] or None,
    )
    api.start(container)
    if item.get("running"):
        _wait_running(api, container)
        return
    try:
        with mapped_errors():
            api.wait(container, timeout=RUN_WAIT)
    except TransportError:  # still running after RUN_WAIT
        api.kill(container)


def _wait_running(api: docker.APIClient, container) -> None:
    """Until dockerd says it runs, or it ended (its command did), or UP_WAIT: never longer."""
    deadline = time.monotonic() + UP_WAIT
    while time.monotonic() < deadline:
        state = api.inspect_container(container)["State"]
        if state.get("Running") or state.get("Status") in ("exited", "dead"):
            return
        time.sleep(POLL)


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


def _limited(api: docker.APIClient, item: Mapping) -> dict:
    """The per-container limits a submission's own containers get at the boundary: the image may be the student's.
    Mounts are named volumes only (the schema allows no host path)."""
    limits = Limits()
    log = {"type": "json-file", "config": {"max-size": limits.log_size, "max-file": str(limits.log_files)}}
    return api.create_host_config(
        pids_limit=limits.pids, log_config=log, network_mode=item.get("network"), binds=list(item.get("volumes", ())) or None,
    )


def _ensure_image(api: docker.APIClient, host: str, reference: str) -> None:
    with DaemonClient(Endpoint(host)) as client:
        if read_snapshot(client).find_image(reference) is not None:
            return
    api.pull(reference)
