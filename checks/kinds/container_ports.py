"""The ``ports`` key of a container check: ports published with -p, from `docker ps` when it shows
them, else from HostConfig.PortBindings (what -p asked for, also of a container that is not running)."""

from __future__ import annotations

from typing import Mapping

from checks.kinds.fields import PORT, listing
from checks.kinds.judging import Judge, differs, inspected
from checks.snapshot import Container, Snapshot

ALL_INTERFACES = frozenset({"", "0.0.0.0", "::"})

PORT_OBJECT = {
    "type": "object",
    "properties": {
        "container_port": {"type": "integer", "minimum": 1, "maximum": 65535, "description": "The port inside the container."},
        "host_port": {"type": "integer", "minimum": 1, "maximum": 65535, "description": "The host port it is published on; left out: any."},
        "host_ip": {
            "type": "string",
            "pattern": r"^[0-9a-fA-F:.]+$",
            "description": "The host address it is bound to: 0.0.0.0 (or ::) for all interfaces, as `-p 8080:80` binds, "
            "or one address, as `-p 127.0.0.1:8080:80`; left out: any.",
        },
        "protocol": {"enum": ["tcp", "udp", "sctp"], "default": "tcp"},
    },
    "required": ["container_port"],
    "additionalProperties": False,
}

PORTS = {
    "type": "array",
    "minItems": 1,
    "description": "Ports published with -p, each as `docker run -p` writes it ([host_ip:][host_port:]container_port[/protocol]), "
    "a container port alone (80), or an object; a part left out is not checked, so `8080:80` takes any interface and `0.0.0.0:8080:80` only all "
    "of them. Read from `docker ps` when it shows them, else from HostConfig.PortBindings (what -p asked for).",
    # if/then/else rather than oneOf, so that a fault is named plainly
    "items": {
        "type": ["string", "integer", "object"],
        "if": {"type": "string"},
        "then": {"format": "docker-port"},
        "else": {"if": {"type": "integer"}, "then": {"minimum": 1, "maximum": 65535}, "else": PORT_OBJECT},
    },
    "examples": [["8080:80"], ["127.0.0.1:8080:80/tcp"], [80], [{"container_port": 80, "host_port": 8080, "host_ip": "0.0.0.0"}]],
}


def _ports(wanted: list, container: Container, snapshot: Snapshot):
    wanted_ports = [_port_spec(item) for item in wanted]
    listed = _listed_bindings(container)
    if all(any(_binding_ok(w, b) for b in listed) for w in wanted_ports):
        return None
    bindings = listed + _asked_bindings(inspected(container, snapshot))
    ok = all(any(_binding_ok(w, b) for b in bindings) for w in wanted_ports)
    shown = sorted({_show_binding(b) for b in bindings})
    return differs(", ".join(_show_binding(w) for w in wanted_ports), listing(shown), ok)


def _port_spec(item) -> tuple[str | None, int | None, int, str]:
    """(host_ip, host_port, container_port, protocol), None where the exercise leaves it out."""
    if isinstance(item, int):
        return None, None, item, "tcp"
    if isinstance(item, Mapping):
        return item.get("host_ip"), item.get("host_port"), item["container_port"], item.get("protocol", "tcp")
    match = PORT.fullmatch(item)
    return match["ip"] or match["ip6"], int(match["host"]) if match["host"] else None, int(match["port"]), match["protocol"] or "tcp"


def _listed_bindings(container: Container) -> list[tuple[str, int, int, str]]:
    """The list's Ports that are published (a PublicPort), as `docker ps` shows them."""
    return [(port["IP"], port["PublicPort"], port["PrivatePort"], port["Type"])
            for port in container.listed.get("Ports") or () if "PublicPort" in port]


def _asked_bindings(inspected: dict) -> list[tuple[str, int | None, int, str]]:
    """HostConfig.PortBindings, what -p asked for, whether or not the container runs: {"80/tcp": [{HostIp, HostPort}]}."""
    bindings = []
    for key, hosts in (inspected["HostConfig"]["PortBindings"] or {}).items():
        port, protocol = key.split("/")
        for host in hosts or ():
            bindings.append((host["HostIp"], int(host["HostPort"]) if host["HostPort"] else None, int(port), protocol))
    return bindings


def _binding_ok(wanted, binding) -> bool:
    ip, host_port, port, protocol = wanted
    bound_ip, bound_port, bound_to, bound_protocol = binding
    if (port, protocol) != (bound_to, bound_protocol):
        return False
    if host_port is not None and host_port != bound_port:
        return False
    if ip is not None and not (ip == bound_ip or (ip in ALL_INTERFACES and bound_ip in ALL_INTERFACES)):
        return False
    return True


def _show_binding(binding) -> str:
    ip, host_port, port, protocol = binding
    if ip is None and host_port is None:
        return f"{port}/{protocol}"
    host = ("0.0.0.0" if ip == "" else ip or "*") + ":" + ("" if host_port is None else str(host_port))
    return f"{host}->{port}/{protocol}"


JUDGES = {"ports": Judge(PORTS, _ports)}
