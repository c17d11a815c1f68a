"""The allowlist: which Engine API requests a submission may send to its lab, and on what terms.

Deny by default. ``ROUTES`` reads like a spec: method and path → the rule that decides.
A rule is a small pure function over the decoded request (its path parameters, query and
JSON body) that returns a ``Decision``: allowed (perhaps with a body rewritten to carry the
lab's limits) or refused with a ``Message`` that names the field and the value.

Bodies are checked field by field against tables of their own: a field not in the table
must hold its zero value (what the docker CLI sends when the option is not used), so a
field that a newer API adds is refused until someone decides on it. Queries likewise: each
route names the parameters it accepts and the shape of their values (``QUERIES``); any
other parameter, or a repeat of one that is not a list, is refused.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Callable, Mapping
from urllib.parse import urlencode

from checks import refs
from checks.boundary.binds import SubmissionCopy, modes_allowed, split_bind
from checks.boundary.messages import msg
from checks.messages import Message


@dataclass(frozen=True)
class Limits:
    """What every container of a submission gets, whatever it asks for."""

    pids: int = 256  # processes per container (HostConfig.PidsLimit)
    log_size: str = "10m"  # json-file/local max-size per container log
    log_files: int = 1
    nofile: int = 4096  # highest RLIMIT_NOFILE a container may ask for
    containers: int = 100  # containers in the lab at once
    # The work below is done by the lab's own daemons (dockerd, the log copier, the kernel for a tmpfs),
    # outside the containers' own caps: each request may only ask for a little of it.
    log_buffer: str = "1m"  # the log's max-buffer-size in mode=non-blocking (held in dockerd's memory)
    tmpfs: str = "64m"  # each tmpfs mount and tmpfs volume; put in where none is given
    tmpfs_mounts: int = 4  # tmpfs mounts per container
    tmpfs_volumes: int = 8  # tmpfs volumes in the lab at once (what dockerd writes in them on `docker cp` is its own)
    health_floor: int = 1_000_000_000  # ns: the shortest health-check interval, timeout and start period
    labels: int = 64 * 1024  # bytes of label keys and values in one request
    query: int = 16 * 1024  # bytes of a request's query string
    metadata: int = 1024 * 1024  # bytes of each metadata file in a `docker load` archive (manifest, configs)
    dockerfile: int = 1024 * 1024  # bytes of a build context's Dockerfile (and .dockerignore)


@dataclass(frozen=True)
class Request:
    """A decoded API request: what a rule sees."""

    method: str
    path: str  # without the /vX.Y prefix
    params: Mapping[str, str]  # path parameters, by name
    query: Mapping[str, str]
    body: Any = None  # decoded JSON, for routes whose rule reads it


class Line:
    """The submission's command line running now, which the runner sets around each one (``set``).

    Requests carry no trace of the program that sent them; the runner runs one line at a time,
    and nothing but that line's CLI can reach the boundary's socket.
    """

    # docker's global options that take a value: skipped to find the subcommand
    VALUED = {"-l", "--log-level", "--config", "-c", "--context", "-H", "--host", "--tlscacert", "--tlscert", "--tlskey"}

    def __init__(self) -> None:
        self.argv: tuple[str, ...] = ()

    def set(self, argv: tuple[str, ...]) -> None:
        self.argv = tuple(argv)

    @property
    def compose(self) -> bool:
        """Whether the line is docker-compose (``docker-compose ...`` or ``docker compose ...``)."""
        if not self.argv:
            return False
        if self.argv[0] == "docker-compose":
            return True
        if self.argv[0] != "docker":
            return False
        words = iter(self.argv[1:])
        for word in words:
            if word in self.VALUED:
                next(words, None)
            elif not word.startswith("-"):
                return word == "compose"
        return False


@dataclass(frozen=True)
class Context:
    """Facts about the lab that rules need."""

    registry: str  # the lab registry's host:port
    limits: Limits = field(default_factory=Limits)
    count_containers: Callable[[], int] = lambda: 0
    submission: SubmissionCopy | None = None  # whose files binds may mount; None: no host path at all
    count_tmpfs_volumes: Callable[[], int] = lambda: 0
    # An image's inspect (GET /images/{name}/json) from the lab's dockerd; None when it has no such image.
    inspect_image: Callable[[str], Any] = lambda name: None
    line: Line = field(default_factory=Line)
    lang: str | None = None  # the language refusals are written in (the run's own); None: every language, joined


@dataclass(frozen=True)
class Decision:
    allowed: bool
    reason: Message | None = None
    body: Any = None  # a replacement body, when the rule rewrote it
    # The lab's Docker Hub (hub_push, login): requests the boundary sends dockerd itself before
    # (a failure is the answer) and after the request, the path and query sent instead of the
    # request's (without the API version), or an answer given without asking dockerd at all.
    before: tuple[tuple[str, str, Mapping[str, str]], ...] = ()
    after: tuple[tuple[str, str, Mapping[str, str]], ...] = ()
    target: str | None = None
    answer: Any = None

    @property
    def rewritten(self) -> bool:
        return self.body is not None


ALLOW = Decision(True)


def refuse(key: str, **params: Any) -> Decision:
    return Decision(False, msg(key, **params))


Rule = Callable[[Request, Context], Decision]


def allow(request: Request, context: Context) -> Decision:
    return ALLOW


# --- zero values and field tables -------------------------------------------------------
def is_zero(value: Any) -> bool:
    """Go's zero value as the docker CLI serialises it: null, false, 0, "", [] or {}."""
    return value is None or value is False or value == 0 and not isinstance(value, bool) or value in ("", [], {})


FieldRule = Callable[[str, Any, Context], Decision]


def any_value(name: str, value: Any, context: Context) -> Decision:
    return ALLOW


def zero_only(name: str, value: Any, context: Context) -> Decision:
    return ALLOW if is_zero(value) else refuse("boundary.field", field=name, value=_show(value))


def null_only(name: str, value: Any, context: Context) -> Decision:
    """For fields where an empty list is not the default: MaskedPaths: [] unmasks /proc."""
    return ALLOW if value is None else refuse("boundary.field", field=name, value=_show(value))


def one_of(*accepted: str) -> FieldRule:
    def rule(name: str, value: Any, context: Context) -> Decision:
        return ALLOW if is_zero(value) or value in accepted else refuse("boundary.field", field=name, value=_show(value))

    return rule


