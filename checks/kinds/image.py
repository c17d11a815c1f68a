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
    "image.tagged_not_pulled": {
        "pt-BR": "a imagem {ref} (ID {id}) foi feita por `docker tag` ({tag}), não baixada: o daemon não viu um pull de {ref}",
        "en": "image {ref} (ID {id}) was made by `docker tag` ({tag}), not pulled: the daemon saw no pull of {ref}",
    },
    "image.unexpected_id": {
        "pt-BR": "a imagem {ref} está presente, mas o ID {id} não é um dos aceitos ({accepted})",
        "en": "image {ref} is present, but its ID {id} is not one of the accepted ones ({accepted})",
    },
}
register(MESSAGES)


# Lazy reads beyond the two lists every snapshot has: for `pulled`, the record of events where there is one
# (a digest belongs to a repository, not to a tag: only the record tells `docker tag debian:11 debian:slim` from a pull).
READS: tuple[str, ...] = ("events",)

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
            "`docker tag hello-world alpine:3.14` is not a pull of alpine. Where the daemon's events are recorded "
            "(`run`, or `check` after `docker-grader start`), a reference that a `docker tag` made and no pull "
            "fetched since is not pulled either: `docker pull debian:11` then `docker tag debian:11 debian:stable-slim` "
            "is no pull of debian:stable-slim.",
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
    results = [_judge(spec, wanted, image, snapshot) for image in found]
    return next((result for result in results if result.passed), results[0])


def _judge(spec: Mapping, wanted: str, image: Image, snapshot: Snapshot) -> Result:
    if spec.get("pulled"):
        repositories = _repositories(wanted, image)
        pulled_from = {digest.repository for digest in image.digests}
        if (not repositories and not pulled_from) or (repositories and not repositories & pulled_from):
            shown = ", ".join(sorted(map(refs.familiar_repository, repositories))) if repositories else wanted
            return Result(False, msg("image.not_pulled", ref=wanted, id=image.short_id, repository=shown))
        tag = _tagged_since_pull(wanted, image, snapshot)
        if tag is not None:
            return Result(False, msg("image.tagged_not_pulled", ref=wanted, id=image.short_id, tag=tag))
    if spec.get("ids") and not _accepted(image, spec["ids"]):
        return Result(False, msg("image.unexpected_id", ref=wanted, id=image.short_id, accepted=", ".join(spec["ids"])))
    return Result(True, msg("image.found", ref=wanted, id=image.short_id))


def _tagged_since_pull(wanted: str, image: Image, snapshot: Snapshot) -> str | None:
    """The `tag` event that made the wanted reference, when no pull of it came after; None
    without a record (the digest is then all there is) or when a pull fetched it."""
    if not image.tags:
        return None
    record = snapshot.read("events")
    if record is None:
        return None
    pattern = refs.pattern(wanted)
    names = {str(tag) for tag in image.tags if (pattern.matches(str(tag)) if pattern else str(tag) == str(refs.try_parse(wanted)))}
    made = None
    for event in record.events:
        if event.type != "image":
            continue
        reference = refs.try_parse(event.name if event.action == "tag" else event.id)
        if reference is None or str(reference) not in names:
            continue
        if event.action == "tag":
            made = f"tag {reference.familiar}"
        elif event.action == "pull":
            made = None
    return made


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
