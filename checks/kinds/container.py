"""Containers chosen by a selector, and how they were run: ports, env, mounts, restart policy,
command, user, -it, health, running or not, started again.

What the container list already holds (running, mounts, the ports `docker ps` shows, the health of a
running container) costs no request; the rest is read from the container's inspect, one request per
selected container (docs/performance.md has the cost of each key).
"""

from __future__ import annotations

import re
from typing import Callable, Mapping

from checks.kinds.containers import SCHEMA as CONTAINERS_SCHEMA
from checks.kinds.containers import describe, selected
from checks.kinds.fields import count_ok, describe_count, listing
from checks.kinds.expected import PAIR_VALUE, pair_holds, shown_expected
from checks.messages import msg, register
from checks.results import Result
from checks.snapshot import Container, Snapshot

# What this kind tells the student it found, in pt-BR and en.
MESSAGES = {
    "container.count": {
        "pt-BR": "{count} container(s) {selector} ({expected}): {names}",
        "en": "{count} container(s) {selector} ({expected}): {names}",
    },
    "container.none": {"pt-BR": "nenhum container {selector}", "en": "no container {selector}"},
    "container.mismatch": {
        "pt-BR": "container {name}: {key} esperado {expected}; encontrado: {found}",
        "en": "container {name}: {key} expected {expected}; found: {found}",
    },
    "container.none_match": {
        "pt-BR": "nenhum dos {count} container(s) {selector} está como esperado; o primeiro: {first}",
        "en": "none of the {count} container(s) {selector} is as expected; the first: {first}",
    },
    "container.gone": {
        "pt-BR": "o container {name} foi removido durante a correção; rode a correção de novo",
        "en": "container {name} was removed while grading; grade again",
    },
    "container.ok": {
        "pt-BR": "{count} container(s) {selector}: {names}; tudo como esperado",
        "en": "{count} container(s) {selector}: {names}; all as expected",
    },
    "container.unset": {"pt-BR": "não definida", "en": "not set"},
    "container.yes": {"pt-BR": "sim", "en": "yes"},
    "container.no": {"pt-BR": "não", "en": "no"},
}
register(MESSAGES)

# Lazy reads: the inspect of a selected container, only for keys the list cannot answer
# (and for the image selector's own fallback, as in `containers`).
READS: tuple[str, ...] = ("inspect",)

_PORT = re.compile(
    r"(?:(?:(?P<ip>\d{1,3}(?:\.\d{1,3}){3})|\[(?P<ip6>[0-9a-fA-F:.]+)\]):)?(?:(?P<host>\d{0,5}):)?(?P<port>\d{1,5})"
    r"(?:/(?P<protocol>tcp|udp|sctp))?"
)
ALL_INTERFACES = frozenset({"", "0.0.0.0", "::"})
HEALTH = ["healthy", "unhealthy", "starting", "none"]
ZERO_TIME = "0001-01-01T00:00:00Z"  # State.FinishedAt of a container that never stopped

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

SCHEMA = {
    "properties": {
        "select": CONTAINERS_SCHEMA["properties"]["select"],
        "count": {**CONTAINERS_SCHEMA["properties"]["count"], "description": "How many containers the selector must find; "
                  "left out: at least one."},
        "match": {
            "enum": ["all", "any"],
            "default": "all",
            "description": "Every selected container must be as the other keys say (all), or at least one (any).",
        },
        "running": {
            "type": "boolean",
            "description": "Running now (`docker ps` lists it as Up), or not. A paused container is not running.",
            "examples": [True],
        },
        "ports": {
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
        },
        "env": {
            "type": "object",
            "minProperties": 1,
            "description": "Environment variables (Config.Env, -e): a text is the exact value, true that the variable is set "
            "(to anything, even empty), false that it is not set, {not: text} that it is not set or set to another value. "
            "Quote numbers: \"1.10\".",
            "additionalProperties": PAIR_VALUE,
            "propertyNames": {"pattern": "^[^=]+$"},
            "examples": [{"MYSQL_ROOT_PASSWORD": "secret", "DEBUG": True, "OLD_SETTING": False}, {"APP_ENV": {"not": "development"}}],
        },
        "mounts": {
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
        },
        "restart": {
            "description": "The restart policy (--restart, HostConfig.RestartPolicy): its name, or the name and "
            "max_retries (for on-failure).",
            "type": ["string", "object"],
            "if": {"type": "string"},
            "then": {"enum": ["no", "always", "unless-stopped", "on-failure"]},
            "else": {
                "properties": {
                    "name": {"enum": ["no", "always", "unless-stopped", "on-failure"]},
                    "max_retries": {"type": "integer", "minimum": 0},
                },
                "required": ["name"],
                "additionalProperties": False,
            },
            "examples": ["unless-stopped", {"name": "on-failure", "max_retries": 3}],
        },
        "command": {
            "description": "The command (Config.Cmd): the arguments given after the image, or the image's CMD. A list is "
            "compared item by item; a text with the list joined by spaces.",
            "type": ["array", "string"],
            "items": {"type": "string"},
            "examples": [["sleep", "3600"], "sleep 3600"],
        },
        "entrypoint": {
            "description": "The entrypoint (Config.Entrypoint, --entrypoint or the image's ENTRYPOINT); [] for none. "
            "A list is compared item by item; a text with the list joined by spaces.",
            "type": ["array", "string"],
            "items": {"type": "string"},
            "examples": [["/docker-entrypoint.sh"], []],
        },
        "user": {
            "type": "string",
            "description": "The user it runs as (Config.User, -u), as given: `1000`, `1000:1000`, `node`; \"\" for the image's default.",
            "examples": ["1000:1000", "node"],
        },
        "tty": {"type": "boolean", "description": "Started with a terminal (-t, Config.Tty).", "examples": [True]},
        "open_stdin": {"type": "boolean", "description": "Started with stdin kept open (-i, Config.OpenStdin).", "examples": [True]},
        "health": {
            "enum": HEALTH,
            "description": "Its health (HEALTHCHECK, --health-cmd): healthy, unhealthy, starting, or none (no health check).",
            "examples": ["healthy"],
        },
        "started_again": {
            "type": "boolean",
            "description": "The same container was started again after it stopped (`docker start`, `docker restart`, or its "
            "restart policy), rather than a new one being created: it ran, finished, and runs again (State.StartedAt after "
            "State.FinishedAt), or its RestartCount is above 0. A container stopped again after its second start only "
            "shows the RestartCount.",
            "examples": [True],
        },
    },
    "required": ["select"],
}

