"""A network exists or not, with a driver and addresses (subnet, IP range, gateway), which
containers are attached to it (by name, or chosen by image and labels) and with which aliases.

The network comes from one list of networks (GET /networks). A container is attached when its
entry in the container list names the network (running or not, as `docker ps -a --filter
network=NAME` shows it): no request per container. Aliases are only in a container's inspect
(NetworkSettings.Networks[NAME].Aliases), read only for the containers ``aliases`` names.
"""

from __future__ import annotations

from typing import Mapping

from checks.kinds.expected import differs
from checks.kinds.fields import COUNT, IMAGE_PATTERN, OBJECT_NAME as NAME, count_ok, describe_count, listing
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
    # --- keys of issue 22: addresses, and containers chosen by image or label ---
    "networks.ipam": {
        "pt-BR": "endereços (IPAM) {found}, esperado {expected}",
        "en": "addresses (IPAM) {found}, expected {expected}",
    },
    "networks.none_selected": {
        "pt-BR": "nenhum container com {selector} está conectado a ela; conectados: {containers}",
        "en": "no container with {selector} is attached to it; attached: {containers}",
    },
    "networks.selected_count": {
        "pt-BR": "{count} container(s) com {selector} conectado(s) a ela ({expected})",
        "en": "{count} container(s) with {selector} attached to it ({expected})",
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
        "subnet": {
            "type": "string",
            "pattern": r"^[0-9a-fA-F:.]+/[0-9]{1,3}$",
            "description": "A subnet of its IPAM config, in CIDR (`docker network create --subnet`).",
            "examples": ["172.28.0.0/16"],
        },
        "ip_range": {
            "type": "string",
            "pattern": r"^[0-9a-fA-F:.]+/[0-9]{1,3}$",
            "description": "The IP range of that subnet's config (`--ip-range`), in CIDR.",
            "examples": ["172.28.5.0/24"],
        },
        "gateway": {
            "type": "string",
            "pattern": r"^[0-9a-fA-F:.]+$",
            "description": "The gateway of that subnet's config (`--gateway`).",
            "examples": ["172.28.5.254"],
        },
        "select": {
            "type": "object",
            "minProperties": 1,
            "properties": {
                "image": {**IMAGE_PATTERN, "description": "Containers created from this image (as the containers kind selects them)."},
                "label": {
                    "type": "object",
                    "minProperties": 1,
                    "additionalProperties": {"type": ["string", "boolean"]},
                    "description": "Containers with these labels: a text is the value, true any value.",
                },
                "count": {**COUNT, "description": "How many such containers are attached (default: at least 1)."},
            },
            "additionalProperties": False,
            "description": "Containers attached to the network chosen by image or label rather than by name.",
            "examples": [{"image": "redis:7"}, {"label": {"tier": "db"}, "count": 2}],
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
    found = [n for n in (snapshot.read("networks") or []) if isinstance(n, dict) and n.get("Name") == wanted]
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
    problems += ipam_problems(spec, network)
    if "select" in spec:
        problems += selected_problems(spec["select"], list(attached.values()), shown, snapshot)
    for name, aliases in spec.get("aliases", {}).items():
        container = attached.get(name)
        if container is not None:
            problems += alias_problems(container, network["Name"], aliases, snapshot)
    if problems:
        return Result(False, msg("networks.differs", network=wanted, problems=problems))
    return Result(True, present)


def ipam_problems(spec: Mapping, network: dict) -> list[Message]:
    """Subnet, IP range and gateway: one IPAM config must have every one asked for."""
    asked = {key: spec[key] for key in ("subnet", "ip_range", "gateway") if key in spec}
    if not asked:
        return []
    fields = {"subnet": "Subnet", "ip_range": "IPRange", "gateway": "Gateway"}
    configs = [c for c in ((network.get("IPAM") or {}).get("Config") or []) if isinstance(c, dict)]
    if any(all(config.get(fields[key]) == value for key, value in asked.items()) for config in configs):
        return []
    found = listing([" ".join(f"{key}={config.get(fields[key]) or '-'}" for key in asked) for config in configs])
    return [msg("networks.ipam", found=found, expected=" ".join(f"{k}={v}" for k, v in asked.items()))]


def selected_problems(selector: Mapping, attached: list[Container], shown, snapshot: Snapshot) -> list[Message]:
    """Containers attached to it chosen by image and labels, that many of them."""
    chosen = [c for c in attached if _labelled(c, selector.get("label") or {})
              and ("image" not in selector or snapshot.created_from(c, selector["image"]))]
    wanted = selector.get("count", {"min": 1})
    if count_ok(wanted, len(chosen)):
        return []
    parts = ([f"image={selector['image']}"] if "image" in selector else []) + [
        f"{key}={value}" for key, value in (selector.get("label") or {}).items()]
    if not chosen:
        return [msg("networks.none_selected", selector=", ".join(parts), containers=shown)]
    return [msg("networks.selected_count", count=len(chosen), selector=", ".join(parts), expected=describe_count(wanted))]


def _labelled(container: Container, labels: Mapping) -> bool:
    return all((key in container.labels) if value is True else (key not in container.labels) if value is False
               else container.labels.get(key) == value for key, value in labels.items())


def on(container: Container, network: dict) -> bool:
    return any(name == network.get("Name") or (network_id and network_id == network.get("Id")) for name, network_id in container.network_ids)


def alias_problems(container: Container, network: str, aliases: list[str], snapshot: Snapshot) -> list[Message]:
    inspect = snapshot.read("inspect", container.id) or {}
    if not inspect:
        return [msg("networks.gone", name=container.name)]
    settings = ((inspect.get("NetworkSettings") or {}).get("Networks") or {}).get(network) or {}
    has = [str(alias) for alias in settings.get("Aliases") or []]
    missing = [alias for alias in aliases if alias not in has]
    if missing:
        return [msg("networks.aliases", name=container.name, missing=", ".join(missing), aliases=listing(has))]
    return []