def not_host(name: str, value: Any, context: Context) -> Decision:
    """Namespace modes: private, none, or shared with another lab container; never the host's."""
    if isinstance(value, str) and value.split(":", 1)[0] == "host":
        return refuse("boundary.namespace", field=name, value=value)
    return ALLOW


def check_fields(obj: Any, table: Mapping[str, FieldRule], context: Context, prefix: str) -> Decision:
    if obj is None:
        return ALLOW
    if not isinstance(obj, dict):
        return refuse("boundary.bad_body", reason=f"{prefix.rstrip('.') or 'body'} is not an object")
    spellings = {known.lower(): known for known in table}
    for name, value in obj.items():
        if name not in table and name.lower() in spellings:
            # Go's decoder would take this spelling for the known field: judge it as that field would be.
            return refuse("boundary.field", field=f"{prefix}{name}", value=f"(write {spellings[name.lower()]})")
        rule = table.get(name, zero_only)
        try:
            decision = rule(f"{prefix}{name}", value, context)
        except (AttributeError, TypeError, KeyError):  # a part of the wrong type: a list where an object belongs
            return refuse("boundary.bad_body", reason=f"{prefix}{name} is malformed")
        if not decision.allowed:
            return decision
    return ALLOW


def _show(value: Any) -> str:
    text = repr(value) if not isinstance(value, str) else value
    return text if len(text) <= 120 else text[:117] + "..."


# --- containers -------------------------------------------------------------------------
VOLUME_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")
# nr_inodes and nr_blocks are not here: 0 would lift the bound that size sets.
TMPFS_OPTIONS = re.compile(r"(size|mode|uid|gid)=[0-9a-zA-Z]+|ro|rw|noexec|exec|nosuid|nodev")
PORT_HOSTS = {"", "0.0.0.0", "127.0.0.1", "::", "::1", "localhost"}
LOG_DRIVERS = {"json-file", "local"}
SIZE = re.compile(r"([0-9]+)([kmg]?)b?", re.IGNORECASE)
UNITS = {"": 1, "k": 1024, "m": 1024**2, "g": 1024**3}


def binds(name: str, value: Any, context: Context) -> Decision:
    """`-v SRC:DST`: SRC is a named volume, or a path inside the submission's copy (see binds.py);
    any other path (absolute or relative) is the host's."""
    for entry in value or ():
        if not isinstance(entry, str):
            return refuse("boundary.bad_body", reason=f"{name} holds a non-string")
        source = entry.split(":", 1)[0] if ":" in entry else ""
        if source and not VOLUME_NAME.fullmatch(source):
            decision = _submission_bind(source, split_bind(entry)[2], context)
            if not decision.allowed:
                return decision
    return ALLOW


def _submission_bind(source: str, mode: str, context: Context) -> Decision:
    if context.submission is None:
        return refuse("boundary.bind", source=_show(source))
    if context.submission.resolve(source) is None:
        return refuse("boundary.bind_outside", source=_show(source))
    if not modes_allowed(mode):
        return refuse("boundary.bind_mode", source=_show(source), mode=_show(mode))
    return ALLOW


def with_submission_binds(body: dict, context: Context) -> dict | None:
    """The body with each bind of the submission's copy sent as the copy's real path on the host;
    None when a source no longer resolves (it changed since it was judged)."""
    host_config = dict(body.get("HostConfig") or {})
    mapped = []
    for entry in host_config.get("Binds") or ():
        source, target, mode = split_bind(entry)
        if ":" in entry and not VOLUME_NAME.fullmatch(source):
            real = context.submission.resolve(source) if context.submission else None
            if real is None:
                return None
            entry = ":".join((real, target, mode)) if mode else f"{real}:{target}"
        mapped.append(entry)
    mounts = []
    for mount in host_config.get("Mounts") or ():
        if mount.get("Type") == "bind":
            real = context.submission.resolve(mount.get("Source")) if context.submission else None
            if real is None:
                return None
            mount = {**mount, "Source": real}
        mounts.append(mount)
    if host_config.get("Binds"):
        host_config["Binds"] = mapped
    if host_config.get("Mounts"):
        host_config["Mounts"] = mounts
    return {**body, "HostConfig": host_config}


def volume_driver(driver: Any, options: Any, where: str, context: Context) -> Decision:
    """The local driver, with no options or with the options of a tmpfs volume (of a bounded size, put in
    when none is given: ``Decision.body`` holds the options to send); nothing that mounts a path or device."""
    if not is_zero(driver) and driver != "local":
        return refuse("boundary.field", field=f"{where}.Driver", value=_show(driver))
    if is_zero(options):
        return ALLOW
    if not isinstance(options, dict):
        return refuse("boundary.bad_body", reason=f"{where} options are not an object")
    kind, device, mount = options.get("type"), options.get("device"), options.get("o", "")
    extra = set(options) - {"type", "device", "o"}
    if kind == "tmpfs" and device == "tmpfs" and not extra and isinstance(mount, str):
        sized = bounded_tmpfs(mount, f"{where}.o", context)
        if isinstance(sized, Decision):
            return sized
        return Decision(True, body={**options, "o": sized})
    shown = ",".join(f"{k}={v}" for k, v in sorted(options.items()))
    return refuse("boundary.volume_options", options=_show(shown))


def bounded_tmpfs(options: str, where: str, context: Context) -> Decision | str:
    """A tmpfs's mount options, each from the list, with a size above 0 (0 is no limit) and within the lab's;
    the lab's size is put in when none is given. The refusal, or the options to send."""
    limit = _bytes(context.limits.tmpfs)
    parts = [option for option in options.split(",") if option]
    for option in parts:
        if not TMPFS_OPTIONS.fullmatch(option):
            return refuse("boundary.field", field=where, value=_show(option))
        if option.startswith("size=") and not 0 < _bytes(option[5:]) <= limit:
            return refuse("boundary.limit", field=where, value=option, limit=f"size={context.limits.tmpfs}")
    if not any(option.startswith("size=") for option in parts):
        parts.append(f"size={context.limits.tmpfs}")
    return ",".join(parts)


MOUNT = {name: any_value for name in ("Type", "Source", "Target", "ReadOnly", "Consistency", "VolumeOptions", "TmpfsOptions")}
VOLUME_OPTIONS = {"NoCopy": any_value, "Labels": any_value, "DriverConfig": any_value}
DRIVER_CONFIG = {"Name": any_value, "Options": any_value}
TMPFS_MOUNT = {"SizeBytes": any_value, "Mode": any_value}


