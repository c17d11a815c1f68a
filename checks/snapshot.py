"""What the daemon holds, read once per run: images and containers as plain values.

A ``Snapshot`` comes from one list of containers (all=1) and one list of images.
What a check needs beyond that (a container's logs, the reference a container was
created with when the list no longer shows it) is asked of its ``source`` lazily,
once per object, so the number of requests depends on the checks, never on how
many unrelated objects the daemon holds.
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


class Source(Protocol):
    """Where lazy reads go: the daemon, or a test's stand-in."""

    def created_with(self, container_id: str) -> str | None: ...

    def logs_contain(self, container_id: str, text: str) -> bool: ...


@dataclass
class Snapshot:
    images: tuple[Image, ...]
    containers: tuple[Container, ...]
    source: Source | None = None
    _created_with: dict[str, str | None] = field(default_factory=dict, repr=False)
    _logs: dict[tuple[str, str], bool] = field(default_factory=dict, repr=False)
    _found: dict[str, Image | None] = field(default_factory=dict, repr=False)

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
        if container.id not in self._created_with:
            self._created_with[container.id] = self.source.created_with(container.id) if self.source else None
        return self._created_with[container.id]

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
