"""An image's configuration (Cmd, Entrypoint, ExposedPorts, User, WorkingDir, Env, Labels,
Healthcheck), its size, its history and layers, and whether it was built from a base image.

Every key is optional and all must hold; a failed check lists every difference. The size comes
from the image list (free); the configuration and layers from one inspect of the image; the
history from one history read, only for ``instructions``; ``base`` inspects the base image too.

"Built from this base": the base's filesystem layers (RootFS.Layers, content digests) are the
first layers of this image, and the two are different images. A re-tag of the base has its ID,
so it is not a build; a Dockerfile that only adds metadata (CMD, ENV...) keeps the base's layers
and passes.
"""

from __future__ import annotations

import json
import posixpath
from typing import Mapping

import checks.kinds.image  # noqa: F401 - says image.missing: its owner registers it
from checks.kinds.expected import PAIRS, PAIRS_HELP, differs, env_map, pair_problems
from checks.kinds.fields import COUNT, IMAGE, count_ok, describe_count
from checks.messages import Message, msg, register
from checks.results import Result
from checks.snapshot import Image, Snapshot

MESSAGES = {
    "image_config.ok": {
        "pt-BR": "a imagem {ref} (ID {id}) está como esperado: {checked}",
        "en": "image {ref} (ID {id}) is as expected: {checked}",
    },
    "image_config.differs": {
        "pt-BR": "a imagem {ref} (ID {id}) difere: {problems}",
        "en": "image {ref} (ID {id}) differs: {problems}",
    },
    "image_config.gone": {
        "pt-BR": "a imagem {ref} foi removida durante a correção",
        "en": "image {ref} was removed during grading",
    },
    "image_config.size": {
        "pt-BR": "tamanho {size} MB, acima de {max} MB",
        "en": "size {size} MB, over {max} MB",
    },
    "image_config.layers": {
        "pt-BR": "{count} camada(s) ({expected})",
        "en": "{count} layer(s) ({expected})",
    },
    "image_config.instruction": {
        "pt-BR": "nenhum passo do histórico foi criado por uma instrução com {text!r}",
        "en": "no step of its history was created by an instruction with {text!r}",
    },
    # --- keys of issue 22: several bases, scratch, the order of steps ---
    "image_config.not_from_scratch": {
        "pt-BR": "não foi construída FROM scratch: seu histórico tem passos de outra imagem",
        "en": "it was not built FROM scratch: its history holds steps of another image",
    },
    "image_config.out_of_order": {
        "pt-BR": "os passos {texts} não estão nessa ordem no histórico (do mais antigo ao mais novo)",
        "en": "steps {texts} are not in that order in its history (oldest to newest)",
    },
    "image_config.no_base": {
        "pt-BR": "a imagem base {base} não está no daemon para comparar; baixe-a de novo (`docker pull {base}`)",
        "en": "base image {base} is not on the daemon to compare with; pull it again (`docker pull {base}`)",
    },
    "image_config.same_as_base": {
        "pt-BR": "é a própria imagem base {base} (mesmo ID): uma tag não é um build",
        "en": "it is base image {base} itself (same ID): a tag is not a build",
    },
    "image_config.not_from_base": {
        "pt-BR": "suas primeiras camadas não são as de {base}: não foi construída a partir dela (FROM {base})",
        "en": "its first layers are not those of {base}: it was not built from it (FROM {base})",
    },
    "image_config.healthcheck_none": {"pt-BR": "nenhum", "en": "none"},
    "image_config.present": {"pt-BR": "presente", "en": "present"},
}
register(MESSAGES)

# The size is in the image list; everything else is one inspect, the history one more read, and the
# base image's inspect for `base`: only for the image the check names.
READS: tuple[str, ...] = ("image_inspect", "history")

COMMAND = {
    "type": ["array", "string"],
    "items": {"type": "string"},
    "description": "A list is compared item by item (exec form, as `docker inspect` shows it); a text "
    "matches the shell form (`/bin/sh -c TEXT`) or the items joined by spaces.",
}