def mounts(name: str, value: Any, context: Context) -> Decision:
    """`--mount`: named or anonymous volumes, tmpfs of a bounded size (put in where unset), and binds of the
    submission's copy. ``Decision.body`` holds the mounts to send."""
    sent = []
    for index, mount in enumerate(value or ()):
        where = f"{name}[{index}]"
        decision = check_fields(mount, MOUNT, context, f"{where}.")  # BindOptions, or any other key, refused
        if not decision.allowed:
            return decision
        kind = mount.get("Type")
        if kind == "tmpfs":
            if not is_zero(mount.get("Source")):
                return refuse("boundary.field", field=f"{where}.Source", value=_show(mount.get("Source")))
            decision = _tmpfs_mount(mount.get("TmpfsOptions"), context, f"{where}.TmpfsOptions")
        elif kind == "volume":
            source = mount.get("Source")
            if not is_zero(source) and not (isinstance(source, str) and VOLUME_NAME.fullmatch(source)):
                return refuse("boundary.bind", source=_show(source))
            decision = _volume_options(mount.get("VolumeOptions"), context, f"{where}.VolumeOptions")
        elif kind == "bind" and context.submission is not None:
            decision = _submission_bind(mount.get("Source"), "", context)
        else:
            return refuse("boundary.mount_type", type=_show(kind))
        if not decision.allowed:
            return decision
        sent.append({**mount, "TmpfsOptions" if kind == "tmpfs" else "VolumeOptions": decision.body} if decision.rewritten else mount)
    return Decision(True, body=sent)


def _tmpfs_mount(options: Any, context: Context, where: str) -> Decision:
    decision = check_fields(options, TMPFS_MOUNT, context, f"{where}.")
    if not decision.allowed:
        return decision
    options = dict(options or {})
    size, limit = options.get("SizeBytes") or 0, _bytes(context.limits.tmpfs)
    if not isinstance(size, int) or isinstance(size, bool) or not 0 <= size <= limit:
        return refuse("boundary.limit", field=f"{where}.SizeBytes", value=_show(size), limit=limit)
    return Decision(True, body={**options, "SizeBytes": size or limit})


def _volume_options(options: Any, context: Context, where: str) -> Decision:
    decision = check_fields(options, VOLUME_OPTIONS, context, f"{where}.")
    if not decision.allowed:
        return decision
    decision = labels(f"{where}.Labels", (options or {}).get("Labels"), context)
    if not decision.allowed:
        return decision
    driver = (options or {}).get("DriverConfig") or {}
    decision = check_fields(driver, DRIVER_CONFIG, context, f"{where}.DriverConfig.")
    if not decision.allowed:
        return decision
    decision = volume_driver(driver.get("Name"), driver.get("Options"), f"{where}.DriverConfig", context)
    if decision.rewritten:
        return Decision(True, body={**options, "DriverConfig": {**driver, "Options": decision.body}})
    return decision


def port_bindings(name: str, value: Any, context: Context) -> Decision:
    for port, bindings in (value or {}).items():
        for binding in bindings or ():
            host = (binding or {}).get("HostIp", "")
            if host not in PORT_HOSTS:
                return refuse("boundary.port_host", port=port, host=host)
    return ALLOW


def log_config(name: str, value: Any, context: Context) -> Decision:
    value = value or {}
    kind = value.get("Type") or "json-file"
    if kind not in LOG_DRIVERS:
        return refuse("boundary.log_driver", driver=kind)
    config = value.get("Config") or {}
    for key, setting in config.items():
        if key == "max-size" and _bytes(setting) > _bytes(context.limits.log_size):
            return refuse("boundary.limit", field=f"{name}.Config.max-size", value=setting, limit=context.limits.log_size)
        if key == "max-file" and (not str(setting).isdigit() or int(setting) > context.limits.log_files):
            return refuse("boundary.limit", field=f"{name}.Config.max-file", value=setting, limit=context.limits.log_files)
        if key == "mode" and setting not in ("blocking", "non-blocking"):
            return refuse("boundary.field", field=f"{name}.Config.mode", value=_show(setting))
        # In non-blocking mode dockerd holds up to this much of the container's output in its own memory.
        if key == "max-buffer-size" and not 0 < _bytes(setting) <= _bytes(context.limits.log_buffer):
            return refuse("boundary.limit", field=f"{name}.Config.max-buffer-size", value=_show(setting), limit=context.limits.log_buffer)
        if key not in ("max-size", "max-file", "compress", "mode", "max-buffer-size", "labels", "env", "tag"):
            return refuse("boundary.field", field=f"{name}.Config.{key}", value=_show(setting))
    return ALLOW


def _bytes(text: Any) -> int:
    match = SIZE.fullmatch(str(text).strip())
    if not match:
        return 1 << 62  # unreadable: treat as too large
    return int(match.group(1)) * UNITS[match.group(2).lower()]


def pids_limit(name: str, value: Any, context: Context) -> Decision:
    if is_zero(value):
        return ALLOW  # the lab's default is put in below
    if not isinstance(value, int) or value < 0 or value > context.limits.pids:
        return refuse("boundary.limit", field=name, value=value, limit=context.limits.pids)
    return ALLOW


def ulimits(name: str, value: Any, context: Context) -> Decision:
    for item in value or ():
        item = item or {}
        if item.get("Name") != "nofile":
            return refuse("boundary.field", field=f"{name}.{item.get('Name')}", value=f"{item.get('Soft')}:{item.get('Hard')}")
        for side in ("Soft", "Hard"):
            if not isinstance(item.get(side), int) or not 0 <= item[side] <= context.limits.nofile:
                return refuse("boundary.limit", field=f"{name}.nofile.{side}", value=item.get(side), limit=context.limits.nofile)
    return ALLOW


def security_opt(name: str, value: Any, context: Context) -> Decision:
    for option in value or ():
        if option not in ("no-new-privileges", "no-new-privileges=true", "no-new-privileges:true"):
            return refuse("boundary.field", field=name, value=_show(option))
    return ALLOW


# Sysctls that compose files of a course set (redis's somaxconn), each of the container's own network
# namespace and harmless to the host (Kubernetes' "safe" set, and somaxconn), with the values they take.
SYSCTLS = {
    "net.core.somaxconn": re.compile(r"[0-9]{1,5}"),
    "net.ipv4.ip_unprivileged_port_start": re.compile(r"[0-9]{1,5}"),
    "net.ipv4.tcp_syncookies": re.compile(r"[012]"),
    "net.ipv4.ip_local_port_range": re.compile(r"[0-9]{1,5}[ \t]+[0-9]{1,5}"),
    "net.ipv4.ping_group_range": re.compile(r"[0-9]{1,10}[ \t]+[0-9]{1,10}"),
}


