"""The shape of a container check's keys: each one a ``Judge``, its schema fragment and how it is
judged on one container (``checks.kinds.container`` asks each key of the check in turn).

A judge is ``judge(wanted, container, snapshot)``: None when the container is as wanted, else
``(expected, found)`` as the student reads them. It reads the container list's item for free, and
the container's inspect (one request, cached) through ``inspected``, which raises ``Gone`` when the
container was removed since the list.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Mapping

from checks.messages import msg, register
from checks.snapshot import Container, Snapshot

# The words every judge may answer with, registered here where the judges import them.
MESSAGES = {
    "container.unset": {"pt-BR": "não definida", "en": "not set"},
    "container.yes": {"pt-BR": "sim", "en": "yes"},
    "container.no": {"pt-BR": "não", "en": "no"},
}
register(MESSAGES)


@dataclass(frozen=True)
class Judge:
    schema: Mapping  # the key's JSON Schema fragment
    judge: Callable[[Any, Container, Snapshot], tuple | None]


class Gone(Exception):
    """The container was removed between the list and its inspect."""


def inspected(container: Container, snapshot: Snapshot) -> dict:
    """The container's inspect (the "inspect" read); Gone when it is no more."""
    answer = snapshot.read("inspect", container.id) or {}
    if not answer:
        raise Gone
    return answer


def flag(value: bool):
    return msg("container.yes") if value else msg("container.no")


def differs(expected, found, ok: bool):
    return None if ok else (expected, found)
