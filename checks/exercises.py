"""Exercise files: YAML, validated against the schema, turned into ``Exercise`` values.

A bad file never crashes the grader: every fault becomes a ``Fault`` with the
file, the line and the JSON path, and loading raises one ``ExerciseError`` that
holds the faults of every file.

A file that was valid is kept in the disk cache (``checks.cache``), keyed by its name, its bytes and
the grader's schema and loader: loading it again imports neither the YAML parser nor jsonschema.
"""

from __future__ import annotations

import difflib
import functools
import hashlib
import json
import re
from pathlib import Path
from typing import Any, Iterable

from checks import cache
from checks.errors import ExerciseError, Fault, UsageError
from checks.messages import Message, closest, msg
from checks.model import Check, Exercise

MAX_BYTES = 1_000_000
MAX_NODES = 50_000
EXERCISE_SUFFIXES = (".yaml", ".yml")
CACHE_FORMAT = "1"


def is_exercise_file(path: Path) -> bool:
    """A YAML file other than the course's own course.yaml (checks.courses)."""
    return path.suffix in EXERCISE_SUFFIXES and path.name != "course.yaml"


def exercise_paths(paths: Iterable[str | Path]) -> list[Path]:
    """The exercise files named, or found (sorted) in the folders named."""
    found: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found.extend(sorted(p for p in path.iterdir() if is_exercise_file(p) and p.is_file()))
        elif path.is_file():
            found.append(path)
        else:
            raise UsageError(msg("exercise.not_found", path=str(path)))
    if not found:
        raise UsageError(msg("exercise.no_files", paths=", ".join(map(str, paths)) or "."))
    return found


def load(paths: Iterable[str | Path]) -> list[Exercise]:
    """Loads every file, in lesson order; raises ExerciseError with the faults of all of them."""
    from checks.kinds import refuse_broken_plugins

    refuse_broken_plugins()  # an installed plugin kind that did not load: said once, naming its package
    exercises: list[Exercise] = []
    faults: list[Fault] = []
    for path in exercise_paths(paths):
        try:
            exercises.append(load_file(path))
        except ExerciseError as error:
            faults.extend(error.faults)
    first_of: dict[str, Exercise] = {}
    for exercise in exercises:
        other = first_of.setdefault(exercise.id, exercise)
        if other is not exercise:
            faults.append(Fault(exercise.path, 1, "$.id", msg("exercise.duplicate_id", id=exercise.id, other=other.path)))
    if faults:
        raise ExerciseError(faults)
    return sorted(exercises, key=lambda e: (e.lesson, e.order, e.id))


def load_file(path: str | Path) -> Exercise:
    path = Path(path)
    name = str(path)
    try:
        data = path.read_bytes()
    except OSError as error:
        raise ExerciseError([Fault(name, 1, "$", msg("exercise.unreadable", reason=error.strerror or error))]) from None
    if len(data) > MAX_BYTES:
        raise ExerciseError([Fault(name, 1, "$", msg("exercise.too_large", size=len(data), limit=MAX_BYTES))])
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise ExerciseError([Fault(name, 1, "$", msg("exercise.unreadable", reason=f"not UTF-8 ({error.reason})"))]) from None
    key = hashlib.sha256(f"{CACHE_FORMAT}\0{_code_key()}\0{name}\0".encode() + data).hexdigest()
    kept = _cached(key, name)
    if kept is not None:
        return kept
    document, lines = parse_yaml(text, name)
    faults = validate(document, lines, name)
    if not faults:
        from checks.lab import archives  # only for a file not validated before

        faults = archives.faults(document, lambda path: _line(lines, path), name)  # images shipped as files
    if faults:
        raise ExerciseError(faults)
    check_lines = [[index, _line(lines, ("checks", index))] for index in range(len(document["checks"]))]
    try:
        cache.write("exercises", key, json.dumps({"document": document, "check_lines": check_lines}).encode())
    except (TypeError, ValueError):
        pass  # a value JSON cannot hold (a YAML date a kind accepts): validated again next time
    return _exercise(document, lines, name)


