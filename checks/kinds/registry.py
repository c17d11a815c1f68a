"""An image was pushed to a registry, with a tag: `docker push user/app:1`, as the daemon saw it.

Read from the record of events (``checks.events``: a push event names the reference pushed). In a
lab, a Docker Hub name is pushed to the lab's own registry (``checks.hub``), and counts as pushed
under its Docker Hub name. Without a record (``check`` without ``docker-grader start``), or with a
gap in it, the check is unknown: it cannot pass, and its points leave the total.
"""

from __future__ import annotations

from typing import Mapping

from checks import hub, refs
from checks.events import BUFFER, MAX_RECORDED
import checks.kinds.events  # noqa: F401 - says events.no_record and events.gap*: their owner registers them
from checks.kinds.fields import listing
from checks.messages import msg, register
from checks.results import Result
from checks.snapshot import Snapshot

MESSAGES = {
    "registry.pushed": {"pt-BR": "{image} foi enviada (docker push)", "en": "{image} was pushed (docker push)"},
    "registry.not_pushed": {
        "pt-BR": "{image} não foi enviada (docker push); enviadas: {pushed}",
        "en": "{image} was not pushed (docker push); pushed: {pushed}",
    },
}
register(MESSAGES)

READS: tuple[str, ...] = ("events",)

SCHEMA = {
    "properties": {
        "pushed": {
            "type": "string",
            "format": "docker-image",
            "description": "The reference pushed, as on the docker CLI: a Docker Hub name (user/app:1; in a lab, "
            "kept in the lab's own registry) or one with its registry. Without a tag, `latest`, as `docker push` does.",
            "examples": ["student/app:1", "localhost:5000/app:2"],
        },
    },
    "required": ["pushed"],
}


def evaluate(spec: Mapping, snapshot: Snapshot) -> Result:
    log = snapshot.read("events")
    if log is None:
        return Result(False, msg("events.no_record"), unknown=True)
    if not log.complete and log.origin == "run":
        return Result(False, msg("events.gap_run", limit=MAX_RECORDED), unknown=True)
    if not log.complete:
        return Result(False, msg("events.gap", limit=BUFFER), unknown=True)
    wanted = refs.parse(spec["pushed"])
    pushed = [reference for reference in map(_pushed, log.events) if reference is not None]
    if wanted in pushed:
        return Result(True, msg("registry.pushed", image=wanted.familiar))
    return Result(False, msg("registry.not_pushed", image=wanted.familiar, pushed=listing(sorted({r.familiar for r in pushed}))))


def _pushed(event) -> refs.Reference | None:
    """The reference a push event names, under its Docker Hub name when it went to the lab's registry."""
    if event.type != "image" or event.action != "push":
        return None
    reference = refs.try_parse(event.id)
    return hub.as_hub(reference) if reference is not None else None