SCHEMA = {
    "properties": {
        "image": IMAGE,
        "cmd": {**COMMAND, "description": "Config.Cmd, the default command. " + COMMAND["description"],
                "examples": [["cat", "/note.txt"], "npm start"]},
        "entrypoint": {**COMMAND, "description": "Config.Entrypoint. " + COMMAND["description"],
                       "examples": [["/docker-entrypoint.sh"]]},
        "exposed_ports": {
            "type": "array",
            "minItems": 1,
            "items": {"type": ["integer", "string"], "minimum": 1, "maximum": 65535, "pattern": "^[0-9]{1,5}(/(tcp|udp|sctp))?$"},
            "description": "Ports the image exposes (EXPOSE); a bare number is tcp. Others may be exposed too.",
            "examples": [[80], ["53/udp", "3000/tcp"]],
        },
        "user": {"type": "string", "maxLength": 200, "description": "Config.User (USER); \"\" is the default, root.",
                 "examples": ["node", "1000:1000"]},
        "workdir": {"type": "string", "maxLength": 4096, "description": "Config.WorkingDir (WORKDIR); \"\" or / is the default.", "examples": ["/app"]},
        "env": {**PAIRS, "description": "Environment variables of the image (ENV)." + PAIRS_HELP, "examples": [{"NODE_ENV": "production", "DEBUG": False}]},
        "labels": {**PAIRS, "description": "Labels of the image (LABEL)." + PAIRS_HELP, "examples": [{"maintainer": True}]},
        "healthcheck": {
            "type": ["boolean", "string"],
            "description": "true: the image has a HEALTHCHECK; false: none; a text: its test command contains it.",
            "examples": [True, "curl -f http://localhost"],
        },
        "max_size_mb": {
            "type": "number",
            "exclusiveMinimum": 0,
            "description": "At most this size, in MB of 1,000,000 bytes, as `docker images` shows it.",
            "examples": [10, 150.5],
        },
        "layers": {**COUNT, "description": "How many filesystem layers (RootFS.Layers) it has: an exact number or "
                   "{min, max}. Instructions that only set metadata (CMD, ENV, EXPOSE...) add none."},
        "instructions": {
            "type": "array",
            "minItems": 1,
            "items": {"type": "string", "minLength": 1, "maxLength": 1000},
            "description": "Texts that each appear in a step of `docker history --no-trunc` (CREATED BY) of the image's "
            "own Dockerfile, after its base's steps: a layer made by COPY, by RUN apk add... The base is `base` when "
            "given, else the image the history names below the image's own steps (the legacy builder records it).",
            "examples": [["COPY", "apk add"]],
        },
        "base": {
            "type": ["string", "array"],
            "format": "docker-image",
            "items": IMAGE,
            "minItems": 1,
            "description": "Built from this image (FROM): its layers are this image's first ones, and the two are different "
            "images; the base must be on the daemon. A list: from one of them. `scratch`: from no image at all (every "
            "step of its history is its own, as the legacy builder records them).",
            "examples": ["alpine:3.14", ["python:3.12-slim", "python:3.12-alpine"], "scratch"],
        },
        "instructions_in_order": {
            "type": "boolean",
            "description": "true: the `instructions` texts appear in the image's own history steps in the order listed, "
            "oldest first (COPY before RUN...).",
        },
    },
    "required": ["image"],
}

CONFIG_KEYS = ("cmd", "entrypoint", "exposed_ports", "user", "workdir", "env", "labels", "healthcheck")
FIELDS = {"cmd": "Cmd", "entrypoint": "Entrypoint", "exposed_ports": "ExposedPorts", "user": "User", "workdir": "WorkingDir",
          "env": "Env", "labels": "Labels", "healthcheck": "Healthcheck", "max_size_mb": "Size", "layers": "RootFS.Layers",
          "instructions": "History", "base": "FROM"}
