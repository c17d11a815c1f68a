"""A named volume exists or not, with a driver and labels, and which containers mount it.

The volume comes from one list of volumes (GET /volumes); which containers mount it, from the
container list's Mounts that every snapshot already has: no request per container. Stopped and
created containers count as users, as they do for `docker volume rm`.
"""

from __future__ import annotations

from typing import Mapping

from checks.kinds.expected import PAIRS, PAIRS_HELP, differs, pair_problems
from checks.kinds.fields import COUNT, OBJECT_NAME as NAME, count_ok, describe_count, listing
from checks.messages import Message, msg, register
from checks.results import Result
from checks.snapshot import Container, Snapshot

MESSAGES = {
    "volumes.missing": {
        "pt-BR": "o volume {volume} não existe",
        "en": "volume {volume} does not exist",
    },
    "volumes.present": {
        "pt-BR": "o volume {volume} existe (driver {driver}, usado por: {users})",
        "en": "volume {volume} exists (driver {driver}, used by: {users})",
    },
    "volumes.differs": {
        "pt-BR": "o volume {volume} difere: {problems}",
        "en": "volume {volume} differs: {problems}",
    },
    "volumes.users": {
        "pt-BR": "{count} container(s) montam o volume ({expected}): {users}",
        "en": "{count} container(s) mount it ({expected}): {users}",
    },
    "volumes.not_mounted_by": {
        "pt-BR": "não montado por {names}; montado por: {users}",
        "en": "not mounted by {names}; mounted by: {users}",
    },
}
register(MESSAGES)

# One list of volumes; the users come from the container list, free.
READS: tuple[str, ...] = ("volumes",)

SCHEMA = {
    "properties": {
        "volume": {**NAME, "description": "The volume's name, as `docker volume ls` shows it.", "examples": ["todo-db"]},
        "state": {"enum": ["present", "absent"], "default": "present", "description": "Whether the volume must exist."},
        "driver": {"type": "string", "minLength": 1, "description": "Its driver.", "examples": ["local"]},
        "labels": {**PAIRS, "description": "Labels of the volume (`docker volume create --label`)." + PAIRS_HELP, "examples": [{"course": "docker"}]},
        "used_by": {
            "type": "array",
            "minItems": 1,
            "items": {**NAME, "description": "A container's name, without /."},
            "description": "Containers that mount the volume (running or not); others may too.",
            "examples": [["todo"]],
        },
        "users": {**COUNT, "description": "How many containers mount the volume (running or not): "
                  "an exact number or {min, max}; 0 for a volume nothing uses."},
    },
    "required": ["volume"],
}


def evaluate(spec: Mapping, snapshot: Snapshot) -> Result:
    name = spec["volume"]
    found = [v for v in (snapshot.read("volumes") or []) if isinstance(v, dict) and v.get("Name") == name]
    users = [c for c in snapshot.containers if mounts(c, name)]
    shown = listing([user_name(c, name) for c in users])
    if not found:
        return Result(spec.get("state") == "absent", msg("volumes.missing", volume=name))
    volume = found[0]
    present = msg("volumes.present", volume=name, driver=volume.get("Driver") or "-", users=shown)
    if spec.get("state") == "absent":
        return Result(False, present)
    problems: list[Message] = []
    if "driver" in spec and volume.get("Driver") != spec["driver"]:
        problems.append(differs("Driver", volume.get("Driver"), spec["driver"]))
    if "labels" in spec:
        problems += pair_problems("Labels", spec["labels"], volume.get("Labels") or {})
    if "users" in spec and not count_ok(spec["users"], len(users)):
        problems.append(msg("volumes.users", count=len(users), expected=describe_count(spec["users"]), users=shown))
    missing = [wanted for wanted in spec.get("used_by", ()) if wanted not in {c.name for c in users}]
    if missing:
        problems.append(msg("volumes.not_mounted_by", names=", ".join(missing), users=shown))
    if problems:
        return Result(False, msg("volumes.differs", volume=name, problems=problems))
    return Result(True, present)


def mounts(container: Container, volume: str) -> bool:
    return any(m.type == "volume" and m.name == volume for m in container.mounts)


def user_name(container: Container, volume: str) -> str:
    places = [m.destination for m in container.mounts if m.type == "volume" and m.name == volume]
    return f"{container.name or container.short_id} ({', '.join(places)})"