def sysctls(name: str, value: Any, context: Context) -> Decision:
    if is_zero(value):
        return ALLOW
    if not isinstance(value, dict):
        return refuse("boundary.field", field=name, value=_show(value))
    for key, setting in value.items():
        if key not in SYSCTLS or not isinstance(setting, str) or not SYSCTLS[key].fullmatch(setting):
            return refuse("boundary.field", field=f"{name}[{key}]", value=_show(setting))
    return ALLOW


def tmpfs(name: str, value: Any, context: Context) -> Decision:
    """`--tmpfs PATH[:OPTIONS]`: each of a bounded size, put in where unset. ``Decision.body`` holds the map to send."""
    if is_zero(value):
        return ALLOW
    if not isinstance(value, dict):
        return refuse("boundary.bad_body", reason=f"{name} is not an object")
    sent = {}
    for target, options in value.items():
        sized = bounded_tmpfs(str(options), f"{name}[{target}]", context)
        if isinstance(sized, Decision):
            return sized
        sent[target] = sized
    return Decision(True, body=sent)


def health(name: str, value: Any, context: Context) -> Decision:
    """A health check's durations (ns): 0 for dockerd's default, else at least the lab's floor:
    each check is a process that dockerd, containerd and runc start, outside the container's CPU cap."""
    decision = check_fields(value, HEALTHCHECK, context, f"{name}.")
    if not decision.allowed:
        return decision
    for key in DURATIONS:
        setting = (value or {}).get(key) or 0
        if not isinstance(setting, int) or setting < 0 or 0 < setting < context.limits.health_floor:
            return refuse("boundary.floor", field=f"{name}.{key}", value=_duration(setting), floor=_duration(context.limits.health_floor))
    return ALLOW


DURATIONS = ("Interval", "Timeout", "StartPeriod", "StartInterval")
HEALTHCHECK = {"Test": any_value, "Retries": any_value, **{key: any_value for key in DURATIONS}}


def _duration(ns: Any) -> str:
    if not isinstance(ns, int):
        return _show(ns)
    if ns >= 1_000_000 or ns == 0:
        # Every digit, in decimal: rounded, 999_999_500 ns would read as the floor of 1s.
        return f"{(Decimal(ns) / 1_000_000_000).normalize():f}s"
    return f"{ns}ns"


COMPOSE_LABELS = "com.docker.compose."  # what the compose kind trusts: only docker-compose may set them


def labels(name: str, value: Any, context: Context) -> Decision:
    """Labels: a map of strings, bounded in size (dockerd keeps them, and the grader reads them back);
    none of compose's own unless the line running is docker-compose."""
    if is_zero(value):
        return ALLOW
    if not isinstance(value, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in value.items()):
        return refuse("boundary.bad_body", reason=f"{name} is not a map of strings")
    size = sum(len(k.encode()) + len(v.encode()) for k, v in value.items())
    if size > context.limits.labels:
        return refuse("boundary.limit", field=name, value=f"{size} bytes", limit=f"{context.limits.labels} bytes")
    if not context.line.compose:
        for key in value:
            if key.lower().startswith(COMPOSE_LABELS):
                return refuse("boundary.compose_label", field=f"{name}[{key}]")
    return ALLOW


# HostConfig: every key a course may set. Anything else must be left at its zero value.
HOST_CONFIG: dict[str, FieldRule] = {
    "Binds": binds,
    "Mounts": mounts,
    "PortBindings": port_bindings,
    "PublishAllPorts": any_value,
    "LogConfig": log_config,
    "NetworkMode": not_host,
    "PidMode": not_host,
    "IpcMode": not_host,
    "UTSMode": not_host,
    "CgroupnsMode": one_of("private"),
    "Cgroup": not_host,
    "RestartPolicy": any_value,
    "AutoRemove": any_value,
    "VolumeDriver": one_of("local"),
    "VolumesFrom": any_value,
    "CapDrop": any_value,
    "Dns": any_value,
    "DnsOptions": any_value,
    "DnsSearch": any_value,
    "ExtraHosts": any_value,
    "GroupAdd": any_value,
    "Links": any_value,
    "OomScoreAdj": any_value,
    "ReadonlyRootfs": any_value,
    "SecurityOpt": security_opt,
    "Tmpfs": tmpfs,
    "Sysctls": sysctls,
    "ShmSize": any_value,
    "ConsoleSize": any_value,
    "Init": any_value,
    "Isolation": one_of("default"),
    "Runtime": one_of("runc"),
    "ContainerIDFile": any_value,  # the CLI's own file, inside its sandbox
    # resources: lowering them is always fine; the lab's cgroup parent caps them all
    "Memory": any_value,
    "MemoryReservation": any_value,
    "MemorySwap": any_value,
    "MemorySwappiness": any_value,
    "KernelMemory": any_value,
    "KernelMemoryTCP": any_value,
    "NanoCpus": any_value,
    "CpuShares": any_value,
    "CpuPeriod": any_value,
    "CpuQuota": any_value,
    "CpusetCpus": any_value,
    "CpusetMems": any_value,
    "CpuCount": any_value,
    "CpuPercent": any_value,
    "BlkioWeight": any_value,
    "PidsLimit": pids_limit,
    "Ulimits": ulimits,
    "MaskedPaths": null_only,
    "ReadonlyPaths": null_only,
    # Privileged, CapAdd, Devices, DeviceCgroupRules, DeviceRequests, UsernsMode,
    # CgroupParent, StorageOpt, OomKillDisable, Blkio*Device*,
    # CpuRealtime*, Annotations ... are not here: they must stay at their zero value.
}

NETWORK_ENDPOINT: dict[str, FieldRule] = {
    name: any_value
    for name in ("IPAMConfig", "Links", "Aliases", "NetworkID", "EndpointID", "Gateway", "IPAddress", "IPPrefixLen",
                 "IPv6Gateway", "GlobalIPv6Address", "GlobalIPv6PrefixLen", "MacAddress", "DriverOpts")
}


def host_config(name: str, value: Any, context: Context) -> Decision:
    return check_fields(value, HOST_CONFIG, context, f"{name}.")


