"""The JSON Schemas (draft 2020-12) of a course's files: exercise files, built from each check
kind's fragment, and the course's own ``course.yaml`` (checks.courses), a schema of its own.

Both ship beside this module (``exercise.schema.json``, ``course.schema.json``) for editors; a
test keeps the files equal to ``build()`` and ``build_course()``, and ``docker-grader schema
--write`` regenerates them. ``docker-grader schema [--course] --output PATH`` writes a copy into a
course's folder, so that a modeline names it by a relative path.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path

from jsonschema import Draft202012Validator, FormatChecker

from checks import refs
from checks.kinds import KINDS
from checks.kinds.fields import IMAGE, is_image, is_image_pattern, is_port
from checks.courses import COURSE_FILE
from checks.errors import UsageError
from checks.messages import LANGS, msg, register

SCHEMA_FILE = Path(__file__).with_name("exercise.schema.json")
COURSE_SCHEMA_FILE = Path(__file__).with_name("course.schema.json")
# The schemas' identities, the same wherever they are installed: a URN names each without promising a
# download. Editors find the files by path: a copy in the course (`schema --output`), or `schema --path`.
SCHEMA_ID = "urn:docker-grader:exercise-schema:1"
COURSE_SCHEMA_ID = "urn:docker-grader:course-schema:1"
# ---- editor set-up (ecosystem) ----
MESSAGES = {
    "schema.editors": {
        "pt-BR": (
            "Esquema {id}. Para o editor (yaml-language-server, a extensão YAML do VS Code) validar e completar os "
            "exercícios, grave uma cópia na pasta do curso: docker-grader schema --output exercises/exercise.schema.json "
            "e docker-grader schema --course --output exercises/course.schema.json ; depois ponha na primeira linha de "
            "cada exercício: # yaml-language-server: $schema=exercise.schema.json (e $schema=course.schema.json no "
            "course.yaml). Ou no settings.json do VS Code: \"yaml.schemas\": {{\"./exercises/exercise.schema.json\": "
            "[\"exercises/**/*.yaml\", \"!course.yaml\"], \"./exercises/course.schema.json\": \"exercises/course.yaml\"}}"
        ),
        "en": (
            "Schema {id}. For an editor (yaml-language-server, VS Code's YAML extension) to validate and complete "
            "exercises, write a copy into the course's folder: docker-grader schema --output exercises/exercise.schema.json "
            "and docker-grader schema --course --output exercises/course.schema.json ; then put on the first line of "
            "each exercise: # yaml-language-server: $schema=exercise.schema.json (and $schema=course.schema.json in "
            "course.yaml). Or in VS Code's settings.json: \"yaml.schemas\": {{\"./exercises/exercise.schema.json\": "
            "[\"exercises/**/*.yaml\", \"!course.yaml\"], \"./exercises/course.schema.json\": \"exercises/course.yaml\"}}"
        ),
    },
}
register(MESSAGES)
SLUG = "^[a-z0-9]+(?:[-_.][a-z0-9]+)*$"
RECIPES = ["alpine", "busybox", "debian", "hello", "httpd", "ubuntu"]
NAME = "^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,63}$"  # a container, volume or network name, as dockerd accepts it
LIST_LIMIT = 20  # items of each list of a starting state

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
    "description": "An image the lab serves from its registry, so that `docker pull` works offline: built from a "
    "recipe, or loaded from a `docker save` archive shipped with the course.",
    "properties": {
        "reference": IMAGE,
        "recipe": {
            "enum": RECIPES,
            "description": "busybox or alpine: a shell and coreutils (alpine's /etc/os-release); debian, ubuntu: the same "
            "with that distribution's /etc/os-release and a bash; hello: prints a greeting; "
            "httpd: busybox httpd serving a page from /var/www on port 80 (a stand-in for nginx or httpd).",
        },
        "cmd": {"type": "array", "items": {"type": "string"}, "description": "The image's default command (recipes only)."},
        "archive": {
            "type": "string",
            "minLength": 1,
            "maxLength": 1000,
            "description": "A `docker save` tar holding this reference, relative to the exercise file and inside its folder.",
            "examples": ["images/nginx.tar"],
        },
    },
    "required": ["reference"],
    "additionalProperties": False,
    "examples": [{"reference": "nginx:1.25", "recipe": "busybox"}, {"reference": "nginx:1.25", "archive": "images/nginx.tar"}],
}

START_NAME = {"type": "string", "pattern": NAME, "description": "A name, as dockerd accepts it.", "examples": ["web", "app-data"]}
LABELS = {"type": "object", "additionalProperties": {"type": "string", "maxLength": 1000}, "maxProperties": 50}

START = {
    "type": "object",
    "description": "The state the lab sets up before the student's commands of this exercise, where missing.",
    "properties": {
        "images": {"type": "array", "items": IMAGE, "maxItems": LIST_LIMIT, "description": "Images pulled into the daemon."},
        "volumes": {
            "type": "array",
            "maxItems": LIST_LIMIT,
            "description": "Named volumes (local driver) created, unless one of that name exists.",
            "items": {
                "type": "object",
                "properties": {"name": START_NAME, "labels": LABELS},
                "required": ["name"],
                "additionalProperties": False,
            },
            "examples": [[{"name": "app-data"}]],
        },
        "networks": {
            "type": "array",
            "maxItems": LIST_LIMIT,
            "description": "User-defined bridge networks created, unless one of that name exists.",
            "items": {
                "type": "object",
                "properties": {"name": START_NAME, "labels": LABELS},
                "required": ["name"],
                "additionalProperties": False,
            },
            "examples": [[{"name": "app-net"}]],
        },
        "containers": {
            "type": "array",
            "maxItems": LIST_LIMIT,
            "description": "Containers from an image, until there are `count` of them (or one of that `name`). They run "
            "to completion (at most 20 seconds), or are left running with `running: true`.",
            "items": {
                "type": "object",
                "properties": {
                    "image": IMAGE,
                    "count": {"type": "integer", "minimum": 1, "maximum": LIST_LIMIT, "default": 1},
                    "command": {"type": "array", "items": {"type": "string"}, "maxItems": 100},
                    "name": {**START_NAME, "description": "The container's name; with a name, `count` is 1."},
                    "running": {
                        "type": "boolean",
                        "default": False,
                        "description": "Left running (the command must not end): for exercises that stop, exec into or "
                        "inspect a running container. Killed with everything else when the exercise ends.",
                    },
                    "network": {
                        **START_NAME,
                        "not": {"const": "host"},  # the boundary refuses host namespaces to students' containers too
                        "description": "A network to attach it to: one of `networks`, or none (the lab has no default bridge).",
                    },
                    "volumes": {
                        "type": "array",
                        "maxItems": LIST_LIMIT,
                        "items": {"type": "string", "pattern": "^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,63}:/[^:]*$"},
                        "description": "Named volumes mounted, as VOLUME:/path (never a host path).",
                        "examples": [["app-data:/data"]],
                    },
                },
                "required": ["image"],
                "additionalProperties": False,
                "dependentSchemas": {"name": {"properties": {"count": {"const": 1}}}},
            },
            "examples": [[{"image": "hello-world", "count": 2}, {"image": "alpine:3.14", "name": "web", "command": ["sleep", "3600"], "running": True}]],
        },
    },
    "additionalProperties": False,
}


COMPOSE = {
    "type": "object",
    "description": "Services the exercise defines in a compose file of its own (for example the student's "
    "Dockerfile built beside a database): brought up before grading, waited for, and always torn down.",
    "properties": {
        "file": {"type": "string", "pattern": "^[^/]", "maxLength": 300,
                 "description": "The compose file, relative to the exercise file; its `build: .` is the submission's folder.",
                 "examples": ["shop.compose.yml"]},
        "wait": {
            "type": "array",
            "maxItems": 10,
            "description": "Ports that must answer HTTP (anything below 500) before grading starts.",
            "items": {
                "type": "object",
                "properties": {
                    "service": {"type": "string", "minLength": 1},
                    "port": {"type": "integer", "minimum": 1, "maximum": 65535, "description": "The container port."},
                    "path": {"type": "string", "pattern": "^/", "default": "/"},
                    "timeout": {"type": "number", "exclusiveMinimum": 0, "maximum": 300, "default": 60},
                },
                "required": ["service", "port"],
                "additionalProperties": False,
            },
            "examples": [[{"service": "web", "port": 80}]],
        },
    },
    "required": ["file"],
    "additionalProperties": False,
}


def kind_rules(names, common) -> list[dict]:
    """One `if kind is K then ...` per kind, each closed on its own: the keys every check takes
    (``common``, checked once, outside) and the kind's own. A mistyped key is then one
    "additional property" error in that branch, where generic validators (jsonschema's best_match,
    check-jsonschema, yaml-language-server) look first; `unevaluatedProperties` on the check
    also listed every key of a branch that failed for another reason."""
    rules = []
    for name in sorted(names):
        fragment = KINDS[name].SCHEMA
        rules.append({
            "if": {"properties": {"kind": {"const": name}}, "required": ["kind"]},
            "then": {**fragment, "properties": {**{key: True for key in common}, **fragment["properties"]}, "additionalProperties": False},
        })
    return rules


def _graded_on_state() -> list[str]:
    """The kinds a check without a record of events may be graded as (``without_events``): all but
    those that say they are not (``GRADED_ON_STATE = False``: the events kind)."""
    return [name for name in KINDS if getattr(KINDS[name], "GRADED_ON_STATE", True)]


def build() -> dict:
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
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
            "compose": COMPOSE,
            "checks": {"type": "array", "minItems": 1, "items": {"$ref": "#/$defs/check"}},
        },
        "required": ["id", "lesson", "order", "title", "description", "checks"],
        "additionalProperties": False,
        "$defs": {
            "texts": TEXTS,
            # A check's kind and keys alone, graded on the state: an events check's without_events.
            "state_check": {
                "type": "object",
                "properties": {"kind": {"enum": sorted(_graded_on_state())}},
                "required": ["kind"],
                "allOf": kind_rules(_graded_on_state(), ["kind"]),
            },
            "check": {
                "type": "object",
                "properties": {**CHECK_COMMON, "kind": {**CHECK_COMMON["kind"], "enum": sorted(KINDS)}},
                "required": ["name", "kind", "points", "hint"],
                "allOf": kind_rules(KINDS, CHECK_COMMON),
            },
        },
    }


def build_course() -> dict:
    """The schema of a course's ``course.yaml``: exactly what checks.courses.read_course accepts."""
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": COURSE_SCHEMA_ID,
        "title": "docker-grader course",
        "description": f"A course's {COURSE_FILE}, beside its exercise files: its name, its title, the language of its messages.",
        "type": "object",
        "properties": {
            "name": {"type": "string", "minLength": 1, "maxLength": 100,
                     "description": "The course's name: `docker-grader courses` lists it, `--exercises NAME` grades it.",
                     "examples": ["docker-images"]},
            "title": {**TEXTS, "description": "The course's title, in each language."},
            "lang": {"enum": list(LANGS),
                     "description": "The language of messages when neither --lang nor the environment names one the grader speaks."},
        },
        "required": ["name", "title", "lang"],
        "additionalProperties": False,
        "examples": [{"name": "docker-images", "title": {"pt-BR": "Imagens Docker", "en": "Docker images"}, "lang": "pt-BR"}],
    }


