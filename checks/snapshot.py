"""What the daemon holds, read once per run: images and containers as plain values.

A ``Snapshot`` comes from one list of containers (all=1) and one list of images. What a check
needs beyond that it asks by name, ``snapshot.read(name, *args)``: a container's inspect or logs,
an image's inspect or history, a file from a container's filesystem, the volume list... Each read
is asked of the snapshot's ``Source`` once per snapshot and arguments, and cached. So the number
of requests depends on the checks, never on how many unrelated objects the daemon holds. Each
kind declares in ``READS`` which reads it may ask for; ``checks.reads`` names them and holds the
daemon's providers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import Callable, Iterable, Mapping

from checks import refs

_EXITED = re.compile(r"Exited \((-?\d+)\)")
_HEALTH = re.compile(r"\((healthy|unhealthy|health: starting)\)")
_PORT_KEY = re.compile(r"[0-9]+/[a-z]+")  # a key of HostConfig.PortBindings: 80/tcp
_HOST_PORT = re.compile(r"[0-9]*")  # its HostPort: "8080", or "" for any


@dataclass(frozen=True)
class Image:
    id: str
    tags: tuple[refs.Reference, ...] = ()
    digests: tuple[refs.Reference, ...] = ()
    size: int | None = field(default=None, compare=False)  # bytes, from the image list (None if it has none)

    @property
    def short_id(self) -> str:
        return self.id.removeprefix("sha256:")[:12]

    def repositories(self) -> set[str]:
        return {ref.repository for ref in self.tags + self.digests}


@dataclass(frozen=True)
class Port:
    """A container port and where it is published: ``host_port`` 0 when it is not."""

    container_port: int
    protocol: str = "tcp"
    host_ip: str = ""
    host_port: int = 0


@dataclass(frozen=True)
class Mount:
    """A mount as the container list shows it: ``name`` for a volume, ``source`` for a bind."""

    type: str
    destination: str
    name: str = ""
    source: str = ""


@dataclass(frozen=True)
class Container:
    id: str
    name: str
    image: str  # as the list shows it: the reference typed at creation, or an image ID
    image_id: str
    state: str  # created, running, paused, restarting, removing, exited, dead
    exit_code: int | None = None
    # What the list also shows, for compose projects and published ports (no extra request).
    labels: Mapping[str, str] = field(default_factory=dict, hash=False)
    ports: tuple[Port, ...] = ()
    mounts: tuple[Mount, ...] = ()
    networks: tuple[str, ...] = ()
    health: str = ""  # healthy, unhealthy, starting; "" without a healthcheck
    network_ids: tuple[tuple[str, str], ...] = field(default=(), compare=False)  # (name, network ID)
    # The whole item of the list (Ports, Mounts, Labels, Status...), for kinds that read more of it at no cost.
    listed: Mapping = field(default_factory=dict, compare=False, repr=False)

    @property
    def short_id(self) -> str:
        return self.id[:12]


@dataclass(frozen=True)
class FileRead:
    """A path read from a container's filesystem (GET /containers/{id}/archive).

    ``kind`` is "file", "dir", "symlink" or "other"; ``target`` a symlink's target;
    ``content`` at most ``checks.reads.FILE_LIMIT`` bytes of a regular file, ``truncated`` when
    there was more.
    """

    path: str
    kind: str
    size: int = 0
    mode: int = 0
    target: str = ""
    content: bytes = b""
    truncated: bool = False


@dataclass(frozen=True)
class HttpProbe:
    """HTTP GETs to a published port, retried a bounded number of times (checks.probe).

    ``tried`` has one line per attempt (the URL and what came back); ``status``, ``headers``
    and at most ``checks.probe.BODY_LIMIT`` bytes of ``body`` are the last answer (``status``
    None when none came). ``skipped`` says why nothing was sent (a remote daemon).
    """

    tried: tuple[str, ...] = ()
    status: int | None = None
    headers: Mapping[str, str] = field(default_factory=dict, hash=False)
    body: bytes = b""
    skipped: str = ""


class Source:
    """Where a snapshot's lazy reads go: one provider per read name, each a function of the read's
    arguments (a container ID, a path...). A name no provider answers reads as None: the read is not
    possible here (``events`` without a record, ``commands`` under ``check``). The daemon's providers
    are ``checks.reads.DAEMON``; ``run`` and ``check`` since start add theirs (``with_reads``)."""

    def __init__(self, providers: Mapping[str, Callable[..., object]] | None = None):
        self.providers: Mapping[str, Callable[..., object]] = MappingProxyType(dict(providers or {}))

    def answer(self, name: str, *args):
        provider = self.providers.get(name)
        return None if provider is None else provider(*args)

    def adding(self, providers: Mapping[str, Callable[..., object]]) -> "Source":
        """A source with these providers too (each replacing one of the same name), and the others."""
        return _Added(self, providers)


class _Added(Source):
    """A source's providers plus some more: asks go to the base source (a test's FakeSource records them)."""

    def __init__(self, base: Source, providers: Mapping[str, Callable[..., object]]):
        super().__init__(providers)
        self.base = base

    def answer(self, name: str, *args):
        return super().answer(name, *args) if name in self.providers else self.base.answer(name, *args)


@dataclass(frozen=True)
class Snapshot:
    """The two lists, and the lazy reads a kind asks for by name (``read``), each asked of the
    source once per snapshot. Nothing is set on a snapshot once it is made: ``with_reads`` makes
    another, with more providers."""

    images: tuple[Image, ...]
    containers: tuple[Container, ...]
    source: Source | None = None
    _reads: dict[tuple, object] = field(default_factory=dict, repr=False, compare=False)
    _found: dict[str, Image | None] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_api(cls, images: Iterable[dict], containers: Iterable[dict], **kwargs) -> "Snapshot":
        """Builds a snapshot from the JSON of GET /images/json and GET /containers/json?all=1."""
        return cls(
            tuple(image_from_api(item) for item in images),
            tuple(container_from_api(item) for item in containers),
            **kwargs,
        )

    def read(self, name: str, *args):
        """The lazy read ``name`` (one of ``checks.reads.NAMES``) of these arguments, asked of
        the source the first time and cached; None when nothing answers it (the object is gone, or
        this read is not possible here, or there is no source)."""
        key = (name, *args)
        if key not in self._reads:
            self._reads[key] = self.source.answer(name, *args) if self.source is not None else None
        return self._reads[key]

    def with_reads(self, **providers: Callable[..., object]) -> "Snapshot":
        """The same lists, and these reads answered by these providers (``run``'s events, commands...).
        Both snapshots keep one cache (a read is asked once, whichever asks), without the answers of
        the reads replaced."""
        for key in [key for key in self._reads if key[0] in providers]:
            del self._reads[key]
        return replace(self, source=(self.source or Source()).adding(providers))

    # --- images ---------------------------------------------------------------------
    def find_image(self, reference: str) -> Image | None:
        """The image a reference names, as the daemon resolves it: by name, then by ID prefix."""
        if reference not in self._found:  # a selector asks once per container: resolve it once
            self._found[reference] = self._resolve(reference)
        return self._found[reference]

    def _resolve(self, reference: str) -> Image | None:
        if refs.is_pattern(reference):
            found = self.images_matching(reference)
            return found[0] if found else None
        ref = refs.try_parse(reference)
        if ref is not None:
            for image in self.images:
                if ref in image.tags or _digest_match(ref, image):  # tags carry no digest
                    return image
        prefix = refs.id_prefix(reference)
        if prefix is not None:
            found = [image for image in self.images if image.id.removeprefix("sha256:").startswith(prefix)]
            if len(found) == 1:
                return found[0]
        return None

    def images_matching(self, pattern: str) -> list[Image]:
        """Images with a tag that a pattern (``php:*-apache``) matches; [] for an invalid pattern."""
        key = ("images_matching", pattern)
        if key not in self._reads:  # once per pattern and run, not per container
            compiled = refs.pattern(pattern)
            self._reads[key] = [
                image for image in self.images if compiled and any(compiled.matches(str(tag)) for tag in image.tags)
            ]
        return self._reads[key]

    def images_of(self, repository: str) -> list[Image]:
        """Images with a tag or a digest in this repository, as ``docker images REPO`` lists them."""
        wanted = refs.normalise_repository(repository)
        return [image for image in self.images if wanted in image.repositories()]

    # --- containers -----------------------------------------------------------------
    def created_from(self, container: Container, reference: str) -> bool:
        """Whether a container was created from an image: by the typed reference, or by image ID.

        ``reference`` may be a pattern (``php:*-apache``): then an image with a matching tag, or
        a typed reference that matches, selects the container.
        """
        pattern = refs.pattern(reference)
        if pattern is not None:
            if any(container.image_id == image.id for image in self.images_matching(reference)):
                return True
        else:
            image = self.find_image(reference)
            if image is not None and container.image_id == image.id:
                return True
        typed = container.image
        if refs.id_prefix(typed) is not None and container.image_id.endswith(typed):
            # The list shows an ID when the typed reference no longer names this image.
            typed = self.created_with(container) or typed
        return pattern.matches(typed) if pattern is not None else _same_reference(typed, reference)

    def created_with(self, container: Container) -> str | None:
        """The reference typed at creation (the inspect's Config.Image)."""
        return ((self.read("inspect", container.id) or {}).get("Config") or {}).get("Image")


def _digest_match(ref: refs.Reference, image: Image) -> bool:
    return ref.digest is not None and any(d.repository == ref.repository and d.digest == ref.digest for d in image.digests)


def _same_reference(typed: str, wanted: str) -> bool:
    a, b = refs.try_parse(typed), refs.try_parse(wanted)
    return a is not None and a == b


class ShapeError(ValueError):
    """The daemon's JSON is valid but not shaped as the Engine API documents it: ``where`` (a JSON
    path in the answer) should hold ``expected`` (string, strings, number, boolean, list, object, objects, labels,
    port_key, port_text: each a ``shape.`` message)."""

    def __init__(self, where: str, expected: str):
        super().__init__(f"{where}: expected {expected}")
        self.where = where
        self.expected = expected


def _shaped(value, kind: type, where: str, expected: str):
    """``value`` when it is of ``kind``; a ShapeError otherwise. A bool is no number."""
    if isinstance(value, kind) and (kind is bool or not isinstance(value, bool)):
        return value
    raise ShapeError(where, expected)


def _optional(value, kind: type, where: str, expected: str):
    """``value`` of ``kind``, or None: a field dockerd may leave null, or out."""
    return None if value is None else _shaped(value, kind, where, expected)


def _key(parent: dict, key: str, where: str, kind: type, expected: str, null: bool = False):
    """``parent[key]``, a field the kinds index (``inspect["Config"]["Env"]``), as dockerd always sends
    it: of ``kind``, or null when ``null``; a ShapeError naming ``where.key`` when it is missing."""
    if key not in parent:
        raise ShapeError(f"{where}.{key}", expected)
    return (_optional if null else _shaped)(parent[key], kind, f"{where}.{key}", expected)


def _texts(value, where: str) -> list[str]:
    """A list of strings, or nothing (None)."""
    items = _optional(value, list, where, "strings") or []
    for index, item in enumerate(items):
        _shaped(item, str, f"{where}[{index}]", "string")
    return items


def _items(answer, where: str) -> list[dict]:
    """The answer to a list request: a list of objects."""
    items = _shaped(answer, list, where, "objects")
    for index, item in enumerate(items):
        _shaped(item, dict, f"{where}[{index}]", "object")
    return items


def images_from_api(answer) -> list[Image]:
    """GET /images/json, its shape checked: a ShapeError names the first field that is wrong."""
    return [image_from_api(item, f"$[{index}]") for index, item in enumerate(_items(answer, "$"))]


def containers_from_api(answer) -> list[Container]:
    """GET /containers/json?all=1, its shape checked: a ShapeError names the first field that is wrong."""
    return [container_from_api(item, f"$[{index}]") for index, item in enumerate(_items(answer, "$"))]


def container_inspect_shaped(answer) -> dict | None:
    """GET /containers/{id}/json, its shape checked where the kinds read it: what they index
    (``checks.kinds.container_config``, ``container_ports``...) must be there, as dockerd always
    sends it, so that an odd daemon's answer is a ShapeError here and never a KeyError in a kind.
    None (gone) stays None."""
    if _optional(answer, dict, "$", "object") is None:
        return None
    config = _key(answer, "Config", "$", dict, "object")
    for key in ("Env", "Cmd", "Entrypoint"):
        _texts(_key(config, key, "$.Config", list, "strings", null=True), f"$.Config.{key}")
    _key(config, "User", "$.Config", str, "string")
    _optional(config.get("Image"), str, "$.Config.Image", "string")
    for key in ("Tty", "OpenStdin"):
        _key(config, key, "$.Config", bool, "boolean")
    _optional(config.get("Healthcheck"), dict, "$.Config.Healthcheck", "object")
    host = _key(answer, "HostConfig", "$", dict, "object")
    policy = _key(host, "RestartPolicy", "$.HostConfig", dict, "object")
    _key(policy, "Name", "$.HostConfig.RestartPolicy", str, "string", null=True)
    _key(policy, "MaximumRetryCount", "$.HostConfig.RestartPolicy", int, "number")
    _port_bindings(_key(host, "PortBindings", "$.HostConfig", dict, "object", null=True) or {}, "$.HostConfig.PortBindings")
    state = _key(answer, "State", "$", dict, "object")
    _shaped(state.get("Health", {}), dict, "$.State.Health", "object")  # only with a healthcheck; never null
    for key in ("StartedAt", "FinishedAt"):
        _key(state, key, "$.State", str, "string")
    _key(answer, "RestartCount", "$", int, "number")
    _optional(answer.get("Mounts"), list, "$.Mounts", "list")
    settings = _optional(answer.get("NetworkSettings"), dict, "$.NetworkSettings", "object") or {}
    networks = _optional(settings.get("Networks"), dict, "$.NetworkSettings.Networks", "object") or {}
    for name, network in networks.items():
        where = f"$.NetworkSettings.Networks[{name!r}]"
        _texts((_optional(network, dict, where, "object") or {}).get("Aliases"), f"{where}.Aliases")
    return answer


def _port_bindings(bindings: dict, where: str) -> None:
    """HostConfig.PortBindings, as ``container_ports`` reads it: {"80/tcp": [{"HostIp": "", "HostPort": "8080"}]}."""
    for key, hosts in bindings.items():
        if not _PORT_KEY.fullmatch(key):
            raise ShapeError(f"{where}[{key!r}]", "port_key")
        for index, host in enumerate(_optional(hosts, list, f"{where}[{key!r}]", "objects") or ()):
            host = _shaped(host, dict, f"{where}[{key!r}][{index}]", "object")
            _key(host, "HostIp", f"{where}[{key!r}][{index}]", str, "string")
            if not _HOST_PORT.fullmatch(_key(host, "HostPort", f"{where}[{key!r}][{index}]", str, "port_text")):
                raise ShapeError(f"{where}[{key!r}][{index}].HostPort", "port_text")


def image_inspect_shaped(answer) -> dict | None:
    """GET /images/{id}/json, its shape checked where ``image_config`` reads it: Config's fields
    (a string Cmd would be compared letter by letter, a list WorkingDir a TypeError), Size, RootFS.
    None (gone) stays None."""
    if _optional(answer, dict, "$", "object") is None:
        return None
    _optional(answer.get("Size"), int, "$.Size", "number")
    config = _optional(answer.get("Config"), dict, "$.Config", "object") or {}
    for key in ("Cmd", "Entrypoint", "Env"):
        _texts(config.get(key), f"$.Config.{key}")
    for key in ("User", "WorkingDir"):
        _optional(config.get(key), str, f"$.Config.{key}", "string")
    _optional(config.get("ExposedPorts"), dict, "$.Config.ExposedPorts", "object")
    _labels(config.get("Labels"), "$.Config.Labels")
    healthcheck = _optional(config.get("Healthcheck"), dict, "$.Config.Healthcheck", "object") or {}
    _texts(healthcheck.get("Test"), "$.Config.Healthcheck.Test")
    rootfs = _optional(answer.get("RootFS"), dict, "$.RootFS", "object") or {}
    _texts(rootfs.get("Layers"), "$.RootFS.Layers")
    return answer


def history_shaped(answer) -> list | None:
    """GET /images/{id}/history, its shape checked where ``image_config`` reads it: a list of
    steps, each with a string Id (compared with image IDs) and CreatedBy. None (gone) stays None."""
    if answer is None:
        return None
    for index, step in enumerate(_items(answer, "$")):
        _key(step, "Id", f"$[{index}]", str, "string")
        _key(step, "CreatedBy", f"$[{index}]", str, "string")
    return answer


def volumes_shaped(answer) -> list:
    """GET /volumes, its shape checked where ``volumes`` reads it: its Volumes (dockerd may send
    null for none), each with a string Name; Driver and Labels as dockerd sends them."""
    answer = _shaped(answer, dict, "$", "object")
    volumes = _key(answer, "Volumes", "$", list, "objects", null=True) or []
    for index, volume in enumerate(_items(volumes, "$.Volumes")):
        where = f"$.Volumes[{index}]"
        _key(volume, "Name", where, str, "string")
        _optional(volume.get("Driver"), str, f"{where}.Driver", "string")
        _labels(volume.get("Labels"), f"{where}.Labels")
    return volumes


def networks_shaped(answer) -> list:
    """GET /networks, its shape checked where ``networks`` reads it: each network's Name and Id,
    Driver, and IPAM's Config (subnets, ranges and gateways, as strings)."""
    for index, network in enumerate(_items(answer, "$")):
        where = f"$[{index}]"
        _key(network, "Name", where, str, "string")
        _key(network, "Id", where, str, "string")
        _optional(network.get("Driver"), str, f"{where}.Driver", "string")
        ipam = _optional(network.get("IPAM"), dict, f"{where}.IPAM", "object") or {}
        configs = _optional(ipam.get("Config"), list, f"{where}.IPAM.Config", "objects") or []
        for number, config in enumerate(_items(configs, f"{where}.IPAM.Config")):
            for key in ("Subnet", "IPRange", "Gateway"):
                _optional(config.get(key), str, f"{where}.IPAM.Config[{number}].{key}", "string")
    return answer


def events_shaped(items: list) -> list[dict]:
    """GET /events' lines (one JSON value each, numbered from 0), their shape checked where
    ``checks.events.event_from_api`` reads them: an event it cannot read would be dropped, and a
    record that lacks an event says the student did not do it."""
    for index, event in enumerate(_items(items, "$")):
        where = f"$[{index}]"
        for key in ("Type", "Action"):
            _key(event, key, where, str, "string")
        _key(event, "timeNano", where, int, "number")
        actor = _key(event, "Actor", where, dict, "object")
        _key(actor, "ID", f"{where}.Actor", str, "string")
        _labels(actor.get("Attributes"), f"{where}.Actor.Attributes")
    return items


def _labels(value, where: str) -> dict:
    """Labels: an object of strings, or nothing (None)."""
    labels = _optional(value, dict, where, "labels") or {}
    for key, text in labels.items():
        _shaped(text, str, f"{where}[{key!r}]", "string")
    return labels


def image_from_api(item: dict, where: str = "$") -> Image:
    _shaped(item.get("Id"), str, f"{where}.Id", "string")
    tags = tuple(ref for ref in map(refs.try_parse, _texts(item.get("RepoTags"), f"{where}.RepoTags")) if ref is not None)
    digests = tuple(ref for ref in map(refs.try_parse, _texts(item.get("RepoDigests"), f"{where}.RepoDigests")) if ref is not None)
    size = item.get("Size")
    return Image(id=item["Id"], tags=tags, digests=digests, size=size if isinstance(size, int) and size >= 0 else None)


def container_from_api(item: dict, where: str = "$") -> Container:
    _shaped(item.get("Id"), str, f"{where}.Id", "string")
    for key in ("State", "Status", "Image", "ImageID"):
        _optional(item.get(key), str, f"{where}.{key}", "string")
    names = _texts(item.get("Names"), f"{where}.Names") or [""]
    labels = _labels(item.get("Labels"), f"{where}.Labels")
    ports = _optional(item.get("Ports"), list, f"{where}.Ports", "list") or ()
    mounts = _optional(item.get("Mounts"), list, f"{where}.Mounts", "list") or ()
    settings = _optional(item.get("NetworkSettings"), dict, f"{where}.NetworkSettings", "object") or {}
    networks = _optional(settings.get("Networks"), dict, f"{where}.NetworkSettings.Networks", "object") or {}
    for name, network in networks.items():
        network = _optional(network, dict, f"{where}.NetworkSettings.Networks[{name!r}]", "object") or {}
        _optional(network.get("NetworkID"), str, f"{where}.NetworkSettings.Networks[{name!r}].NetworkID", "string")
    state = item.get("State") or ""
    match = _EXITED.match(item.get("Status") or "")
    return Container(
        id=item["Id"],
        name=names[0].lstrip("/"),
        image=item.get("Image") or "",
        image_id=item.get("ImageID") or "",
        state=state,
        exit_code=int(match.group(1)) if match else None,
        labels=dict(labels),
        ports=tuple(_port(port, f"{where}.Ports[{index}]") for index, port in enumerate(ports)),
        mounts=tuple(_mount(mount, f"{where}.Mounts[{index}]") for index, mount in enumerate(mounts)),
        networks=tuple(sorted(networks)),
        network_ids=tuple((name, (network or {}).get("NetworkID") or "") for name, network in networks.items()),
        health=_health(item.get("Status") or ""),
        listed=item,
    )


def _port(item, where: str) -> Port:
    """An item of the list's Ports, with what ``container_ports`` indexes in a published one (IP, PublicPort...)."""
    _shaped(item, dict, where, "object")
    _key(item, "PrivatePort", where, int, "number")
    _key(item, "Type", where, str, "string")
    if "PublicPort" in item:  # published: dockerd gives the host's address too
        _key(item, "PublicPort", where, int, "number")
        _key(item, "IP", where, str, "string")
    else:
        _optional(item.get("IP"), str, f"{where}.IP", "string")
    return Port(item["PrivatePort"], item["Type"], item.get("IP") or "", item.get("PublicPort") or 0)


def _mount(item, where: str) -> Mount:
    """An item of the list's Mounts, with what ``container_listed`` indexes (Type, Source, Destination, RW; a volume's Name)."""
    _shaped(item, dict, where, "object")
    for key in ("Type", "Destination", "Source"):
        _key(item, key, where, str, "string")
    _key(item, "RW", where, bool, "boolean")
    if item["Type"] == "volume":  # a volume's source, as an exercise names it
        _key(item, "Name", where, str, "string")
    else:
        _optional(item.get("Name"), str, f"{where}.Name", "string")
    return Mount(item["Type"], item["Destination"], item.get("Name") or "", item["Source"])


def _health(status: str) -> str:
    match = _HEALTH.search(status)
    return match.group(1).removeprefix("health: ") if match else ""
