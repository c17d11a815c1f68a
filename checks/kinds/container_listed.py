"""The keys of a container check that the container list answers: ``running``, ``mounts``, and
``health`` (of a running container; of another, from its inspect)."""

from __future__ import annotations

from typing import Mapping

from checks.kinds.fields import listing
from checks.kinds.judging import Judge, differs, flag, inspected
from checks.snapshot import Container, Snapshot

HEALTH = ["healthy", "unhealthy", "starting", "none"]

RUNNING = {
    "type": "boolean",
    "description": "Running now (`docker ps` lists it as Up), or not. A paused container is not running.",
    "examples": [True],
}

MOUNTS = {
    "type": "array",
    "minItems": 1,
    "description": "Mounts (-v, --mount), each found by its destination in the container.",
    "items": {
        "type": "object",
        "properties": {
            "destination": {"type": "string", "pattern": "^/", "description": "The path inside the container."},
            "type": {"enum": ["volume", "bind", "tmpfs"], "description": "volume (a named or anonymous volume), bind (a host path) or tmpfs."},
            "source": {"type": "string", "minLength": 1, "description": "The volume's name, or a bind mount's host path."},
            "read_only": {"type": "boolean", "description": "Mounted read-only (:ro), or writable."},
        },
        "required": ["destination"],
        "additionalProperties": False,
    },
    "examples": [[{"type": "volume", "source": "db-data", "destination": "/var/lib/mysql"}],
                 [{"type": "bind", "destination": "/usr/share/nginx/html", "read_only": True}]],
}

HEALTH_SCHEMA = {
    "enum": HEALTH,
    "description": "Its health (HEALTHCHECK, --health-cmd): healthy, unhealthy, starting, or none (no health check).",
    "examples": ["healthy"],
}


def _running(wanted: bool, container: Container, snapshot: Snapshot):
    return differs(flag(wanted), container.state, (container.state == "running") == wanted)


def _mounts(wanted: list, container: Container, snapshot: Snapshot):
    mounts = {m["Destination"]: _mount_spec(m) for m in container.listed.get("Mounts") or ()}
    for item in wanted:
        mount = mounts.get(item["destination"])
        if mount is None or any(mount[key] != value for key, value in item.items()):
            return _show_mount(item), listing(sorted(map(_show_mount, mounts.values())))
    return None


def _mount_spec(mount: Mapping) -> dict:
    """A mount of the list in the exercise's terms: a volume's source is its name, a bind mount's its host path."""
    return {
        "type": mount["Type"],
        "source": mount["Name"] if mount["Type"] == "volume" else mount["Source"],
        "destination": mount["Destination"],
        "read_only": not mount["RW"],
    }


def _show_mount(item: Mapping) -> str:
    text = f"{item.get('source') or '*'}:{item['destination']}"
    if "read_only" in item:
        text += ":ro" if item["read_only"] else ":rw"
    return f"{item['type']} {text}" if "type" in item else text


def _health(wanted: str, container: Container, snapshot: Snapshot):
    if container.state == "running":  # the list's Status says it, "Up 3 minutes (healthy)" (checks.snapshot reads it)
        have = container.health or "none"
    else:
        have = inspected(container, snapshot)["State"].get("Health", {}).get("Status", "none")
    return differs(wanted, have, have == wanted)


JUDGES = {"running": Judge(RUNNING, _running), "mounts": Judge(MOUNTS, _mounts), "health": Judge(HEALTH_SCHEMA, _health)}