@functools.cache
def _code_key() -> str:
    """What decides whether a file is valid and what it loads to: the schema, this loader, the model,
    and the kinds other packages add (checks.kinds.plugins)."""
    from checks.kinds import plugin_identity

    digest = hashlib.sha256()
    here = Path(__file__)
    for path in (here.with_name("exercise.schema.json"), here, here.with_name("model.py")):
        digest.update(path.read_bytes())
    digest.update(plugin_identity().encode())
    return digest.hexdigest()


def _cached(key: str, name: str) -> Exercise | None:
    """The exercise as loaded when this file was last validated, or None."""
    kept = cache.read("exercises", key)
    if kept is None:
        return None
    try:
        entry = json.loads(kept)
        lines = {("checks", index): line for index, line in entry["check_lines"]}
        return _exercise(entry["document"], lines, name)
    except (ValueError, KeyError, TypeError):
        return None


def parse_yaml(text: str, name: str) -> tuple[Any, dict[tuple, int]]:
    """The document and, for each JSON path (a tuple of keys and indexes), its 1-based line."""
    import yaml

    loader = None
    try:
        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)(text)  # libyaml when present: the same nodes, 5× faster; its reader refuses control characters already
        node = loader.get_single_node()
        if node is None:
            return None, {(): 1}
        lines: dict[tuple, int] = {}
        budget = [MAX_NODES]
        return _build(loader, node, (), lines, budget, name), lines
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        reason = " ".join(str(part) for part in (error.context, error.problem) if part)
        raise ExerciseError([Fault(name, mark.line + 1 if mark else 1, "$", msg("exercise.yaml", reason=reason))]) from None
    except yaml.reader.ReaderError as error:
        line = text.count("\n", 0, error.position) + 1
        raise ExerciseError([Fault(name, line, "$", msg("exercise.yaml", reason=str(error).splitlines()[0]))]) from None
    except yaml.YAMLError as error:
        raise ExerciseError([Fault(name, 1, "$", msg("exercise.yaml", reason=str(error).splitlines()[0]))]) from None
    except RecursionError:
        raise ExerciseError([Fault(name, 1, "$", msg("exercise.too_complex", limit=MAX_NODES))]) from None
    finally:
        if loader is not None:
            loader.dispose()


def _build(loader: yaml.SafeLoader, node: yaml.Node, path: tuple, lines: dict, budget: list[int], name: str) -> Any:
    import yaml

    budget[0] -= 1
    if budget[0] < 0:  # aliases can expand a small file into a huge document
        raise ExerciseError([Fault(name, node.start_mark.line + 1, _json_path(path), msg("exercise.too_complex", limit=MAX_NODES))])
    lines.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        loader.flatten_mapping(node)  # resolves `<<` merge keys
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node, deep=True)
            where = _json_path(path)
            if not isinstance(key, str):
                raise ExerciseError([Fault(name, key_node.start_mark.line + 1, where, msg("exercise.key_type", key=key))])
            if key in result:
                raise ExerciseError([Fault(name, key_node.start_mark.line + 1, where, msg("exercise.duplicate_key", key=key))])
            lines[path + (key,)] = key_node.start_mark.line + 1
            result[key] = _build(loader, value_node, path + (key,), lines, budget, name)
        return result
    if isinstance(node, yaml.SequenceNode):
        return [_build(loader, item, path + (index,), lines, budget, name) for index, item in enumerate(node.value)]
    return loader.construct_object(node, deep=True)


def _json_path(path: Iterable) -> str:
    """``$.checks[0].hint``; a key that is not a plain name is quoted: ``$["a key"]``."""
    text = "$"
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        elif re.fullmatch(r"[A-Za-z_][\w-]*", part, re.ASCII):
            text += f".{part}"
        else:
            text += f"[{json.dumps(part)}]"
    return text


def _line(lines: dict[tuple, int], path: tuple) -> int:
    while path not in lines and path:
        path = path[:-1]
    return lines.get(path, 1)