PROPERTY_KEYS = ("running", "mounts", "ports", "health", "env", "restart", "command", "entrypoint", "user", "tty",
                 "open_stdin", "started_again")  # the list's keys first: a failure there costs no inspect


class _Gone(Exception):
    """The container was removed between the list and its inspect."""


def evaluate(spec: Mapping, snapshot: Snapshot) -> Result:
    selector = spec["select"]
    chosen = [c for c in snapshot.containers if selected(selector, c, snapshot)]
    described = describe(selector)
    names = listing([c.name or c.short_id for c in chosen])
    keys = [key for key in PROPERTY_KEYS if key in spec]
    count = spec.get("count", {"min": 1})
    if not count_ok(count, len(chosen)):
        return Result(False, msg("container.count", count=len(chosen), selector=described, expected=describe_count(count), names=names))
    if keys and not chosen:
        return Result(False, msg("container.none", selector=described))
    quantifier = spec.get("match", "all")
    failures = []
    for container in chosen:  # one at a time, so that a verdict stops the reads
        failure = _first_failure(spec, keys, container, snapshot)
        if failure is None and quantifier == "any":
            break
        if failure is not None and quantifier == "all":
            return Result(False, failure)
        if failure is not None:
            failures.append(failure)
    else:
        if failures:  # match: any, and not one passed
            return Result(False, msg("container.none_match", count=len(chosen), selector=described, first=failures[0]))
    return Result(True, msg("container.ok", count=len(chosen), selector=described, names=names))


def _first_failure(spec: Mapping, keys: list[str], container: Container, snapshot: Snapshot):
    name = container.name or container.short_id
    try:
        for key in keys:
            mismatch = JUDGES[key](spec[key], container, snapshot)
            if mismatch is not None:
                expected, found = mismatch
                return msg("container.mismatch", name=name, key=key, expected=expected, found=found)
    except _Gone:
        return msg("container.gone", name=name)
    return None


def _inspect(container: Container, snapshot: Snapshot) -> dict:
    inspected = snapshot.read("inspect", container.id) or {}
    if not inspected:
        raise _Gone
    return inspected


def _flag(value: bool):
    return msg("container.yes") if value else msg("container.no")


def _differs(expected, found, ok: bool):
    return None if ok else (expected, found)


# --- each key: judge(wanted, container, snapshot) -> None as wanted, else (expected, found) ----
def _running(wanted: bool, container: Container, snapshot: Snapshot):
    return _differs(_flag(wanted), container.state, (container.state == "running") == wanted)


def _ports(wanted: list, container: Container, snapshot: Snapshot):
    wanted_ports = [_port_spec(item) for item in wanted]
    listed = _listed_bindings(container)
    if all(any(_binding_ok(w, b) for b in listed) for w in wanted_ports):
        return None
    bindings = listed + _asked_bindings(_inspect(container, snapshot))
    ok = all(any(_binding_ok(w, b) for b in bindings) for w in wanted_ports)
    shown = sorted({_show_binding(b) for b in bindings})
    return _differs(", ".join(_show_binding(w) for w in wanted_ports), listing(shown), ok)


