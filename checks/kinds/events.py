"""What the daemon saw the student do: which actions happened to which objects, how many times,
in what order, and that some did not happen, from its event stream (``checks.events``).

There is a record in ``run`` (the lab's whole stream) and in ``check`` after ``docker-grader
start``. Without one, ``without_events`` grades the state instead (a check of another kind);
without that either, or when the record has a gap, the check is unknown: it cannot pass, and its
points leave the total rather than count against the student.
"""

from __future__ import annotations

from typing import Mapping

from checks import refs
from checks.events import BUFFER, MAX_RECORDED
from checks.kinds.fields import COUNT, IMAGE, count_ok, describe_count, listing
from checks.messages import Message, msg, register
from checks.results import Result
from checks.reads import NAMES as READ_NAMES
from checks.snapshot import Snapshot

MESSAGES = {
    "events.ok": {
        "pt-BR": "o Docker viu: {seen}",
        "en": "the daemon saw: {seen}",
    },
    "events.count": {
        "pt-BR": "o Docker viu {action} {object} {count} vez(es) ({expected}); tudo o que viu {object}: {seen}",
        "en": "the daemon saw {action} {object} {count} time(s) ({expected}); all it saw {object}: {seen}",
    },
    "events.never": {
        "pt-BR": "o Docker não viu {action} {object} ({expected}); tudo o que viu {object}: {seen}",
        "en": "the daemon saw no {action} {object} ({expected}); all it saw {object}: {seen}",
    },
    "events.order": {
        "pt-BR": "o Docker não viu {wanted} nesta ordem; viu: {seen}",
        "en": "the daemon did not see {wanted} in this order; it saw: {seen}",
    },
    "events.gap": {
        "pt-BR": "não dá para saber: o Docker guarda só os últimos {limit} eventos, e alguns desde "
        "`docker-grader start` já se perderam; rode `docker-grader start` de novo e refaça o exercício",
        "en": "cannot tell: the daemon keeps only its last {limit} events, and some since `docker-grader start` "
        "are gone; run `docker-grader start` again and redo the exercise",
    },
    "events.gap_run": {
        "pt-BR": "não dá para saber: o registro dos eventos do laboratório ficou incompleto (mais de {limit} eventos, "
        "ou o fluxo de eventos parou)",
        "en": "cannot tell: the record of the lab's events is incomplete (more than {limit} events, or the event "
        "stream stopped)",
    },
    "events.no_record": {
        "pt-BR": "não dá para saber: não há registro dos eventos; rode `docker-grader start` antes do exercício",
        "en": "cannot tell: there is no record of events; run `docker-grader start` before the exercise",
    },
    "events.object_image": {"pt-BR": "da imagem {value}", "en": "of image {value}"},
    "events.object_containers_of": {"pt-BR": "de container(s) da imagem {value}", "en": "of container(s) from image {value}"},
    "events.object_container": {"pt-BR": "do container {value}", "en": "of container {value}"},
    "events.object_any": {"pt-BR": "em qualquer objeto", "en": "on any object"},
}
register(MESSAGES)

IMAGE_ACTIONS = ["pull", "push", "tag", "untag", "delete", "import", "load", "save"]
CONTAINER_ACTIONS = [
    "create", "start", "restart", "attach", "die", "kill", "stop", "pause", "unpause", "rename",
    "destroy", "exec_create", "exec_start", "exec_die", "commit", "copy", "export", "oom",
]

# "events": the record of what happened, one GET for the whole grading (checks.events); and what
# the kind of its without_events check reads, when there is no record.
READS: tuple[str, ...] = READ_NAMES

# What the grader asks of a kind beyond grading it (defaults: GRADED_ON_STATE True, NEEDS_START
# False; and stand_in, below). An events check grades what the daemon saw happen: it cannot stand for one without a
# record itself (no `without_events` of this kind), and `check` without `docker-grader start` says
# that it cannot grade it (checks.baseline.notes).
GRADED_ON_STATE = False
NEEDS_START = True

