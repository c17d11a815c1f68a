"""How many images a repository has on the daemon, as ``docker images REPOSITORY`` lists them."""

from __future__ import annotations

from typing import Mapping

from checks.kinds.fields import COUNT, REPOSITORY, count_ok, describe_count, listing
from checks.messages import msg, register
from checks.results import Result
from checks.snapshot import Snapshot

# What this kind tells the student it found, in pt-BR and en.
MESSAGES = {
    "image_count.found": {
        "pt-BR": "{count} imagem(ns) do repositório {repository} ({expected}): {ids}",
        "en": "{count} image(s) of repository {repository} ({expected}): {ids}",
    },
}
register(MESSAGES)


# Lazy reads beyond the two lists every snapshot has (one request per container read): the image list is all it needs.
READS: tuple[str, ...] = ()

SCHEMA = {
    "properties": {"repository": REPOSITORY, "count": COUNT},
    "required": ["repository", "count"],
}


def evaluate(spec: Mapping, snapshot: Snapshot) -> Result:
    images = snapshot.images_of(spec["repository"])
    found = msg(
        "image_count.found",
        count=len(images),
        repository=spec["repository"],
        ids=listing([image.short_id for image in images]),
        expected=describe_count(spec["count"]),
    )
    return Result(count_ok(spec["count"], len(images)), found)