MB = 1_000_000


def evaluate(spec: Mapping, snapshot: Snapshot) -> Result:
    wanted = spec["image"]
    image = snapshot.find_image(wanted)
    if image is None:
        return Result(False, msg("image.missing", ref=wanted))
    problems: list[Message] = []
    inspect: dict = {}
    if any(key in spec for key in CONFIG_KEYS + ("layers", "base")) or ("max_size_mb" in spec and image.size is None):
        inspect = snapshot.read("image_inspect", image.id) or {}
        if not inspect:
            return Result(False, msg("image_config.gone", ref=wanted))
    if "max_size_mb" in spec:
        size = image.size if image.size is not None else inspect.get("Size") or 0
        if size > spec["max_size_mb"] * MB:
            problems.append(msg("image_config.size", size=round(size / MB, 2), max=spec["max_size_mb"]))
    problems += config_problems(spec, inspect.get("Config") or {})
    layers = list((inspect.get("RootFS") or {}).get("Layers") or [])
    if "layers" in spec and not count_ok(spec["layers"], len(layers)):
        problems.append(msg("image_config.layers", count=len(layers), expected=describe_count(spec["layers"])))
    if "instructions" in spec:
        history = snapshot.read("history", image.id) or []
        if not history:  # every image has at least one step: it was removed meanwhile
            return Result(False, msg("image_config.gone", ref=wanted))
        steps = [str(step.get("CreatedBy") or "") for step in own_steps(spec, image, history, snapshot)]
        missing = [text for text in spec["instructions"] if not any(text in step for step in steps)]
        problems += [msg("image_config.instruction", text=text) for text in missing]
        if spec.get("instructions_in_order") and not missing and not in_order(spec["instructions"], steps[::-1]):
            problems.append(msg("image_config.out_of_order", texts=", ".join(map(repr, spec["instructions"]))))
    if "base" in spec:
        tried = [base_problems(base, image, layers, snapshot) for base in bases(spec)]
        problems += [] if any(not found for found in tried) else tried[0]
    if problems:
        return Result(False, msg("image_config.differs", ref=wanted, id=image.short_id, problems=problems))
    checked = ", ".join(FIELDS[key] for key in FIELDS if key in spec) or msg("image_config.present")
    return Result(True, msg("image_config.ok", ref=wanted, id=image.short_id, checked=checked))


def own_steps(spec: Mapping, image: Image, history: list, snapshot: Snapshot) -> list[dict]:
    """The history steps (newest first) of the image's own Dockerfile, without its base's: an
    unchanged Dockerfile must not pass because its base had a COPY. The base's steps are the last
    ones of the history: as many as the base of ``base`` has, else those from the first step whose
    ID is another image on the daemon (the legacy builder records each step's image; the base's
    top step is the base). Without either, every step."""
    steps = [step for step in history if isinstance(step, dict)]
    if bases(spec) == [SCRATCH]:
        return steps
    layers = list(((snapshot.read("image_inspect", image.id) or {}).get("RootFS") or {}).get("Layers") or []) if "base" in spec else []
    for reference in bases(spec):  # the base it was built from, of those named
        base = snapshot.find_image(reference)
        if base is not None and base.id != image.id and not base_problems(reference, image, layers, snapshot):
            inherited = len(snapshot.read("history", base.id) or [])
            if 0 < inherited <= len(steps):
                return steps[: len(steps) - inherited]
    others = {other.id for other in snapshot.images if other.id != image.id}
    for index, step in enumerate(steps):
        if index and step.get("Id") in others:
            return steps[:index]
    return steps