SCHEMA = {
    "properties": {
        "expect": {
            "type": "array",
            "minItems": 1,
            "maxItems": 20,
            "description": "What the daemon must have seen: each item an action on the objects it selects, and how many times.",
            "items": {
                "type": "object",
                "properties": {
                    "action": {
                        "enum": IMAGE_ACTIONS + CONTAINER_ACTIONS,
                        "description": "The event's action, as `docker events` shows it (pull, tag, create, start, die, destroy, ...).",
                        "examples": ["pull", "start"],
                    },
                    "image": {
                        **IMAGE,
                        "description": "Only events about this image: pulled or tagged as this reference, or "
                        "(container actions) containers created from it.",
                    },
                    "container": {
                        "type": "string",
                        "minLength": 1,
                        "maxLength": 200,
                        "description": "Only events of the container with this name (the name it had then).",
                        "examples": ["web"],
                    },
                    "count": {**COUNT, "description": "How many times: a number or {min, max}; 0 = it must not have happened. Default: at least once."},
                },
                "required": ["action"],
                "additionalProperties": False,
            },
            "examples": [[{"action": "pull", "image": "alpine:3.14"}], [{"action": "create", "container": "web", "count": 1}, {"action": "start", "container": "web", "count": {"min": 2}}]],
        },
        "in_order": {
            "type": "boolean",
            "default": False,
            "description": "The expected actions (those not counted 0) happened in the order listed: stop, then destroy.",
        },
        "without_events": {
            "$ref": "#/$defs/state_check",
            "description": "How to grade without a record of events (`check` without `docker-grader start`): "
            "the keys of a check of another kind, graded on the state. Without it, the check is unknown there.",
            "examples": [{"kind": "image", "image": "alpine:3.14", "pulled": True}],
        },
    },
    "required": ["expect"],
}


def stand_in(spec: Mapping, snapshot: Snapshot) -> Mapping | None:
    """The check grading asks instead of this one (checks.grading.evaluate): ``without_events``,
    a check of another kind graded on the state, when there is no record of events."""
    return spec.get("without_events") if snapshot.read("events") is None else None


def evaluate(spec: Mapping, snapshot: Snapshot) -> Result:
    log = snapshot.read("events")
    if log is None:
        return Result(False, msg("events.no_record"), unknown=True)
    if not log.complete:
        if log.origin == "run":
            return Result(False, msg("events.gap_run", limit=MAX_RECORDED), unknown=True)
        return Result(False, msg("events.gap", limit=BUFFER), unknown=True)
    expected = spec["expect"]
    for item in expected:
        about = [event for event in log.events if _about(item, event, snapshot)]
        count = item.get("count", {"min": 1})
        times = sum(event.action == item["action"] for event in about)
        if not count_ok(count, times):
            said = dict(action=item["action"], object=_object(item), expected=describe_count(count), seen=_seen(about))
            return Result(False, msg("events.never", **said) if times == 0 else msg("events.count", count=times, **said))
    happened = [item for item in expected if item.get("count") != 0]  # left out: at least once
    if spec.get("in_order") and not _in_order(happened, log.events, snapshot):
        wanted = " → ".join(item["action"] for item in happened)
        involved = [e for e in log.events if any(_about(item, e, snapshot) for item in happened)]
        return Result(False, msg("events.order", wanted=wanted, seen=_seen(involved)))
    involved = [e for e in log.events if any(_about(item, e, snapshot) and e.action == item["action"] for item in happened)]
    return Result(True, msg("events.ok", seen=_seen(involved)))


def _about(item: Mapping, event, snapshot: Snapshot) -> bool:
    """Whether an event is about the objects an item selects (any action)."""
    kind = "image" if item["action"] in IMAGE_ACTIONS else "container"
    if event.type != kind:
        return False
    if "container" in item and (kind != "container" or event.name != item["container"].lstrip("/")):
        return False
    return "image" not in item or _same_image(item["image"], event, kind, snapshot)


def _same_image(wanted: str, event, kind: str, snapshot: Snapshot) -> bool:
    # A pull's ID is the reference pulled; a tag's name is the new reference; other image events
    # and a container's "image" attribute may hold an image ID.
    names = [event.image] if kind == "container" else [event.id, event.name]
    reference = refs.try_parse(wanted)
    if reference is not None and any(refs.try_parse(name) == reference for name in names if name):
        return True
    image = snapshot.find_image(wanted)
    wanted_id = image.id.removeprefix("sha256:") if image else refs.id_prefix(wanted)
    return bool(wanted_id) and any(_is_id_of(name, wanted_id) for name in names if name)


def _is_id_of(name: str, image_id: str) -> bool:
    short = name.removeprefix("sha256:")
    return refs.id_prefix(short) is not None and len(short) >= 12 and (image_id.startswith(short) or short.startswith(image_id))


def _in_order(items: list[Mapping], events, snapshot: Snapshot) -> bool:
    """Whether some events match the items one after the other (each later than the one before)."""
    position = 0
    for item in items:
        while position < len(events) and not (events[position].action == item["action"] and _about(item, events[position], snapshot)):
            position += 1
        if position == len(events):
            return False
        position += 1
    return True


def _object(item: Mapping) -> Message:
    if "container" in item:
        return msg("events.object_container", value=item["container"])
    if "image" in item and item["action"] in IMAGE_ACTIONS:
        return msg("events.object_image", value=item["image"])
    if "image" in item:
        return msg("events.object_containers_of", value=item["image"])
    return msg("events.object_any")


def _seen(events) -> str | Message:
    return listing([event.shown() for event in events], limit=8)
