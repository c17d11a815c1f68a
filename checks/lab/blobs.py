"""An image as the lab pushes it to its registry: a config and layers, each a blob named by its
digest, and the manifest that lists them. Built from a recipe (checks.lab.images) or read from an
instructor's ``docker save`` archive (checks.lab.archives); its own module so that neither of those
imports the other.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from functools import cached_property

from checks import refs

MANIFEST_TYPE = "application/vnd.docker.distribution.manifest.v2+json"
CONFIG_TYPE = "application/vnd.docker.container.image.v1+json"
LAYER_TYPE = "application/vnd.docker.image.rootfs.diff.tar.gzip"


@dataclass(frozen=True)
class Blob:
    data: bytes
    media_type: str

    @cached_property
    def digest(self) -> str:
        """Hashed once per blob: a lab's start asks for it several times (store, manifests), of megabytes each."""
        return "sha256:" + hashlib.sha256(self.data).hexdigest()

    def descriptor(self) -> dict:
        return {"mediaType": self.media_type, "size": len(self.data), "digest": self.digest}


@dataclass(frozen=True)
class BuiltImage:
    reference: refs.Reference
    config: Blob
    layers: tuple[Blob, ...]

    @property
    def id(self) -> str:
        """The image ID dockerd shows: the digest of the config."""
        return self.config.digest

    @property
    def manifest(self) -> Blob:
        body = {
            "schemaVersion": 2,
            "mediaType": MANIFEST_TYPE,
            "config": self.config.descriptor(),
            "layers": [layer.descriptor() for layer in self.layers],
        }
        return Blob(canonical(body), MANIFEST_TYPE)


def canonical(value: object) -> bytes:
    """JSON as the registry stores it: sorted keys, no spaces (its digest is stable)."""
    return json.dumps(value, sort_keys=True, separators=(",", ":")).encode()