def networking_config(name: str, value: Any, context: Context) -> Decision:
    decision = check_fields(value, {"EndpointsConfig": any_value}, context, f"{name}.")
    if not decision.allowed:
        return decision
    endpoints = (value or {}).get("EndpointsConfig") or {}
    if not isinstance(endpoints, dict):
        return refuse("boundary.bad_body", reason=f"{name}.EndpointsConfig is not an object")
    for network, endpoint in endpoints.items():
        if network == "host":
            return refuse("boundary.namespace", field=f"{name}.EndpointsConfig", value=network)
        decision = check_fields(endpoint, NETWORK_ENDPOINT, context, f"{name}.EndpointsConfig.{network}.")
        if not decision.allowed:
            return decision
    return ALLOW


# The body of POST /containers/create: the container's own configuration, which stays inside
# the container, and the two parts that reach the host, checked field by field.
CONTAINER_CREATE: dict[str, FieldRule] = {
    **{name: any_value for name in (
        "Hostname", "Domainname", "User", "AttachStdin", "AttachStdout", "AttachStderr", "ExposedPorts", "Tty",
        "OpenStdin", "StdinOnce", "Env", "Cmd", "ArgsEscaped", "Image", "Volumes", "WorkingDir",
        "Entrypoint", "NetworkDisabled", "MacAddress", "OnBuild", "StopSignal", "StopTimeout", "Shell",
    )},
    "Labels": labels,
    "Healthcheck": health,
    "HostConfig": host_config,
    "NetworkingConfig": networking_config,
}


def container_create(request: Request, context: Context) -> Decision:
    if not isinstance(request.body, dict):
        return refuse("boundary.bad_body", reason="the body is not a JSON object")
    decision = check_fields(request.body, CONTAINER_CREATE, context, "")
    if not decision.allowed:
        return decision
    host_config = request.body.get("HostConfig") or {}
    tmpfs_count = len(host_config.get("Tmpfs") or {}) + sum(1 for m in host_config.get("Mounts") or () if m.get("Type") == "tmpfs")
    if tmpfs_count > context.limits.tmpfs_mounts:
        return refuse("boundary.limit", field="HostConfig tmpfs mounts", value=tmpfs_count, limit=context.limits.tmpfs_mounts)
    volumes = sum(1 for m in host_config.get("Mounts") or () if ((m.get("VolumeOptions") or {}).get("DriverConfig") or {}).get("Options"))
    if volumes and context.count_tmpfs_volumes() + volumes > context.limits.tmpfs_volumes:  # made by the mount, if new
        return refuse("boundary.too_many", what="tmpfs volumes", limit=context.limits.tmpfs_volumes)
    decision = from_image(request.body, context)
    if not decision.allowed:
        return decision
    if context.count_containers() >= context.limits.containers:
        return refuse("boundary.too_many", what="containers", limit=context.limits.containers)
    body = with_submission_binds(with_limits(request.body, context), context)
    if body is None:
        return refuse("boundary.bind_outside", source="(a source that changed while it was judged)")
    return Decision(True, body=body)


UNREADABLE: dict = {}  # what Context.inspect_image gives when it cannot tell (dockerd did not answer): refused


def from_image(body: dict, context: Context) -> Decision:
    """What the container takes from its image unless the request overrides it: compose's labels (from a
    ``docker build``, ``commit`` or ``load`` of the student's) and a health check (from a Dockerfile's HEALTHCHECK)."""
    image = context.inspect_image(str(body.get("Image") or ""))
    if image is UNREADABLE:
        return refuse("boundary.image_unreadable", image=_show(body.get("Image")))
    config = (image or {}).get("Config") or {}
    if not context.line.compose:
        for key in config.get("Labels") or {}:
            if key.lower().startswith(COMPOSE_LABELS):
                return refuse("boundary.compose_label", field=f"{body.get('Image')} (LABEL {key})")
    asked, built = body.get("Healthcheck") or {}, config.get("Healthcheck") or {}
    test = asked.get("Test") or built.get("Test")
    if not isinstance(test, list) or not test or test[0] == "NONE":
        return ALLOW
    merged = {key: asked.get(key) or built.get(key) or 0 for key in DURATIONS}
    return health("Healthcheck", merged, context)


def with_limits(body: dict, context: Context) -> dict:
    """The body with the lab's limits put in where the request left them unset."""
    limits = context.limits
    host_config = dict(body.get("HostConfig") or {})
    if is_zero(host_config.get("PidsLimit")):
        host_config["PidsLimit"] = limits.pids
    log = dict(host_config.get("LogConfig") or {})
    log["Type"] = log.get("Type") or "json-file"
    config = dict(log.get("Config") or {})
    config.setdefault("max-size", limits.log_size)
    config.setdefault("max-file", str(limits.log_files))
    if config.get("mode") == "non-blocking":
        config.setdefault("max-buffer-size", limits.log_buffer)
    log["Config"] = config
    host_config["LogConfig"] = log
    for key, rule in (("Tmpfs", tmpfs), ("Mounts", mounts)):  # the sizes put in
        if not is_zero(host_config.get(key)):
            host_config[key] = rule(f"HostConfig.{key}", host_config[key], context).body
    return {**body, "HostConfig": host_config}


def container_update(request: Request, context: Context) -> Decision:
    """`docker update`: the restart policy only; resources and limits stay as the lab set them.
    (In an update, PidsLimit 0 means unlimited, and null unchanged.)"""
    return check_fields(request.body, {"RestartPolicy": any_value, "PidsLimit": null_only}, context, "")


def exec_create(request: Request, context: Context) -> Decision:
    table = {name: any_value for name in ("AttachStdin", "AttachStdout", "AttachStderr", "DetachKeys", "Tty", "Env",
                                          "Cmd", "User", "WorkingDir", "ConsoleSize")}
    return check_fields(request.body, table, context, "")


# --- volumes and networks ---------------------------------------------------------------
def volume_create(request: Request, context: Context) -> Decision:
    body = request.body if isinstance(request.body, dict) else {}
    decision = check_fields(body, {"Name": any_value, "Labels": labels, "Driver": any_value, "DriverOpts": any_value}, context, "")
    if not decision.allowed:
        return decision
    decision = volume_driver(body.get("Driver"), body.get("DriverOpts"), "volume", context)
    if not decision.rewritten:
        return decision
    if context.count_tmpfs_volumes() >= context.limits.tmpfs_volumes:
        return refuse("boundary.too_many", what="tmpfs volumes", limit=context.limits.tmpfs_volumes)
    return Decision(True, body={**body, "DriverOpts": decision.body})


