"""What the daemon holds, read once per run: images and containers as plain values.

A ``Snapshot`` comes from one list of containers (all=1) and one list of images.
What a check needs beyond that is asked of its ``source`` lazily, once per object and
cached: a container's inspect or logs, an image's inspect or history, a file from a
container's filesystem, the volume list, the network list. So the number of requests
depends on the checks, never on how many unrelated objects the daemon holds. Each
kind declares in ``READS`` which of these reads it may ask for (names below).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Iterable, Protocol

from checks import refs

_EXITED = re.compile(r"Exited \((-?\d+)\)")


@dataclass(frozen=True)
class Image:
    id: str
    tags: tuple[refs.Reference, ...] = ()
    digests: tuple[refs.Reference, ...] = ()

    @property
    def short_id(self) -> str:
        return self.id.removeprefix("sha256:")[:12]

    def repositories(self) -> set[str]:
        return {ref.repository for ref in self.tags + self.digests}


@dataclass(frozen=True)
class Container:
    id: str
    name: str
    image: str  # as the list shows it: the reference typed at creation, or an image ID
    image_id: str
    state: str  # created, running, paused, restarting, removing, exited, dead
    exit_code: int | None = None

    @property
    def short_id(self) -> str:
        return self.id[:12]


@dataclass(frozen=True)
class FileRead:
    """A path read from a container's filesystem (GET /containers/{id}/archive).

    ``kind`` is "file", "dir", "symlink" or "other"; ``target`` a symlink's target;
    ``content`` at most ``Source.FILE_LIMIT`` bytes of a regular file, ``truncated`` when
    there was more.
    """

    path: str
    kind: str
    size: int = 0
    mode: int = 0
    target: str = ""
    content: bytes = b""
    truncated: bool = False


# The lazy reads, by the name a kind lists in READS; each is one GET request when first asked.
READ_NAMES = ("inspect", "logs", "image_inspect", "history", "archive", "volumes", "networks", "events")


class Source(Protocol):
    """Where lazy reads go: the daemon, or a test's stand-in. None/empty when the object is gone."""

    def inspect_container(self, container_id: str) -> dict | None: ...  # "inspect"

    def logs_contain(self, container_id: str, text: str) -> bool: ...  # "logs"

    def inspect_image(self, image_id: str) -> dict | None: ...  # "image_inspect"

    def image_history(self, image_id: str) -> list | None: ...  # "history"

    def read_path(self, container_id: str, path: str) -> FileRead | None: ...  # "archive"

    def volumes(self) -> list: ...  # "volumes": GET /volumes, Volumes

    def networks(self) -> list: ...  # "networks": GET /networks

    def events(self): ...  # "events": checks.events.EventLog, None without a record (GET /events)


@dataclass
class Snapshot:
    images: tuple[Image, ...]
    containers: tuple[Container, ...]
    source: Source | None = None
    _reads: dict[tuple, object] = field(default_factory=dict, repr=False)
    _logs: dict[tuple[str, str], bool] = field(default_factory=dict, repr=False)
    _found: dict[str, Image | None] = field(default_factory=dict, repr=False)
    # In `run`: the exercise's command lines as they ran (results.CommandRun), filled by the runner.
    # None under `check`, where no command of the student's is known.
    commands: tuple | None = None

    @classmethod
    def from_api(cls, images: Iterable[dict], containers: Iterable[dict], **kwargs) -> "Snapshot":
        """Builds a snapshot from the JSON of GET /images/json and GET /containers/json?all=1."""
        return cls(
            tuple(image_from_api(item) for item in images),
            tuple(container_from_api(item) for item in containers),
            **kwargs,
        )

    # --- images ---------------------------------------------------------------------
    def find_image(self, reference: str) -> Image | None:
        """The image a reference names, as the daemon resolves it: by name, then by ID prefix."""
        if reference not in self._found:  # a selector asks once per container: resolve it once
            self._found[reference] = self._resolve(reference)
        return self._found[reference]

    def _resolve(self, reference: str) -> Image | None:
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

    def images_of(self, repository: str) -> list[Image]:
        """Images with a tag or a digest in this repository, as ``docker images REPO`` lists them."""
        wanted = refs.normalise_repository(repository)
        return [image for image in self.images if wanted in image.repositories()]

    # --- containers -----------------------------------------------------------------
    def created_from(self, container: Container, reference: str) -> bool:
        """Whether a container was created from an image: by the typed reference, or by image ID."""
        image = self.find_image(reference)
        if image is not None and container.image_id == image.id:
            return True
        typed = container.image
        if refs.id_prefix(typed) is not None and container.image_id.endswith(typed):
            # The list shows an ID when the typed reference no longer names this image.
            typed = self.created_with(container) or typed
        return _same_reference(typed, reference)

    def created_with(self, container: Container) -> str | None:
        """The reference typed at creation (the inspect's Config.Image)."""
        return (self.inspect(container).get("Config") or {}).get("Image")

    def _read(self, name: str, *args, empty=None):
        """One lazy read, asked of the source once per run and cached; ``empty`` without a source."""
        key = (name, *args)
        if key not in self._reads:
            answer = getattr(self.source, name)(*args) if self.source else None
            self._reads[key] = empty if answer is None else answer
        return self._reads[key]

    def inspect(self, container: Container) -> dict:
        """GET /containers/{id}/json; {} when the container is gone."""
        return self._read("inspect_container", container.id, empty={})

    def image_inspect(self, image: Image) -> dict:
        """GET /images/{id}/json; {} when the image is gone."""
        return self._read("inspect_image", image.id, empty={})

    def history(self, image: Image) -> list:
        """GET /images/{id}/history: the layers, newest first; [] when the image is gone."""
        return self._read("image_history", image.id, empty=[])

    def read_path(self, container: Container, path: str) -> FileRead | None:
        """A path in a container's filesystem, without following a final symlink; None if absent."""
        return self._read("read_path", container.id, path)

    def volumes(self) -> list:
        return self._read("volumes", empty=[])

    def networks(self) -> list:
        return self._read("networks", empty=[])

    def events(self):
        """What the daemon saw happen (a ``checks.events.EventLog``); None when there is no record:
        ``check`` on a daemon without ``docker-grader start``."""
        return self._read("events")

    def logs_contain(self, container: Container, text: str) -> bool:
        key = (container.id, text)
        if key not in self._logs:
            self._logs[key] = bool(self.source and self.source.logs_contain(container.id, text))
        return self._logs[key]


def _digest_match(ref: refs.Reference, image: Image) -> bool:
    return ref.digest is not None and any(d.repository == ref.repository and d.digest == ref.digest for d in image.digests)


def _same_reference(typed: str, wanted: str) -> bool:
    a, b = refs.try_parse(typed), refs.try_parse(wanted)
    return a is not None and a == b


def image_from_api(item: dict) -> Image:
    tags = tuple(ref for ref in map(refs.try_parse, item.get("RepoTags") or ()) if ref is not None)
    digests = tuple(ref for ref in map(refs.try_parse, item.get("RepoDigests") or ()) if ref is not None)
    return Image(id=item["Id"], tags=tags, digests=digests)


def container_from_api(item: dict) -> Container:
    names = item.get("Names") or [""]
    state = item.get("State") or ""
    match = _EXITED.match(item.get("Status") or "")
    return Container(
        id=item["Id"],
        name=names[0].lstrip("/"),
        image=item.get("Image") or "",
        image_id=item.get("ImageID") or "",
        state=state,
        exit_code=int(match.group(1)) if match else None,
    )