def format_checker() -> FormatChecker:
    checker = FormatChecker()
    checker.checks("docker-image")(lambda value: not isinstance(value, str) or is_image(value))
    checker.checks("docker-image-pattern")(lambda value: not isinstance(value, str) or is_image_pattern(value))
    checker.checks("docker-port")(lambda value: not isinstance(value, str) or is_port(value))

    @checker.checks("docker-repository", raises=refs.ReferenceError)
    def _repository(value: object) -> bool:
        return not isinstance(value, str) or bool(refs.normalise_repository(value))

    return checker


@functools.cache
def validator() -> Draft202012Validator:
    _check_plugin_fragments()
    return Draft202012Validator(build(), format_checker=format_checker())


def _check_plugin_fragments() -> None:
    """A plugin kind's SCHEMA that is no JSON Schema is its package's fault, said as such."""
    from jsonschema.exceptions import SchemaError

    from checks.kinds import PACKAGES, PLUGINS

    for name, module in sorted(PLUGINS.items()):
        try:
            Draft202012Validator.check_schema(dict(module.SCHEMA))
        except SchemaError as error:
            raise UsageError(msg("plugin.contract", kind=name, package=PACKAGES[name], reason=f"SCHEMA: {error.message}")) from None


def dumps() -> str:
    return json.dumps(build(), indent=2, ensure_ascii=False) + "\n"


def course_dumps() -> str:
    return json.dumps(build_course(), indent=2, ensure_ascii=False) + "\n"