NETWORK_OPTIONS = {
    "com.docker.network.bridge.enable_icc", "com.docker.network.bridge.enable_ip_masquerade",
    "com.docker.network.driver.mtu", "com.docker.network.bridge.host_binding_ipv4",
}


def network_options(name: str, value: Any, context: Context) -> Decision:
    for key, setting in (value or {}).items():
        if key not in NETWORK_OPTIONS:
            return refuse("boundary.field", field=f"{name}.{key}", value=_show(setting))
    return ALLOW


def ipam(name: str, value: Any, context: Context) -> Decision:
    return check_fields(value, {"Driver": one_of("default"), "Config": any_value, "Options": zero_only}, context, f"{name}.")


def network_create(request: Request, context: Context) -> Decision:
    table = {
        "Name": any_value, "CheckDuplicate": any_value, "Driver": one_of("bridge"), "Internal": any_value,
        "Attachable": any_value, "EnableIPv6": any_value, "Labels": labels, "Options": network_options, "IPAM": ipam,
        "Scope": one_of("local"),
    }
    return check_fields(request.body, table, context, "")


# --- images -----------------------------------------------------------------------------
def _registry_of(reference: str) -> str | None:
    try:
        return refs.parse(reference).repository.split("/", 1)[0]
    except refs.ReferenceError:
        return None


def _lab_registry(domain: str | None, context: Context) -> bool:
    host, _, port = context.registry.partition(":")
    return domain in (context.registry, f"localhost:{port}", f"127.0.0.1:{port}")


def image_create(request: Request, context: Context) -> Decision:
    """`docker pull` from Docker Hub (served by the lab's mirror) or the lab's registry; `import` from the CLI only."""
    source = request.query.get("fromSrc")
    if source is not None:
        if request.query.get("fromImage"):  # dockerd would pull it, from anywhere
            return refuse("boundary.field", field="fromImage", value=_show(request.query["fromImage"]))
        return ALLOW if source == "-" else refuse("boundary.import_url", source=_show(source))
    image = request.query.get("fromImage", "")
    domain = _registry_of(image)
    if domain is None:
        return refuse("boundary.bad_request", reason=f"fromImage={_show(image)}")
    if domain == refs.DEFAULT_DOMAIN or _lab_registry(domain, context):
        return ALLOW
    return refuse("boundary.registry", reference=_show(image), registry=domain)


def image_push(request: Request, context: Context) -> Decision:
    domain = _registry_of(request.params["name"])
    if _lab_registry(domain, context):
        return ALLOW
    if domain == refs.DEFAULT_DOMAIN:
        return hub_push(request, context)
    return refuse("boundary.registry", reference=_show(request.params["name"]), registry=domain or "?")


def hub_push(request: Request, context: Context) -> Decision:
    """`docker push user/app:1`: pushed to the lab's registry as <registry>/user/app:1 (tagged so for the
    push, untagged after it), from where the lab's mirror serves `docker pull user/app:1` (checks.hub)."""
    name, tag = request.params["name"], request.query.get("tag", "")
    if not tag:  # `docker push --all-tags`
        return refuse("boundary.push_all_tags", name=_show(name))
    try:
        reference = refs.parse(f"{name}:{tag}")
    except refs.ReferenceError:
        return refuse("boundary.bad_request", reason=f"push of {_show(name)}:{_show(tag)}")
    lab = f"{context.registry}/{reference.repository.removeprefix(refs.DEFAULT_DOMAIN + '/')}"
    return Decision(
        True,
        before=(("POST", f"/images/{name}:{tag}/tag", {"repo": lab, "tag": tag}),),
        target=f"/images/{lab}/push?{urlencode({'tag': tag})}",
        after=(("DELETE", f"/images/{lab}:{tag}", {"noprune": "1"}),),
    )


def login(request: Request, context: Context) -> Decision:
    """`docker login`: any credentials are accepted, by the boundary itself; nothing leaves the lab."""
    return Decision(True, answer={"Status": "Login Succeeded", "IdentityToken": ""})


def build(request: Request, context: Context) -> Decision:
    """The classic builder, with a context the CLI sends from the submission's folder."""
    query = request.query
    if query.get("remote"):
        return refuse("boundary.build_remote", remote=_show(query["remote"]))
    if query.get("version", "1") != "1":
        return refuse("boundary.field", field="version", value=query["version"])
    if query.get("networkmode", "default") not in ("", "default", "bridge", "none"):
        return refuse("boundary.namespace", field="networkmode", value=query["networkmode"])
    for name in ("cgroupparent", "isolation", "outputs", "session"):
        if query.get(name):
            return refuse("boundary.field", field=name, value=_show(query[name]))
    if query.get("labels"):
        try:
            decision = labels("labels", json.loads(query["labels"]), context)
        except ValueError:
            decision = refuse("boundary.bad_request", reason="labels is not JSON")
        if not decision.allowed:
            return decision
    if query.get("ulimits"):
        try:
            limits = json.loads(query["ulimits"])
        except ValueError:
            return refuse("boundary.bad_request", reason="ulimits is not JSON")
        if not isinstance(limits, list) and limits is not None:
            return refuse("boundary.bad_request", reason="ulimits is not a list")
        return ulimits("ulimits", limits, context)
    return ALLOW


# --- queries ----------------------------------------------------------------------------
# A parameter's value: a pattern it must match whole, or a rule of its own (name, value, context) → Decision.
BOOL = re.compile(r"[A-Za-z0-9]{0,5}")  # 1, 0, true, false, yes, no: dockerd reads any word
INT = re.compile(r"-?[0-9]{1,19}")
TIME = re.compile(r"[0-9A-Za-z:.+-]{0,64}")  # a timestamp, RFC 3339 or a duration (10m)
SIGNAL = re.compile(r"[A-Za-z0-9+-]{1,16}")
PLATFORM = re.compile(r"[A-Za-z0-9/_.-]{0,64}")
TEXT = re.compile(r"[^\x00-\x1f\x7f]{0,4096}")  # names, references, paths inside a container, messages


def json_value(name: str, value: str, context: Context) -> Decision:
    """filters, buildargs, cachefrom, ulimits, labels: JSON (bounded by the query's own size)."""
    try:
        json.loads(value)
    except ValueError:
        return refuse("boundary.bad_request", reason=f"{name} is not JSON")
    return ALLOW


