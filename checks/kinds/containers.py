"""Containers chosen by a selector: how many, their exit codes, and what their logs contain.

The image selector matches both the reference typed at creation and the image ID
it names now, so re-tagging an image or removing its tag does not fool it.
"""

from __future__ import annotations

from typing import Mapping

from checks.kinds.fields import COUNT, IMAGE_PATTERN, count_ok, describe_count, listing
from checks.messages import Message, msg, register
from checks.results import Result
from checks.snapshot import Container, Snapshot

# What this kind tells the student it found, in pt-BR and en.
MESSAGES = {
    "containers.count": {
        "pt-BR": "{count} container(s) {selector} ({expected}): {names}",
        "en": "{count} container(s) {selector} ({expected}): {names}",
    },
    "containers.none": {
        "pt-BR": "nenhum container {selector}",
        "en": "no container {selector}",
    },
    # --- provenance (run): only this exercise's containers are its evidence ---
    "containers.earlier": {
        "pt-BR": "nenhum container {selector} feito ou usado neste exercício ({names}: de um exercício anterior, não contam)",
        "en": "no container {selector} made or used in this exercise ({names}: left by an earlier exercise, they do not count)",
    },
    "containers.no_provenance": {
        "pt-BR": "o registro de eventos do laboratório está incompleto: não dá para saber que containers são deste exercício",
        "en": "the lab's record of events is incomplete: which containers are this exercise's cannot be told",
    },
    "containers.exit_code": {
        "pt-BR": "código de saída esperado {code} em {quantifier}; encontrado: {codes}",
        "en": "expected exit code {code} in {quantifier}; found: {codes}",
    },
    "containers.logs": {
        "pt-BR": "texto {text!r} esperado nos logs de {quantifier}; presente em: {names}",
        "en": "text {text!r} expected in the logs of {quantifier}; present in: {names}",
    },
    "containers.ok": {
        "pt-BR": "{count} container(s) {selector}: {names}; tudo como esperado",
        "en": "{count} container(s) {selector}: {names}; all as expected",
    },
    "quantifier.all": {"pt-BR": "todos", "en": "all of them"},
    "quantifier.any": {"pt-BR": "ao menos um", "en": "at least one"},
    "selector.image": {"pt-BR": "da imagem {value}", "en": "from image {value}"},
    "selector.name": {"pt-BR": "com nome {value}", "en": "named {value}"},
    "selector.status": {"pt-BR": "com status {value}", "en": "with status {value}"},
    "selector.exit_code": {"pt-BR": "que saiu com código {value}", "en": "that exited with code {value}"},
    "selector.any": {"pt-BR": "no daemon", "en": "on the daemon"},
}
register(MESSAGES)


STATES = ["created", "running", "paused", "restarting", "removing", "exited", "dead"]

# Lazy reads beyond the two lists every snapshot has (one request per container read): an inspect for a container listed by image ID, logs for logs_contain; only for the containers it selects.
READS: tuple[str, ...] = ("inspect", "logs")

SCHEMA = {
    "properties": {
        "select": {
            "type": "object",
            "description": "Which containers this check looks at; an empty selector takes them all.",
            "properties": {
                "image": IMAGE_PATTERN,
                "name": {"type": "string", "minLength": 1, "description": "The container's name, without /."},
                "status": {"enum": STATES, "description": "The container's state, as `docker ps -a` filters it."},
                "exit_code": {"type": "integer", "description": "Only containers that exited with this code."},
            },
            "additionalProperties": False,
            "examples": [{"image": "hello-world"}, {"name": "web", "status": "running"}],
        },
        "count": COUNT,
        "exit_code": {
            "type": "integer",
            "description": "The selected containers exited with this code (all of them, or any: see match).",
        },
        "logs_contain": {
            "type": "string",
            "minLength": 1,
            "description": "Text that the selected containers' stdout or stderr contains (all of them, or any).",
            "examples": ["Hello from Docker!"],
        },
        "match": {
            "enum": ["all", "any"],
            "default": "all",
            "description": "For exit_code and logs_contain: every selected container (at least one), or any one.",
        },
    },
    "required": ["select"],
}


def evaluate(spec: Mapping, snapshot: Snapshot) -> Result:
    selector = spec["select"]
    chosen = [c for c in snapshot.containers if selected(selector, c, snapshot)]
    names = listing([c.name or c.short_id for c in chosen])
    described = describe(selector)
    count = spec.get("count")
    if count is None and "exit_code" not in spec and "logs_contain" not in spec:
        count = {"min": 1}
    if count is not None and not count_ok(count, len(chosen)):
        expected = describe_count(count)
        return Result(False, msg("containers.count", count=len(chosen), selector=described, expected=expected, names=names))
    quantifier = spec.get("match", "all")
    if ("exit_code" in spec or "logs_contain" in spec) and not chosen:
        return Result(False, msg("containers.none", selector=described))
    if "exit_code" in spec:
        codes = [c.exit_code for c in chosen]
        if not _holds(quantifier, (code == spec["exit_code"] for code in codes)):
            shown = [f"{c.name}={'-' if c.exit_code is None else c.exit_code} ({c.state})" for c in chosen]
            return Result(
                False,
                msg("containers.exit_code", code=spec["exit_code"], quantifier=msg(f"quantifier.{quantifier}"), codes=listing(shown)),
            )
    if "logs_contain" in spec:
        text = spec["logs_contain"]
        with_text = [c for c in chosen if snapshot.read("logs", c.id, text)] if quantifier == "all" else _first(chosen, snapshot, text)
        if not _holds(quantifier, (c in with_text for c in chosen)):
            return Result(
                False,
                msg("containers.logs", text=text, quantifier=msg(f"quantifier.{quantifier}"), names=listing([c.name for c in with_text])),
            )
    return Result(True, msg("containers.ok", count=len(chosen), selector=described, names=names))


def selected(selector: Mapping, container: Container, snapshot: Snapshot) -> bool:
    # Cheap fields first, so that a lazy lookup (an inspect) only happens for likely matches.
    if "name" in selector and container.name != selector["name"].lstrip("/"):
        return False
    if "status" in selector and container.state != selector["status"]:
        return False
    if "exit_code" in selector and container.exit_code != selector["exit_code"]:
        return False
    return "image" not in selector or snapshot.created_from(container, selector["image"])


def this_exercise(chosen: list[Container], snapshot: Snapshot, selector: Mapping) -> tuple[list[Container], Result | None]:
    """Of the selected containers, those that are this exercise's work in ``run`` (made, started or
    worked on since its starting state: checks.events.Provenance); all of them under ``check``.
    When that leaves none, the Result that says why."""
    found = snapshot.read("provenance")
    if found is None or not chosen:
        return chosen, None
    if not found.complete:
        return [], Result(False, msg("containers.no_provenance"), unknown=True)
    kept = [c for c in chosen if c.id in found.exercise]
    if kept:
        return kept, None
    return [], Result(False, msg("containers.earlier", selector=describe(selector), names=listing([c.name for c in chosen])))


def describe(selector: Mapping) -> Message | list[Message]:
    parts = [msg(f"selector.{key}", value=selector[key]) for key in ("image", "name", "status", "exit_code") if key in selector]
    return parts or msg("selector.any")


def _holds(quantifier: str, values) -> bool:
    return all(values) if quantifier == "all" else any(values)


def _first(chosen: list[Container], snapshot: Snapshot, text: str) -> list[Container]:
    """For match: any, read logs only until one container has the text."""
    for container in chosen:
        if snapshot.read("logs", container.id, text):
            return [container]
    return []