def validate(document: Any, lines: dict[tuple, int], name: str) -> list[Fault]:
    """Schema faults, most relevant first on each line, then the checks' unique names."""
    from jsonschema.exceptions import relevance

    from checks import schema

    faults = []
    for error in sorted(schema.validator().iter_errors(document), key=relevance):
        path = _unexpected_key(error, tuple(error.absolute_path))
        faults.append(Fault(name, _line(lines, path), _json_path(path), msg("exercise.schema", reason=_reason(error))))
    if faults or not isinstance(document, dict):
        return faults
    seen: dict[str, int] = {}
    for index, check in enumerate(document["checks"]):
        line = _line(lines, ("checks", index, "name"))
        if check["name"] in seen:
            faults.append(
                Fault(name, line, f"$.checks[{index}].name", msg("exercise.duplicate_check", name=check["name"], line=seen[check["name"]]))
            )
        seen.setdefault(check["name"], line)
    return faults


def _extra_keys(error) -> list[str]:
    """For an 'unexpected property' error: the keys neither the check nor its kind takes."""
    if error.validator != "additionalProperties" or not isinstance(error.instance, dict):
        return []
    allowed = _allowed_keys(error)
    return [key for key in error.instance if key not in allowed]


def _allowed_keys(error) -> set[str]:
    """The keys the object takes: a check's branch of its kind names the common keys and the kind's (checks.schema)."""
    return set(error.schema.get("properties", {}))


def _unexpected_key(error, path: tuple) -> tuple:
    """Points an 'unexpected property' error at the key itself rather than at its parent."""
    extra = _extra_keys(error)
    return path + (extra[0],) if extra else path


def _reason(error) -> Message:
    """jsonschema's error as a message in the user's language; rare validators keep jsonschema's English."""
    extra = _extra_keys(error)
    if extra:
        allowed = sorted(_allowed_keys(error))
        close = difflib.get_close_matches(extra[0], allowed, n=1)
        if close:
            return msg("schema.unknown_key_close", key=extra[0], close=close[0])
        return msg("schema.unknown_key", key=extra[0], allowed=", ".join(allowed))
    value, limit = _shown(error.instance), error.validator_value
    if error.validator == "required":
        missing = re.match(r"^'(.*)' is a required property$", error.message)
        return msg("schema.required", key=missing.group(1) if missing else ", ".join(limit))
    if error.validator == "enum":
        return msg("schema.enum", value=value, allowed=", ".join(map(_shown, limit)))
    if error.validator == "format":
        return msg("schema.format", value=value, format=limit.replace("docker-", ""))
    if error.validator == "type":
        return msg("schema.type", value=value, type=" | ".join(limit) if isinstance(limit, list) else limit)
    if error.validator in ("minLength", "maxLength", "minItems", "maxItems", "minimum", "maximum", "exclusiveMinimum", "pattern", "const"):
        return msg(f"schema.{error.validator}", value=value, limit=_shown(limit) if error.validator == "const" else limit)
    return msg("schema.other", reason=error.message)


def _shown(value: Any) -> str:
    """A value as the file would spell it, cut short."""
    text = json.dumps(value, ensure_ascii=False) if not isinstance(value, str) else repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _exercise(document: dict, lines: dict[tuple, int], name: str) -> Exercise:
    checks = tuple(
        Check(
            name=item["name"],
            kind=item["kind"],
            spec=item,
            points=item["points"],
            hint=item["hint"],
            visibility=item.get("visibility", "visible"),
            line=_line(lines, ("checks", index)),
        )
        for index, item in enumerate(document["checks"])
    )
    return Exercise(
        id=document["id"],
        lesson=document["lesson"],
        order=document["order"],
        title=document["title"],
        description=document["description"],
        checks=checks,
        path=name,
        images=tuple(document.get("images", ())),
        start=document.get("start", {}),
        compose=_compose(document.get("compose"), name),
    )


def _compose(compose: dict | None, name: str) -> dict:
    """The exercise's compose section, its file resolved beside the exercise file."""
    if not compose:
        return {}
    return {**compose, "file": str((Path(name).parent / compose["file"]).resolve())}


def select(exercises: list[Exercise], ids: Iterable[str]) -> list[Exercise]:
    """The exercises with these ids, in lesson order; an unknown id is a UsageError naming the closest."""
    ids = list(ids)
    if not ids:
        return exercises
    known = {exercise.id: exercise for exercise in exercises}
    for wanted in ids:
        if wanted not in known:
            raise UsageError(msg("usage.unknown_id", id=wanted, closest=", ".join(closest(wanted, known))))
    return [exercise for exercise in exercises if exercise.id in ids]
