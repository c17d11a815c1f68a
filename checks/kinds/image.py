"""An image named by reference or ID is present (optionally pulled, or one of given IDs) or absent."""

from __future__ import annotations

from typing import Mapping

from checks import refs
from checks.kinds.fields import IMAGE
from checks.messages import msg, register
from checks.results import Result
from checks.snapshot import Image, Snapshot

# What this kind tells the student it found, in pt-BR and en.
MESSAGES = {
    "image.found": {
        "pt-BR": "a imagem {ref} está presente (ID {id})",
        "en": "image {ref} is present (ID {id})",
    },
    "image.missing": {
        "pt-BR": "a imagem {ref} não está presente",
        "en": "image {ref} is not present",
    },
    "image.not_pulled": {
        "pt-BR": "a imagem {ref} está presente (ID {id}), mas não foi baixada de {repository}: ela não tem digest desse repositório",
        "en": "image {ref} is present (ID {id}) but was not pulled from {repository}: it carries no digest of that repository",
    },
    "image.unexpected_id": {
        "pt-BR": "a imagem {ref} está presente, mas o ID {id} não é um dos aceitos ({accepted})",
        "en": "image {ref} is present, but its ID {id} is not one of the accepted ones ({accepted})",
    },
}
register(MESSAGES)


# Lazy reads beyond the two lists every snapshot has (one request per container read): the image list is all it needs.
READS: tuple[str, ...] = ()

SCHEMA = {
    "properties": {
        "image": IMAGE,
        "state": {
            "enum": ["present", "absent"],
            "default": "present",
            "description": "Whether the image must be on the daemon (present) or not (absent).",
        },
        "pulled": {
            "type": "boolean",
            "description": "The image must carry a digest of the same repository, as a pull leaves it: "
            "`docker tag hello-world alpine:3.14` is not a pull of alpine.",
        },
        "ids": {
            "type": "array",
            "minItems": 1,
            "items": {"type": "string", "pattern": "^(sha256:)?[0-9a-f]{12,64}$"},
            "description": "Accepted image IDs or manifest digests (full or 12+ digit prefixes).",
            "examples": [["sha256:e04c818066afe78a0c9379f62ec65aece28566024fd348242de92760293454b8"]],
        },
    },
    "required": ["image"],
}


def evaluate(spec: Mapping, snapshot: Snapshot) -> Result:
    wanted = spec["image"]
    image = snapshot.find_image(wanted)
    if spec.get("state") == "absent":
        if image is None:
            return Result(True, msg("image.missing", ref=wanted))
        return Result(False, msg("image.found", ref=wanted, id=image.short_id))
    if image is None:
        return Result(False, msg("image.missing", ref=wanted))
    if spec.get("pulled"):
        repository = _repository(wanted, image)
        pulled_from = {digest.repository for digest in image.digests}
        if (repository is None and not pulled_from) or (repository is not None and repository not in pulled_from):
            shown = refs.familiar_repository(repository) if repository else wanted
            return Result(False, msg("image.not_pulled", ref=wanted, id=image.short_id, repository=shown))
    if spec.get("ids") and not _accepted(image, spec["ids"]):
        return Result(False, msg("image.unexpected_id", ref=wanted, id=image.short_id, accepted=", ".join(spec["ids"])))
    return Result(True, msg("image.found", ref=wanted, id=image.short_id))


def _repository(wanted: str, image: Image) -> str | None:
    """The repository a name found the image by; None when an ID prefix found it (any pull counts then)."""
    reference = refs.try_parse(wanted)
    if reference is None or reference.repository not in image.repositories():
        return None
    return reference.repository


def _accepted(image: Image, ids: list[str]) -> bool:
    own = [image.id.removeprefix("sha256:")] + [d.digest.removeprefix("sha256:") for d in image.digests if d.digest]
    return any(value.startswith(accepted.removeprefix("sha256:")) for accepted in ids for value in own)