def config_problems(spec: Mapping, config: Mapping) -> list[Message]:
    problems = []
    for key, field in (("cmd", "Cmd"), ("entrypoint", "Entrypoint")):
        if key in spec and not command_matches(spec[key], config.get(field)):
            problems.append(differs(field, json.dumps(config.get(field)), json.dumps(spec[key])))
    if "exposed_ports" in spec:
        exposed = set(config.get("ExposedPorts") or {})
        missing = [port for port in map(port_key, spec["exposed_ports"]) if port not in exposed]
        if missing:
            problems.append(differs("ExposedPorts", json.dumps(sorted(exposed)), json.dumps([port_key(p) for p in spec["exposed_ports"]])))
    if "user" in spec and (config.get("User") or "") != spec["user"]:
        problems.append(differs("User", repr(config.get("User") or ""), repr(spec["user"])))
    if "workdir" in spec and not same_dir(config.get("WorkingDir") or "", spec["workdir"]):
        problems.append(differs("WorkingDir", repr(config.get("WorkingDir") or ""), repr(spec["workdir"])))
    if "env" in spec:
        problems += pair_problems("Env", spec["env"], env_map(config.get("Env")))
    if "labels" in spec:
        problems += pair_problems("Labels", spec["labels"], config.get("Labels") or {})
    if "healthcheck" in spec:
        test = [str(part) for part in (config.get("Healthcheck") or {}).get("Test") or []]
        has = bool(test) and test[0] != "NONE"
        shown = json.dumps(test) if has else msg("image_config.healthcheck_none")
        wanted = spec["healthcheck"]
        if (wanted is True and not has) or (wanted is False and has) or (isinstance(wanted, str) and not (has and wanted in " ".join(test[1:]))):
            problems.append(differs("Healthcheck", shown, json.dumps(wanted)))
    return problems


def command_matches(expected: list | str, actual) -> bool:
    actual = [str(part) for part in actual or []]
    if isinstance(expected, list):
        return actual == expected
    return actual == ["/bin/sh", "-c", expected] or " ".join(actual) == expected


def port_key(port: int | str) -> str:
    return str(port) if "/" in str(port) else f"{port}/tcp"


def same_dir(actual: str, expected: str) -> bool:
    """Paths compared normalised; no WORKDIR ("") is the root, where a container starts then."""
    return posixpath.normpath(actual or "/") == posixpath.normpath(expected or "/")


SCRATCH = "scratch"


def bases(spec: Mapping) -> list[str]:
    base = spec.get("base")
    return [] if base is None else [base] if isinstance(base, str) else list(base)


def in_order(texts: list[str], steps: list[str]) -> bool:
    """Whether each text is in a step after the step of the text before it (steps oldest first)."""
    position = 0
    for text in texts:
        found = next((index for index in range(position, len(steps)) if text in steps[index]), None)
        if found is None:
            return False
        position = found + 1
    return True


def base_problems(reference: str, image: Image, layers: list, snapshot: Snapshot) -> list[Message]:
    if reference == SCRATCH:
        return scratch_problems(image, snapshot)
    base = snapshot.find_image(reference)
    if base is None:
        return [msg("image_config.no_base", base=reference)]
    if base.id == image.id:
        return [msg("image_config.same_as_base", base=reference)]
    base_layers = list(((snapshot.read("image_inspect", base.id) or {}).get("RootFS") or {}).get("Layers") or [])
    if not base_layers or layers[: len(base_layers)] != base_layers:
        return [msg("image_config.not_from_base", base=reference)]
    return []


def scratch_problems(image: Image, snapshot: Snapshot) -> list[Message]:
    """FROM scratch: every history step carries an image ID of this build (the legacy builder
    records one per step), none of them another image on the daemon. A pulled base's steps carry
    none (``<missing>``); a local base's top step carries its ID."""
    others = {other.id for other in snapshot.images if other.id != image.id}
    steps = [step for step in (snapshot.read("history", image.id) or []) if isinstance(step, dict)]
    if not steps or any(step.get("Id") in others or not str(step.get("Id") or "").startswith("sha256:") for step in steps):
        return [msg("image_config.not_from_scratch")]
    return []