def change(name: str, value: str, context: Context) -> Decision:
    """`commit --change` and `import --change`: one Dockerfile instruction each. A LABEL of compose's
    own is refused here early; a container of such an image is refused at its creation anyway."""
    if COMPOSE_LABELS in value.lower() and not context.line.compose:
        return refuse("boundary.compose_label", field=f"{name} ({_show(value)})")
    return ALLOW if TEXT.fullmatch(value) else refuse("boundary.field", field=name, value=_show(value))


# `docker top CONTAINER [ps OPTIONS]`: dockerd runs the host's own ps with these options over every
# process of the machine, and keeps the lines whose PID column is one of the container's. So only
# options whose every column before the last is a word without spaces, PID among them: a free-text
# column (the command, its arguments, its environment) last, where it cannot be read as the PID.
PS_SETS = {"", "-ef", "-eF", "-f", "-F", "-e", "-A", "-Af", "aux", "-aux", "ax", "-ax", "axu"}
PS_FIELDS = {
    "pid", "ppid", "pgid", "sid", "uid", "user", "euser", "ruser", "gid", "group", "%cpu", "pcpu", "%mem", "pmem",
    "rss", "vsz", "stat", "s", "state", "tty", "time", "etime", "etimes", "stime", "ni", "pri", "nlwp", "psr", "c",
}
PS_TEXT = {"comm", "args", "cmd", "command"}  # only as the last column
PS_SELECT = {"-e", "-A"}
# dockerd splits ps_args on single spaces only: any other whitespace would make its words differ from these
PS_WORDS = re.compile(r"[A-Za-z0-9%,-]+( [A-Za-z0-9%,-]+)*")


def ps_args(name: str, value: str, context: Context) -> Decision:
    if value == "":
        return ALLOW
    words = value.split(" ") if PS_WORDS.fullmatch(value) else ["(refused)"]
    if value in PS_SETS:
        return ALLOW
    if words and words[0] in PS_SELECT:
        words = words[1:]
    if words[:1] in (["-eo"], ["-Ao"]):
        words = ["-o"] + words[1:]
    if len(words) == 2 and words[0] == "-o":
        fields = words[1].split(",")
        plain, last = fields[:-1], fields[-1]
        if "pid" in fields and all(f in PS_FIELDS for f in plain) and (last in PS_FIELDS or last in PS_TEXT):
            return ALLOW
    accepted = "-ef, aux, -e -o pid,user,args"
    return refuse("boundary.ps_args", value=_show(value), accepted=accepted)


@dataclass(frozen=True)
class Query:
    """The parameters a route accepts: name → the shape of its value; ``lists``: those that may repeat."""

    params: Mapping[str, Any] = field(default_factory=dict)
    lists: frozenset[str] = frozenset()


NONE = Query()
FILTERS = Query({"filters": json_value})
LOGS = Query({name: BOOL for name in ("follow", "stdout", "stderr", "timestamps", "details")}
             | {"since": TIME, "until": TIME, "tail": re.compile(r"all|[0-9]{1,9}")})
ATTACH = Query({"detachKeys": TEXT, **{name: BOOL for name in ("logs", "stream", "stdin", "stdout", "stderr")}})
STOP = Query({"t": INT, "signal": SIGNAL})
RESIZE = Query({"h": INT, "w": INT})
BUILD = Query({
    "dockerfile": TEXT, "t": TEXT, "extrahosts": TEXT, "remote": TEXT, "q": BOOL, "nocache": BOOL, "cachefrom": json_value,
    "pull": BOOL, "rm": BOOL, "forcerm": BOOL, "memory": INT, "memswap": INT, "cpushares": INT, "cpusetcpus": TEXT,
    "cpuperiod": INT, "cpuquota": INT, "buildargs": json_value, "shmsize": INT, "squash": BOOL, "labels": json_value,
    "networkmode": TEXT, "platform": PLATFORM, "target": TEXT, "outputs": TEXT, "version": TEXT, "ulimits": json_value,
    "isolation": TEXT, "session": TEXT, "cgroupparent": TEXT, "buildid": TEXT,
}, frozenset({"t"}))


def check_query(spec: Query, pairs: list[tuple[str, str]], context: Context) -> Decision:
    """Every parameter named by the route, in the shape it takes, once unless it is a list."""
    size = sum(len(k) + len(v) + 2 for k, v in pairs)
    if size > context.limits.query:
        return refuse("boundary.limit", field="query", value=f"{size} bytes", limit=f"{context.limits.query} bytes")
    seen = set()
    for name, value in pairs:
        shape = spec.params.get(name)
        if shape is None:
            accepted = ", ".join(sorted(spec.params)) or "-"
            return refuse("boundary.query", name=_show(name), accepted=accepted)
        if name in seen and name not in spec.lists:
            return refuse("boundary.bad_request", reason=f"{name} given twice")
        seen.add(name)
        decision = (ALLOW if shape.fullmatch(value) else refuse("boundary.field", field=name, value=_show(value))) \
            if isinstance(shape, re.Pattern) else shape(name, value, context)
        if not decision.allowed:
            return decision
    return ALLOW


# --- the table --------------------------------------------------------------------------
ID = r"(?P<id>[^/]+)"
NAME = r"(?P<name>.+)"

