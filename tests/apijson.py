"""Hand-built Engine API JSON and a stand-in ``Source``, for tests that need no daemon.

``image_json`` and ``container_json`` return one item of ``GET /images/json`` and
``GET /containers/json?all=1`` as dockerd sends them; ``FakeSource`` provides the lazy reads
(an inspect's ``Config.Image``, whether logs hold a text...) and records each one asked.
"""

from __future__ import annotations

from checks.snapshot import HttpProbe, Snapshot, Source


def image_id(hex_digit_pair: str) -> str:
    """A full image ID from a two-character pattern: ``image_id("ab")`` is ``sha256:abab...``."""
    return "sha256:" + hex_digit_pair * 32


def digest(hex_digit: str) -> str:
    return "sha256:" + hex_digit * 64


def image_json(id_: str, tags=(), digests=()) -> dict:
    """An item of GET /images/json; an untagged image has RepoTags ``["<none>:<none>"]`` or null."""
    return {
        "Id": id_,
        "ParentId": "",
        "RepoTags": list(tags) if tags is not None else None,
        "RepoDigests": list(digests) if digests is not None else None,
        "Created": 1630084785,
        "Size": 5_600_000,
        "SharedSize": -1,
        "Labels": None,
        "Containers": -1,
    }


def container_json(id_: str, name: str, image: str, image_id_: str, state: str = "exited", status: str = "Exited (0) 2 seconds ago") -> dict:
    """An item of GET /containers/json?all=1: names come with a leading ``/``."""
    return {
        "Id": id_,
        "Names": [f"/{name}"],
        "Image": image,
        "ImageID": image_id_,
        "Command": "/hello",
        "Created": 1630084800,
        "Ports": [],
        "Labels": {},
        "State": state,
        "Status": status,
        "HostConfig": {"NetworkMode": "none"},
        "Mounts": [],
    }


class FakeSource(Source):
    """The lazy reads of a snapshot as providers by read name (``checks.reads``): ``created_with[id]``
    and ``logs[id]``, and whole answers a test sets. ``calls`` records each read of its own asked, as
    ``(name, *args)``; ``asked`` every read asked, those it has no provider for too (the reads only
    a run answers, ``checks.reads.RUN``, unless a test gives one: answered None, as any source does)."""

    def __init__(self, created_with: dict[str, str | None] | None = None, logs: dict[str, str] | None = None):
        self._created_with = created_with or {}
        self._logs = logs or {}
        self.calls: list[tuple[str, ...]] = []
        self.asked: list[tuple[str, ...]] = []
        # Whole answers for the other lazy reads, set by a test as it needs them.
        self.inspected: dict[str, dict] = {}  # container id -> GET /containers/{id}/json
        self.images: dict[str, dict] = {}  # image id -> GET /images/{id}/json
        self.histories: dict[str, list] = {}  # image id -> GET /images/{id}/history
        self.files: dict[tuple[str, str], object] = {}  # (container id, path) -> FileRead
        self.volume_list: list[dict] = []
        self.network_list: list[dict] = []
        self.event_log = None  # checks.events.EventLog, or None: no record of events
        self.answers: dict[tuple[int, str], HttpProbe] = {}  # (host port, path) -> what GETs there got
        super().__init__({
            "inspect": self._inspect, "image_inspect": lambda image_id: self.images.get(image_id),
            "history": lambda image_id: self.histories.get(image_id), "archive": lambda cid, path: self.files.get((cid, path)),
            "file_sha256": self._file_sha256, "volumes": lambda: list(self.volume_list), "networks": lambda: list(self.network_list),
            "events": lambda: self.event_log, "http": self._http, "logs": lambda cid, text: text in self._logs.get(cid, ""),
        })
        self._own = frozenset(self.providers)
        self.providers = dict(self.providers)  # a test may set one of its own: source.providers["provenance"] = ...

    def answer(self, name: str, *args):
        self.asked.append((name, *args))
        if name in self._own:
            self.calls.append((name, *args))
        return super().answer(name, *args)

    def _inspect(self, container_id: str) -> dict | None:
        if container_id in self.inspected:
            return self.inspected[container_id]
        if container_id in self._created_with:
            return {"Id": container_id, "Config": {"Image": self._created_with[container_id]}}
        return None

    def _file_sha256(self, container_id: str, path: str) -> str | None:
        read = self.files.get((container_id, path))
        if read is None or read.kind != "file":
            return None
        import hashlib

        return "" if read.size > 64 * 1024 * 1024 else hashlib.sha256(read.content).hexdigest()

    def _http(self, host_port: int, path: str, attempts: int) -> HttpProbe:
        return self.answers.get((host_port, path)) or HttpProbe((f"GET http://127.0.0.1:{host_port}{path} → connection refused",) * attempts)


def snapshot(images=(), containers=(), source: FakeSource | None = None) -> Snapshot:
    return Snapshot.from_api(list(images), list(containers), source=source)
