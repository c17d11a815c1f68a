"""A network exists or not, with a driver, which containers are attached to it and with which
aliases.

The network comes from one list of networks (GET /networks). A container is attached when its
entry in the container list names the network (running or not, as `docker ps -a --filter
network=NAME` shows it): no request per container. Aliases are only in a container's inspect
(NetworkSettings.Networks[NAME].Aliases), read only for the containers ``aliases`` names.
"""

from __future__ import annotations

from typing import Mapping

from checks.kinds.expected import differs
from checks.kinds.fields import OBJECT_NAME as NAME, listing
from checks.messages import Message, msg, register
from checks.results import Result
from checks.snapshot import Container, Snapshot

MESSAGES = {
    "networks.missing": {"pt-BR": "a rede {network} não existe", "en": "network {network} does not exist"},
    "networks.present": {
        "pt-BR": "a rede {network} existe (driver {driver}, containers: {containers})",
        "en": "network {network} exists (driver {driver}, containers: {containers})",
    },
    "networks.differs": {"pt-BR": "a rede {network} difere: {problems}", "en": "network {network} differs: {problems}"},
    "networks.not_attached": {
        "pt-BR": "{names} não está(ão) conectado(s) a ela; conectados: {containers}",
        "en": "{names} not attached to it; attached: {containers}",
    },
    "networks.aliases": {
        "pt-BR": "{name} não tem o(s) alias(es) {missing} nela; tem: {aliases}",
        "en": "{name} lacks alias(es) {missing} on it; has: {aliases}",
    },
    "networks.gone": {
        "pt-BR": "o container {name} foi removido durante a correção",
        "en": "container {name} was removed during grading",
    },
}
register(MESSAGES)

# One list of networks; an inspect per container whose aliases the check names.
READS: tuple[str, ...] = ("networks", "inspect")

SCHEMA = {
    "properties": {
        "network": {**NAME, "description": "The network's name, as `docker network ls` shows it.", "examples": ["todo-app"]},
        "state": {"enum": ["present", "absent"], "default": "present", "description": "Whether the network must exist."},
        "driver": {"type": "string", "minLength": 1, "description": "Its driver.", "examples": ["bridge"]},
        "containers": {
            "type": "array",
            "minItems": 1,
            "items": {**NAME, "description": "A container's name, without /."},
            "description": "Containers attached to the network (running or not); others may be too.",
            "examples": [["app", "mysql"]],
        },
        "aliases": {
            "type": "object",
            "minProperties": 1,
            "propertyNames": NAME,
            "additionalProperties": {"type": "array", "minItems": 1, "items": {"type": "string", "minLength": 1}},
            "description": "For a container (by name), aliases it has on this network (`--network-alias`); it may have more.",
            "examples": [{"mysql": ["db"]}],
        },
    },
    "required": ["network"],
}


def evaluate(spec: Mapping, snapshot: Snapshot) -> Result:
    wanted = spec["network"]
    found = [n for n in snapshot.networks() if isinstance(n, dict) and n.get("Name") == wanted]
    if not found:
        return Result(spec.get("state") == "absent", msg("networks.missing", network=wanted))
    network = found[0]
    attached = {c.name: c for c in snapshot.containers if on(c, network)}
    shown = listing(sorted(attached))
    present = msg("networks.present", network=wanted, driver=network.get("Driver") or "-", containers=shown)
    if spec.get("state") == "absent":
        return Result(False, present)
    problems: list[Message] = []
    if "driver" in spec and network.get("Driver") != spec["driver"]:
        problems.append(differs("Driver", network.get("Driver"), spec["driver"]))
    named = list(spec.get("containers", ())) + [name for name in spec.get("aliases", {}) if name not in spec.get("containers", ())]
    missing = [name for name in named if name not in attached]
    if missing:
        problems.append(msg("networks.not_attached", names=", ".join(missing), containers=shown))
    for name, aliases in spec.get("aliases", {}).items():
        container = attached.get(name)
        if container is not None:
            problems += alias_problems(container, network["Name"], aliases, snapshot)
    if problems:
        return Result(False, msg("networks.differs", network=wanted, problems=problems))
    return Result(True, present)


def on(container: Container, network: dict) -> bool:
    return any(name == network.get("Name") or (network_id and network_id == network.get("Id")) for name, network_id in container.network_ids)


def alias_problems(container: Container, network: str, aliases: list[str], snapshot: Snapshot) -> list[Message]:
    inspect = snapshot.inspect(container)
    if not inspect:
        return [msg("networks.gone", name=container.name)]
    settings = ((inspect.get("NetworkSettings") or {}).get("Networks") or {}).get(network) or {}
    has = [str(alias) for alias in settings.get("Aliases") or []]
    missing = [alias for alias in aliases if alias not in has]
    if missing:
        return [msg("networks.aliases", name=container.name, missing=", ".join(missing), aliases=listing(has))]
    return []
