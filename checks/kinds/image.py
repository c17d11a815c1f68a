"""An image named by reference or ID is present (optionally pulled, or one of given IDs) or absent."""

from __future__ import annotations

from typing import Mapping

from checks import refs
from checks.kinds.fields import IMAGE_PATTERN
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
        "image": IMAGE_PATTERN,
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
    # A pattern may name several images: the check passes when one of them does.
    found = snapshot.images_matching(wanted) if refs.is_pattern(wanted) else [snapshot.find_image(wanted)]
    found = [image for image in found if image is not None]
    if spec.get("state") == "absent":
        if not found:
            return Result(True, msg("image.missing", ref=wanted))
        return Result(False, msg("image.found", ref=wanted, id=found[0].short_id))
    if not found:
        return Result(False, msg("image.missing", ref=wanted))
    results = [_judge(spec, wanted, image) for image in found]
    return next((result for result in results if result.passed), results[0])


def _judge(spec: Mapping, wanted: str, image: Image) -> Result:
    if spec.get("pulled"):
        repositories = _repositories(wanted, image)
        pulled_from = {digest.repository for digest in image.digests}
        if (not repositories and not pulled_from) or (repositories and not repositories & pulled_from):
            shown = ", ".join(sorted(map(refs.familiar_repository, repositories))) if repositories else wanted
            return Result(False, msg("image.not_pulled", ref=wanted, id=image.short_id, repository=shown))
    if spec.get("ids") and not _accepted(image, spec["ids"]):
        return Result(False, msg("image.unexpected_id", ref=wanted, id=image.short_id, accepted=", ".join(spec["ids"])))
    return Result(True, msg("image.found", ref=wanted, id=image.short_id))


def _repositories(wanted: str, image: Image) -> set[str]:
    """The repositories a name or pattern found the image by; empty when an ID prefix found it (any pull counts then)."""
    pattern = refs.pattern(wanted)
    if pattern is not None:
        return {tag.repository for tag in image.tags if pattern.matches(str(tag))}
    reference = refs.try_parse(wanted)
    if reference is None or reference.repository not in image.repositories():
        return set()
    return {reference.repository}


def _accepted(image: Image, ids: list[str]) -> bool:
    own = [image.id.removeprefix("sha256:")] + [d.digest.removeprefix("sha256:") for d in image.digests if d.digest]
    return any(value.startswith(accepted.removeprefix("sha256:")) for accepted in ids for value in own)