ROUTES: list[tuple[str, str, Rule, bool, Query]] = [
    # method, path, rule, whether the rule reads the JSON body, the query it accepts
    ("GET", r"/_ping", allow, False, NONE),
    ("HEAD", r"/_ping", allow, False, NONE),
    ("GET", r"/version", allow, False, NONE),
    ("GET", r"/info", allow, False, NONE),
    ("GET", r"/events", allow, False, Query({"since": TIME, "until": TIME, "filters": json_value})),
    ("GET", r"/system/df", allow, False, Query({"type": re.compile(r"container|image|volume|build-cache")}, frozenset({"type"}))),
    # containers
    ("GET", r"/containers/json", allow, False, Query({"all": BOOL, "limit": INT, "size": BOOL, "filters": json_value, "before": TEXT,
                                                       "since": TEXT, "trunc_cmd": BOOL})),  # trunc_cmd: docker-py's, so compose's
    ("POST", r"/containers/create", container_create, True, Query({"name": TEXT, "platform": PLATFORM})),
    ("POST", r"/containers/prune", allow, False, FILTERS),
    ("GET", rf"/containers/{ID}/json", allow, False, Query({"size": BOOL})),
    ("GET", rf"/containers/{ID}/logs", allow, False, LOGS),
    ("GET", rf"/containers/{ID}/top", allow, False, Query({"ps_args": ps_args})),
    ("GET", rf"/containers/{ID}/stats", allow, False, Query({"stream": BOOL, "one-shot": BOOL})),
    ("GET", rf"/containers/{ID}/(changes|export)", allow, False, NONE),
    ("GET", rf"/containers/{ID}/archive", allow, False, Query({"path": TEXT})),
    ("HEAD", rf"/containers/{ID}/archive", allow, False, Query({"path": TEXT})),
    ("PUT", rf"/containers/{ID}/archive", allow, False, Query({"path": TEXT, "noOverwriteDirNonDir": BOOL, "copyUIDGID": BOOL})),
    ("POST", rf"/containers/{ID}/start", allow, False, Query({"detachKeys": TEXT})),
    ("POST", rf"/containers/{ID}/(stop|restart)", allow, False, STOP),
    ("POST", rf"/containers/{ID}/kill", allow, False, Query({"signal": SIGNAL})),
    ("POST", rf"/containers/{ID}/(pause|unpause)", allow, False, NONE),
    ("POST", rf"/containers/{ID}/wait", allow, False, Query({"condition": re.compile(r"not-running|next-exit|removed")})),
    ("POST", rf"/containers/{ID}/rename", allow, False, Query({"name": TEXT})),
    ("POST", rf"/containers/{ID}/resize", allow, False, RESIZE),
    ("POST", rf"/containers/{ID}/attach", allow, False, ATTACH),
    ("POST", rf"/containers/{ID}/update", container_update, True, NONE),
    ("POST", rf"/containers/{ID}/exec", exec_create, True, NONE),
    ("DELETE", rf"/containers/{ID}", allow, False, Query({"v": BOOL, "force": BOOL, "link": BOOL})),
    ("POST", r"/commit", allow, False, Query({"container": TEXT, "repo": TEXT, "tag": TEXT, "comment": TEXT, "author": TEXT,
                                              "pause": BOOL, "changes": change}, frozenset({"changes"}))),
    ("POST", rf"/exec/{ID}/start", allow, False, NONE),
    ("POST", rf"/exec/{ID}/resize", allow, False, RESIZE),
    ("GET", rf"/exec/{ID}/json", allow, False, NONE),
    # images
    ("GET", r"/images/json", allow, False, Query({"all": BOOL, "filters": json_value, "digests": BOOL, "shared-size": BOOL, "filter": TEXT,
                                                   "only_ids": BOOL})),
    ("POST", r"/images/create", image_create, False, Query({"fromImage": TEXT, "fromSrc": TEXT, "repo": TEXT, "tag": TEXT,
                                                            "message": TEXT, "changes": change, "platform": PLATFORM}, frozenset({"changes"}))),
    ("POST", r"/images/load", allow, False, Query({"quiet": BOOL})),
    ("GET", r"/images/get", allow, False, Query({"names": TEXT}, frozenset({"names"}))),
    ("POST", r"/images/prune", allow, False, FILTERS),
    ("POST", r"/build", build, False, BUILD),
    ("POST", r"/build/prune", allow, False, Query({"all": BOOL, "keep-storage": INT, "filters": json_value})),
    ("GET", rf"/images/{NAME}/(json|history|get)", allow, False, NONE),
    ("POST", rf"/images/{NAME}/tag", allow, False, Query({"repo": TEXT, "tag": TEXT})),
    ("POST", rf"/images/{NAME}/push", image_push, False, Query({"tag": TEXT})),
    ("POST", r"/auth", login, True, NONE),
    ("DELETE", rf"/images/{NAME}", allow, False, Query({"force": BOOL, "noprune": BOOL})),
    # volumes and networks
    ("GET", r"/volumes", allow, False, FILTERS),
    ("POST", r"/volumes/create", volume_create, True, NONE),
    ("POST", r"/volumes/prune", allow, False, FILTERS),
    ("GET", rf"/volumes/{NAME}", allow, False, NONE),
    ("DELETE", rf"/volumes/{NAME}", allow, False, Query({"force": BOOL})),
    ("GET", r"/networks", allow, False, FILTERS),
    ("POST", r"/networks/create", network_create, True, NONE),
    ("POST", r"/networks/prune", allow, False, FILTERS),
    ("GET", rf"/networks/{ID}", allow, False, Query({"verbose": BOOL, "scope": TEXT})),
    ("DELETE", rf"/networks/{ID}", allow, False, NONE),
    ("POST", rf"/networks/{ID}/(connect|disconnect)", allow, False, NONE),
    # Not here, so refused: plugins, swarm, services, nodes, tasks, secrets, configs,
    # sessions, distribution, image search, attach over websocket.
]
COMPILED = [(method, re.compile(path), rule, reads_body, query) for method, path, rule, reads_body, query in ROUTES]
# Routes whose answer takes over the connection (docker run/attach/exec).
HIJACK = re.compile(r"/containers/[^/]+/attach|/exec/[^/]+/start")
# Routes whose error answer can quote the host: replaced by a fixed message (dockerd's error for a
# `docker top` line it cannot read quotes that line of the host's ps, environment and all).
FIXED_ERRORS = re.compile(rf"/containers/{ID}/top")
# Routes whose body is an archive, read as it passes (see archive.py): an image archive, a build's context.
ARCHIVES = {"/images/load": "image", "/build": "build"}
# Routes whose answer is read whole and sent on without the host's own data (docker info).
REDACTED = re.compile(r"/info")


@dataclass(frozen=True)
class Route:
    rule: Rule
    params: Mapping[str, str]
    reads_body: bool
    hijack: bool
    query: Query = NONE
    fixed_error: bool = False  # an error answer is replaced by boundary.top_failed
    archive: str | None = None  # "image" or "build": the body is read as it passes
    redacted: bool = False


def route(method: str, path: str) -> Route | None:
    """The route a request takes, or None (refused: not on the list)."""
    for route_method, pattern, rule, reads_body, query in COMPILED:
        match = pattern.fullmatch(path)
        if match and route_method == method:
            params = {k: v for k, v in match.groupdict().items() if v is not None}
            return Route(rule, params, reads_body, bool(HIJACK.fullmatch(path)), query, bool(FIXED_ERRORS.fullmatch(path)),
                         ARCHIVES.get(path) if method == "POST" else None, method == "GET" and bool(REDACTED.fullmatch(path)))
    return None
