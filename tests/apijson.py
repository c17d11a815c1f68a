"""Hand-built Engine API JSON and a stand-in ``Source``, for tests that need no daemon.

``image_json`` and ``container_json`` return one item of ``GET /images/json`` and
``GET /containers/json?all=1`` as dockerd sends them; ``FakeSource`` answers the lazy reads
(an inspect's ``Config.Image``, whether logs hold a text) and records each one.
"""

from __future__ import annotations

from checks.snapshot import HttpProbe, Snapshot


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


class FakeSource:
    """The lazy reads of a snapshot: ``created_with[id]`` and ``logs[id]``, each call recorded."""

    def __init__(self, created_with: dict[str, str | None] | None = None, logs: dict[str, str] | None = None):
        self._created_with = created_with or {}
        self._logs = logs or {}
        self.calls: list[tuple[str, ...]] = []
        # Whole answers for the other lazy reads, set by a test as it needs them.
        self.inspected: dict[str, dict] = {}  # container id -> GET /containers/{id}/json
        self.images: dict[str, dict] = {}  # image id -> GET /images/{id}/json
        self.histories: dict[str, list] = {}  # image id -> GET /images/{id}/history
        self.files: dict[tuple[str, str], object] = {}  # (container id, path) -> FileRead
        self.volume_list: list[dict] = []
        self.network_list: list[dict] = []
        self.event_log = None  # checks.events.EventLog, or None: no record of events
        self.answers: dict[tuple[int, str], HttpProbe] = {}  # (host port, path) -> what GETs there got

    def inspect_container(self, container_id: str) -> dict | None:
        self.calls.append(("inspect", container_id))
        if container_id in self.inspected:
            return self.inspected[container_id]
        if container_id in self._created_with:
            return {"Id": container_id, "Config": {"Image": self._created_with[container_id]}}
        return None

    def inspect_image(self, image_id: str) -> dict | None:
        self.calls.append(("image_inspect", image_id))
        return self.images.get(image_id)

    def image_history(self, image_id: str) -> list | None:
        self.calls.append(("history", image_id))
        return self.histories.get(image_id)

    def read_path(self, container_id: str, path: str):
        self.calls.append(("archive", container_id, path))
        return self.files.get((container_id, path))

    def file_sha256(self, container_id: str, path: str) -> str | None:
        self.calls.append(("file_sha256", container_id, path))
        read = self.files.get((container_id, path))
        if read is None or read.kind != "file":
            return None
        import hashlib

        return "" if read.size > 64 * 1024 * 1024 else hashlib.sha256(read.content).hexdigest()

    def volumes(self) -> list:
        self.calls.append(("volumes",))
        return list(self.volume_list)

    def networks(self) -> list:
        self.calls.append(("networks",))
        return list(self.network_list)

    def events(self):
        self.calls.append(("events",))
        return self.event_log

    def http_probe(self, host_port: int, path: str, attempts: int):
        self.calls.append(("http", host_port, path, attempts))
        return self.answers.get((host_port, path)) or HttpProbe((f"GET http://127.0.0.1:{host_port}{path} → connection refused",) * attempts)

    def logs_contain(self, container_id: str, text: str) -> bool:
        self.calls.append(("logs", container_id, text))
        return text in self._logs.get(container_id, "")


def snapshot(images=(), containers=(), source: FakeSource | None = None) -> Snapshot:
    return Snapshot.from_api(list(images), list(containers), source=source)
