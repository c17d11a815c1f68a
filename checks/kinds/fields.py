"""Schema fragments and logic that several check kinds share: image names and counts."""

from __future__ import annotations

import re
from typing import Mapping

from checks import refs
from checks.messages import Message, msg, register

# What this kind tells the student it found, in pt-BR and en.
MESSAGES = {
    "count.expected_exact": {"pt-BR": "esperado: {value}", "en": "expected: {value}"},
    "count.expected_range": {"pt-BR": "esperado: de {min} a {max}", "en": "expected: {min} to {max}"},
    "count.expected_min": {"pt-BR": "esperado: ao menos {min}", "en": "expected: at least {min}"},
    "count.expected_max": {"pt-BR": "esperado: no máximo {max}", "en": "expected: at most {max}"},
}
register(MESSAGES)


IMAGE = {
    "type": "string",
    "format": "docker-image",
    "description": "An image reference as typed on the docker CLI (alpine, alpine:3.14, "
    "docker.io/library/alpine:3.14, localhost:5000/app:1, name@sha256:...), or an image ID or its prefix.",
    "examples": ["alpine:3.14", "hello-world", "sha256:e04c818066af"],
}

IMAGE_PATTERN = {
    **IMAGE,
    "format": "docker-image-pattern",
    "description": IMAGE["description"] + " Or a pattern, as `docker images --filter reference=` takes it: "
    "`*` and `?` match within one path component, `[a-z]` a character; a tag of the image, or the reference "
    "typed at creation, must match it (`php:*-apache`, `*/getting-started`, `nginx:1.*`).",
    "examples": ["alpine:3.14", "php:*-apache", "*/getting-started", "nginx:1.*"],
}

REPOSITORY = {
    "type": "string",
    "format": "docker-repository",
    "description": "A repository name, without tag: hello-world, library/alpine, localhost:5000/app.",
    "examples": ["hello-world", "alpine"],
}

# A container, volume or network name, as dockerd accepts it (the kinds that name one share it).
OBJECT_NAME = {"type": "string", "minLength": 1, "maxLength": 255, "pattern": "^[a-zA-Z0-9][a-zA-Z0-9_.-]*$"}

COUNT = {
    "description": "An exact number, or a range with min and/or max.",
    "examples": [1, {"min": 1}, {"min": 1, "max": 3}],
    # One schema for both shapes: numeric keywords apply to the integer, object ones to the range.
    "type": ["integer", "object"],
    "minimum": 0,
    "properties": {"min": {"type": "integer", "minimum": 0}, "max": {"type": "integer", "minimum": 0}},
    "additionalProperties": False,
    "minProperties": 1,
}


# A port as `docker run -p` writes it (the "docker-port" format of the container and compose kinds).
PORT = re.compile(
    r"(?:(?:(?P<ip>\d{1,3}(?:\.\d{1,3}){3})|\[(?P<ip6>[0-9a-fA-F:.]+)\]):)?(?:(?P<host>\d{0,5}):)?(?P<port>\d{1,5})"
    r"(?:/(?P<protocol>tcp|udp|sctp))?"
)


def is_port(text: str) -> bool:
    """Whether a text is a port as `docker run -p` writes it: [host_ip:][host_port:]container_port[/protocol],
    each port from 1 to 65535 (`80800:80` is none: docker refuses it, and no check could pass)."""
    match = PORT.fullmatch(text)
    return match is not None and all(1 <= int(match[part]) <= 65535 for part in ("host", "port") if match[part])


def is_image(text: str) -> bool:
    return refs.try_parse(text) is not None or refs.id_prefix(text) is not None


def is_image_pattern(text: str) -> bool:
    return is_image(text) or refs.pattern(text) is not None


def count_ok(count: int | Mapping[str, int], value: int) -> bool:
    if isinstance(count, int):
        return value == count
    return count.get("min", 0) <= value <= count.get("max", value)


def describe_count(count: int | Mapping[str, int]) -> Message:
    if isinstance(count, int):
        return msg("count.expected_exact", value=count)
    if "min" in count and "max" in count:
        return msg("count.expected_range", min=count["min"], max=count["max"])
    if "min" in count:
        return msg("count.expected_min", min=count["min"])
    return msg("count.expected_max", max=count["max"])


def listing(items: list[str], limit: int = 5) -> str | Message:
    """A short list for messages: at most ``limit`` items, then how many more."""
    if not items:
        return msg("none")
    shown = ", ".join(items[:limit])
    return shown + (f" (+{len(items) - limit})" if len(items) > limit else "")
