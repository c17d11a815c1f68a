"""Containers chosen by a selector, and how they were run: ports, env, mounts, restart policy,
command, user, -it, health, running or not, started again.

What the container list already holds (running, mounts, the ports `docker ps` shows, the health of a
running container) costs no request; the rest is read from the container's inspect, one request per
selected container (docs/performance.md has the cost of each key).

The keys are judged each by a ``Judge`` of one shape (``checks.kinds.judging``): those the list
answers in ``container_listed``, ``ports`` in ``container_ports``, those of the inspect in
``container_config``.
"""

from __future__ import annotations

from typing import Mapping

from checks.kinds import container_config, container_listed, container_ports
from checks.kinds.containers import SCHEMA as CONTAINERS_SCHEMA
from checks.kinds.containers import describe, selected
from checks.kinds.fields import count_ok, describe_count, listing
from checks.kinds.judging import Gone, Judge
from checks.messages import msg, register
from checks.results import Result
from checks.snapshot import Container, Snapshot

# What this kind tells the student it found, in pt-BR and en.
MESSAGES = {
    "container.count": {
        "pt-BR": "{count} container(s) {selector} ({expected}): {names}",
        "en": "{count} container(s) {selector} ({expected}): {names}",
    },
    "container.none": {"pt-BR": "nenhum container {selector}", "en": "no container {selector}"},
    "container.mismatch": {
        "pt-BR": "container {name}: {key} esperado {expected}; encontrado: {found}",
        "en": "container {name}: {key} expected {expected}; found: {found}",
    },
    "container.none_match": {
        "pt-BR": "nenhum dos {count} container(s) {selector} está como esperado; o primeiro: {first}",
        "en": "none of the {count} container(s) {selector} is as expected; the first: {first}",
    },
    "container.gone": {
        "pt-BR": "o container {name} foi removido durante a correção; rode a correção de novo",
        "en": "container {name} was removed while grading; grade again",
    },
    "container.ok": {
        "pt-BR": "{count} container(s) {selector}: {names}; tudo como esperado",
        "en": "{count} container(s) {selector}: {names}; all as expected",
    },
}
register(MESSAGES)

# Lazy reads: the inspect of a selected container, only for keys the list cannot answer
# (and for the image selector's own fallback, as in `containers`).
READS: tuple[str, ...] = ("inspect",)

JUDGES: dict[str, Judge] = {**container_listed.JUDGES, **container_ports.JUDGES, **container_config.JUDGES}
SCHEMA_KEYS = ("running", "ports", "env", "mounts", "restart", "command", "entrypoint", "user", "tty", "open_stdin", "health",
               "started_again")  # the order editors show them in

SCHEMA = {
    "properties": {
        "select": CONTAINERS_SCHEMA["properties"]["select"],
        "count": {**CONTAINERS_SCHEMA["properties"]["count"], "description": "How many containers the selector must find; "
                  "left out: at least one."},
        "match": {
            "enum": ["all", "any"],
            "default": "all",
            "description": "Every selected container must be as the other keys say (all), or at least one (any).",
        },
        **{key: JUDGES[key].schema for key in SCHEMA_KEYS},
    },
    "required": ["select"],
}

PROPERTY_KEYS = ("running", "mounts", "ports", "health", "env", "restart", "command", "entrypoint", "user", "tty",
                 "open_stdin", "started_again")  # the list's keys first: a failure there costs no inspect


def evaluate(spec: Mapping, snapshot: Snapshot) -> Result:
    selector = spec["select"]
    chosen = [c for c in snapshot.containers if selected(selector, c, snapshot)]
    described = describe(selector)
    names = listing([c.name or c.short_id for c in chosen])
    keys = [key for key in PROPERTY_KEYS if key in spec]
    count = spec.get("count", {"min": 1})
    if not count_ok(count, len(chosen)):
        return Result(False, msg("container.count", count=len(chosen), selector=described, expected=describe_count(count), names=names))
    if keys and not chosen:
        return Result(False, msg("container.none", selector=described))
    quantifier = spec.get("match", "all")
    failures = []
    for container in chosen:  # one at a time, so that a verdict stops the reads
        failure = _first_failure(spec, keys, container, snapshot)
        if failure is None and quantifier == "any":
            break
        if failure is not None and quantifier == "all":
            return Result(False, failure)
        if failure is not None:
            failures.append(failure)
    else:
        if failures:  # match: any, and not one passed
            return Result(False, msg("container.none_match", count=len(chosen), selector=described, first=failures[0]))
    return Result(True, msg("container.ok", count=len(chosen), selector=described, names=names))


def _first_failure(spec: Mapping, keys: list[str], container: Container, snapshot: Snapshot):
    name = container.name or container.short_id
    try:
        for key in keys:
            mismatch = JUDGES[key].judge(spec[key], container, snapshot)
            if mismatch is not None:
                expected, found = mismatch
                return msg("container.mismatch", name=name, key=key, expected=expected, found=found)
    except Gone:
        return msg("container.gone", name=name)
    return None