def is_port(text: str) -> bool:
    """Whether a text is a port as `docker run -p` writes it: [host_ip:][host_port:]container_port[/protocol],
    each port from 1 to 65535 (`80800:80` is none: docker refuses it, and no check could pass)."""
    match = _PORT.fullmatch(text)
    return match is not None and all(1 <= int(match[part]) <= 65535 for part in ("host", "port") if match[part])


def _port_spec(item) -> tuple[str | None, int | None, int, str]:
    """(host_ip, host_port, container_port, protocol), None where the exercise leaves it out."""
    if isinstance(item, int):
        return None, None, item, "tcp"
    if isinstance(item, Mapping):
        return item.get("host_ip"), item.get("host_port"), item["container_port"], item.get("protocol", "tcp")
    match = _PORT.fullmatch(item)
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


def _env(wanted: Mapping, container: Container, snapshot: Snapshot):
    values = dict(item.partition("=")[::2] for item in _inspect(container, snapshot)["Config"]["Env"] or ())
    for name, value in wanted.items():
        have = values.get(name)
        if not pair_holds(value, have):
            expected = (f"{name}=…" if value is True else msg("container.unset") if value is False
                        else shown_expected(value) if isinstance(value, Mapping) else f"{name}={value}")
            return expected, msg("container.unset") if have is None else f"{name}={have}"
    return None


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


def _restart(wanted, container: Container, snapshot: Snapshot):
    policy = _inspect(container, snapshot)["HostConfig"]["RestartPolicy"]
    name, retries = policy["Name"] or "no", policy["MaximumRetryCount"]
    wanted = {"name": wanted} if isinstance(wanted, str) else wanted
    ok = name == wanted["name"] and wanted.get("max_retries", retries) == retries
    return _differs(_show_restart(wanted["name"], wanted.get("max_retries")), _show_restart(name, retries), ok)


def _show_restart(name: str, retries: int | None) -> str:
    """As --restart writes it: on-failure:3."""
    return f"{name}:{retries}" if name == "on-failure" and retries is not None else name


def _argv(wanted, have: list) -> tuple | None:
    """A list compared item by item; a text with the list joined by spaces."""
    ok = have == wanted if isinstance(wanted, list) else " ".join(have) == wanted
    return _differs(repr(wanted), repr(have), ok)


def _command(wanted, container: Container, snapshot: Snapshot):
    return _argv(wanted, _inspect(container, snapshot)["Config"]["Cmd"] or [])


def _entrypoint(wanted, container: Container, snapshot: Snapshot):
    return _argv(wanted, _inspect(container, snapshot)["Config"]["Entrypoint"] or [])


def _user(wanted: str, container: Container, snapshot: Snapshot):
    have = _inspect(container, snapshot)["Config"]["User"]
    return _differs(repr(wanted), repr(have), have == wanted)


def _tty(wanted: bool, container: Container, snapshot: Snapshot):
    have = _inspect(container, snapshot)["Config"]["Tty"]
    return _differs(_flag(wanted), _flag(have), have == wanted)


def _open_stdin(wanted: bool, container: Container, snapshot: Snapshot):
    have = _inspect(container, snapshot)["Config"]["OpenStdin"]
    return _differs(_flag(wanted), _flag(have), have == wanted)


_HEALTH_IN_STATUS = re.compile(r"\((healthy|unhealthy|health: starting)\)")


def _health(wanted: str, container: Container, snapshot: Snapshot):
    if container.state == "running":  # the list's Status says it: "Up 3 minutes (healthy)"
        found = _HEALTH_IN_STATUS.search(container.listed["Status"])
        have = found.group(1).removeprefix("health: ") if found else "none"
    else:
        have = _inspect(container, snapshot)["State"].get("Health", {}).get("Status", "none")
    return _differs(wanted, have, have == wanted)


def _started_again(wanted: bool, container: Container, snapshot: Snapshot):
    inspected = _inspect(container, snapshot)
    state = inspected["State"]
    # RFC 3339 in UTC, trailing zeros of the fraction dropped: without the Z, two compare as text.
    ran_again = state["FinishedAt"] != ZERO_TIME and state["StartedAt"].removesuffix("Z") > state["FinishedAt"].removesuffix("Z")
    again = inspected["RestartCount"] > 0 or ran_again
    return _differs(_flag(wanted), _flag(again), again == wanted)


JUDGES: dict[str, Callable] = {
    "running": _running,
    "ports": _ports,
    "env": _env,
    "mounts": _mounts,
    "restart": _restart,
    "command": _command,
    "entrypoint": _entrypoint,
    "user": _user,
    "tty": _tty,
    "open_stdin": _open_stdin,
    "health": _health,
    "started_again": _started_again,
}
