"""Starting states: what the lab sets up before an exercise's commands, where it is missing.

This is the lab changing its own daemon, never grading: it pulls the images an
exercise starts with and runs containers to completion until there are as many
as declared, counting the ones the student's earlier exercises left.
"""

from __future__ import annotations

from typing import Mapping

import docker

from checks.daemon import DaemonClient, Endpoint, read_snapshot
from checks.errors import DaemonError
from checks.messages import msg


def apply(start: Mapping, host: str) -> None:
    if not start:
        return
    api = docker.APIClient(base_url=host, version="auto", timeout=120)
    try:
        for reference in start.get("images", ()):
            _ensure_image(api, host, reference)
        for item in start.get("containers", ()):
            _ensure_image(api, host, item["image"])
            with DaemonClient(Endpoint(host, "lab")) as client:
                snapshot = read_snapshot(client)
                present = sum(snapshot.created_from(c, item["image"]) for c in snapshot.containers)
            for _ in range(item.get("count", 1) - present):
                container = api.create_container(item["image"], command=item.get("command"))
                api.start(container)
                api.wait(container, timeout=60)
    except docker.errors.DockerException as error:
        raise DaemonError(msg("daemon.lost", endpoint=host, reason=str(error).splitlines()[0][:200])) from error
    finally:
        api.close()


def _ensure_image(api: docker.APIClient, host: str, reference: str) -> None:
    with DaemonClient(Endpoint(host, "lab")) as client:
        if read_snapshot(client).find_image(reference) is not None:
            return
    api.pull(reference)
