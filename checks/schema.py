"""The JSON Schema (draft 2020-12) of exercise files, built from each check kind's fragment.

The same schema ships as ``checks/exercise.schema.json`` for editors
(``# yaml-language-server: $schema=...``); a test keeps the file equal to ``build()``,
and ``docker-grader schema --write`` regenerates it.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path

from jsonschema import Draft202012Validator, FormatChecker

from checks import refs
from checks.kinds import KINDS
from checks.kinds.fields import IMAGE, is_image

SCHEMA_FILE = Path(__file__).with_name("exercise.schema.json")
SLUG = "^[a-z0-9]+(?:[-_.][a-z0-9]+)*$"
RECIPES = ["busybox", "hello"]

TEXTS = {
    "type": "object",
    "description": "A text in each language the grader speaks.",
    "properties": {
        "pt-BR": {"type": "string", "minLength": 1, "maxLength": 10000},
        "en": {"type": "string", "minLength": 1, "maxLength": 10000},
    },
    "required": ["pt-BR", "en"],
    "additionalProperties": False,
}

CHECK_COMMON = {
    "name": {"type": "string", "pattern": SLUG, "maxLength": 100, "description": "Unique in the exercise; the test item's name."},
    "kind": {"enum": [], "description": "What the check looks at; each kind takes its own keys."},  # KINDS, at build()
    "points": {"type": "number", "exclusiveMinimum": 0, "description": "Points scored when the check passes."},
    "hint": {"$ref": "#/$defs/texts", "description": "Shown when the check fails: what to do."},
    "visibility": {
        "enum": ["visible", "hidden"],
        "default": "visible",
        "description": "hidden: the points count, but students see neither the check's name nor its hint.",
    },
}

LAB_IMAGE = {
    "type": "object",
    "description": "An image the lab builds and serves from its registry, so that `docker pull` works offline.",
    "properties": {
        "reference": IMAGE,
        "recipe": {"enum": RECIPES, "description": "busybox: a shell and coreutils; hello: prints a greeting."},
        "cmd": {"type": "array", "items": {"type": "string"}, "description": "The image's default command."},
    },
    "required": ["reference", "recipe"],
    "additionalProperties": False,
}

START = {
    "type": "object",
    "description": "The state the lab sets up before the student's commands of this exercise, where missing.",
    "properties": {
        "images": {"type": "array", "items": IMAGE, "description": "Images pulled into the daemon."},
        "containers": {
            "type": "array",
            "description": "Containers run to completion from an image, until there are `count` of them.",
            "items": {
                "type": "object",
                "properties": {
                    "image": IMAGE,
                    "count": {"type": "integer", "minimum": 1, "default": 1},
                    "command": {"type": "array", "items": {"type": "string"}},
                },
                "required": ["image"],
                "additionalProperties": False,
            },
        },
    },
    "additionalProperties": False,
}


def build() -> dict:
    kind_rules = [
        {"if": {"properties": {"kind": {"const": name}}, "required": ["kind"]}, "then": module.SCHEMA}
        for name, module in sorted(KINDS.items())
    ]
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "docker-grader exercise",
        "description": "An exercise: the end state a student's docker commands must leave on a daemon, as checks.",
        "type": "object",
        "properties": {
            "id": {"type": "string", "pattern": SLUG, "maxLength": 100, "description": "Stable id: CLI argument and test item prefix."},
            "lesson": {"type": "string", "minLength": 1, "maxLength": 100, "description": "The lesson the exercise belongs to."},
            "order": {"type": "integer", "description": "Position in the lesson; `run` grades in this order."},
            "title": {"$ref": "#/$defs/texts"},
            "description": {"$ref": "#/$defs/texts"},
            "images": {"type": "array", "items": LAB_IMAGE},
            "start": START,
            "checks": {"type": "array", "minItems": 1, "items": {"$ref": "#/$defs/check"}},
        },
        "required": ["id", "lesson", "order", "title", "description", "checks"],
        "additionalProperties": False,
        "$defs": {
            "texts": TEXTS,
            # A check's kind and keys alone, graded on the state: an events check's without_events.
            "state_check": {
                "type": "object",
                "properties": {"kind": {"enum": sorted(name for name in KINDS if name != "events")}},
                "required": ["kind"],
                "allOf": [rule for rule in kind_rules if rule["if"]["properties"]["kind"]["const"] != "events"],
                "unevaluatedProperties": False,
            },
            "check": {
                "type": "object",
                "properties": {**CHECK_COMMON, "kind": {**CHECK_COMMON["kind"], "enum": sorted(KINDS)}},
                "required": ["name", "kind", "points", "hint"],
                "allOf": kind_rules,
                # Keys of the matching kind are evaluated by its `then`; any other key is an error.
                "unevaluatedProperties": False,
            },
        },
    }


def format_checker() -> FormatChecker:
    checker = FormatChecker()
    checker.checks("docker-image")(lambda value: not isinstance(value, str) or is_image(value))

    @checker.checks("docker-repository", raises=refs.ReferenceError)
    def _repository(value: object) -> bool:
        return not isinstance(value, str) or bool(refs.normalise_repository(value))

    return checker


@functools.cache
def validator() -> Draft202012Validator:
    return Draft202012Validator(build(), format_checker=format_checker())


def dumps() -> str:
    return json.dumps(build(), indent=2, ensure_ascii=False) + "\n"
