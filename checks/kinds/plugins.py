"""Check kinds from other packages: the ``docker_grader.kinds`` entry-point group.

A distribution adds a kind with an entry point ``NAME = module`` (or ``module:object``) in that
group; the object has a built-in kind's contract (``SCHEMA`` with its ``properties``, ``MESSAGES``
keyed ``NAME.*`` in pt-BR and en, optional ``READS``, a pure ``evaluate(spec, snapshot)``). It is
checked here once, when the registry is built, and its messages are registered. A name of a
built-in kind is refused, as is a kind two packages bring; a plugin that does not import or keeps
no contract is not registered, and the problem, naming its package, is kept for the front ends to
report (``checks.kinds.refuse_broken_plugins``): importing the registry itself never raises.

Plugins run inside the grader as the instructor's own code (docs/packaging.md, "Kinds from other
packages").

The entry points are read from the ``*.dist-info`` and ``*.egg-info`` folders of ``sys.path``, as
importlib.metadata finds them (first distribution of a name wins), without importing it: it brings
email, zipfile and csv into every run, which `check` otherwise never needs (tests/test_check_cost.py).
"""

from __future__ import annotations

import importlib
import os
import re
import sys
from dataclasses import dataclass
from typing import Any, Iterable, Mapping

from checks.messages import CATALOG, LANGS, Message, msg, register
from checks import reads as daemon_reads

GROUP = "docker_grader.kinds"
KIND_NAME = re.compile(r"[a-z][a-z0-9_]{0,39}")
COMMON_KEYS = ("name", "kind", "points", "hint", "visibility")  # every check's own (checks.schema.CHECK_COMMON)

# ---- kinds from other packages (ecosystem) ----
MESSAGES = {
    "plugin.broken": {
        "pt-BR": "o tipo de verificação {kind!r} do pacote {package} (ponto de entrada {value}, grupo {group}) não carregou: "
                 "{reason}. Corrija ou desinstale o pacote (pip uninstall {package})",
        "en": "check kind {kind!r} of package {package} (entry point {value}, group {group}) did not load: {reason}. "
              "Fix or uninstall the package (pip uninstall {package})",
    },
    "plugin.contract": {
        "pt-BR": "o tipo de verificação {kind!r} do pacote {package} não cumpre o contrato de um tipo: {reason} "
                 "(veja docs/packaging.md, \"Kinds from other packages\")",
        "en": "check kind {kind!r} of package {package} does not keep a kind's contract: {reason} "
              "(see docs/packaging.md, \"Kinds from other packages\")",
    },
    "plugin.builtin": {
        "pt-BR": "o pacote {package} traz um tipo de verificação {kind!r}, nome de um tipo próprio do docker-grader, que não "
                 "pode ser substituído: dê outro nome ao tipo no ponto de entrada do pacote",
        "en": "package {package} brings a check kind {kind!r}, the name of one of docker-grader's own kinds, which cannot be "
              "replaced: give the kind another name in the package's entry point",
    },
    "plugin.twice": {
        "pt-BR": "os pacotes {first} e {package} trazem, os dois, o tipo de verificação {kind!r}: desinstale um deles",
        "en": "packages {first} and {package} both bring check kind {kind!r}: uninstall one of them",
    },
}
register(MESSAGES)


@dataclass(frozen=True)
class EntryPoint:
    name: str
    value: str  # module or module:attribute
    package: str  # the distribution's name, as pip shows it
    version: str


def entry_points(paths: Iterable[str] | None = None, group: str = GROUP) -> list[EntryPoint]:
    """The group's entry points of every distribution on ``paths`` (default: sys.path)."""
    found: list[EntryPoint] = []
    seen: set[str] = set()
    for root in sys.path if paths is None else paths:
        try:
            names = sorted(entry.name for entry in os.scandir(root or ".") if entry.name.endswith((".dist-info", ".egg-info")))
        except OSError:
            continue  # a zip, a path hook or a folder that is gone: no distributions of ours there
        for name in names:
            package, _, version = name.rsplit(".", 1)[0].partition("-")
            key = re.sub(r"[-_.]+", "-", package).lower()
            if key in seen:
                continue
            seen.add(key)
            try:
                with open(os.path.join(root or ".", name, "entry_points.txt"), encoding="utf-8") as stream:
                    text = stream.read()
            except (OSError, UnicodeDecodeError):
                continue
            pairs = _section(text, group)
            if pairs:
                package, version = _name_and_version(os.path.join(root or ".", name), package, version.split("-")[0])
                found += [EntryPoint(kind, value, package, version) for kind, value in pairs]
    return found


def _name_and_version(folder: str, package: str, version: str) -> tuple[str, str]:
    """The distribution's name as its author spelled it (the folder's is normalised: sneaky_kinds
    for sneaky-kinds), from the head of its METADATA (PKG-INFO in an .egg-info)."""
    for file in ("METADATA", "PKG-INFO"):
        try:
            with open(os.path.join(folder, file), encoding="utf-8", errors="replace") as stream:
                head = stream.read(4096).split("\n\n", 1)[0]
        except OSError:
            continue
        fields = dict(line.split(": ", 1) for line in head.splitlines() if ": " in line)
        return fields.get("Name", package).strip(), fields.get("Version", version).strip()
    return package, version


def _section(text: str, group: str) -> list[tuple[str, str]]:
    """``name = value`` lines of one [group] of an entry_points.txt (an INI file)."""
    pairs, current = [], None
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("[") and line.endswith("]"):
            current = line[1:-1].strip()
        elif current == group and "=" in line:
            name, value = (part.strip() for part in line.split("=", 1))
            pairs.append((name, value))
    return pairs


def load(builtin: Mapping[str, Any], points: Iterable[EntryPoint] | None = None) -> tuple[dict[str, Any], list[Message]]:
    """The kinds the installed plugins add, and a message for each one refused."""
    kinds: dict[str, Any] = {}
    owners: dict[str, str] = {}
    problems: list[Message] = []
    for point in entry_points() if points is None else points:
        where = {"kind": point.name, "package": point.package}
        if point.name in builtin:
            problems.append(msg("plugin.builtin", **where))
            continue
        if point.name in owners:
            problems.append(msg("plugin.twice", first=owners[point.name], **where))
            continue
        try:
            kind = _import(point.value)
        except Exception as error:  # noqa: BLE001 - any fault of a plugin's import is the plugin's, named with it
            problems.append(msg("plugin.broken", value=point.value, group=GROUP, reason=_said(error), **where))
            continue
        reason = contract_fault(point.name, kind)
        if reason is None:
            try:
                register(kind.MESSAGES)
            except KeyError as error:
                reason = str(error.args[0])
        if reason is not None:
            problems.append(msg("plugin.contract", reason=reason, **where))
            continue
        kinds[point.name] = kind
        owners[point.name] = point.package
    return kinds, problems


def _import(value: str) -> Any:
    module, _, attribute = value.partition(":")
    found = importlib.import_module(module.strip())
    for part in filter(None, attribute.strip().split(".")):
        found = getattr(found, part)
    return found


def _said(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"


def contract_fault(name: str, kind: Any) -> str | None:
    """What a plugin kind lacks of a built-in kind's contract, or None."""
    if not KIND_NAME.fullmatch(name):
        return f"the name must match {KIND_NAME.pattern}"
    schema = getattr(kind, "SCHEMA", None)
    if not isinstance(schema, Mapping) or not isinstance(schema.get("properties"), Mapping) or not schema["properties"]:
        return "SCHEMA must be a JSON Schema fragment with the kind's keys in `properties`"
    taken = sorted(set(schema["properties"]) & set(COMMON_KEYS))
    if taken:
        return f"SCHEMA redefines keys every check has: {', '.join(taken)}"
    if not callable(getattr(kind, "evaluate", None)):
        return "evaluate(spec, snapshot) -> Result is missing"
    messages = getattr(kind, "MESSAGES", None)
    if not isinstance(messages, Mapping):
        return "MESSAGES must map message keys to their texts"
    for key, texts in messages.items():
        if not isinstance(key, str) or not key.startswith(f"{name}."):
            return f"message key {key!r} must start with {name + '.'!r}"
        if not isinstance(texts, Mapping) or set(texts) != set(LANGS) or not all(isinstance(t, str) and t for t in texts.values()):
            return f"message {key!r} needs a text in each of {', '.join(LANGS)}"
        if key in CATALOG and CATALOG[key] != dict(texts):
            return f"message {key!r} is the grader's own already"
    reads = getattr(kind, "READS", ())
    if not isinstance(reads, (tuple, list)) or not set(reads) <= set(daemon_reads.names()):
        return f"READS must list some of: {', '.join(daemon_reads.names())}"
    return None


def identity(kinds: Mapping[str, Any], points: Iterable[EntryPoint]) -> str:
    """What the plugin kinds are, for the exercise cache's key: a file valid with a plugin is not
    kept valid without it, or with another version of it."""
    import json

    owned = {point.name: point for point in points}
    return json.dumps(
        [[name, owned[name].package, owned[name].version, kinds[name].SCHEMA] for name in sorted(kinds) if name in owned],
        sort_keys=True, default=repr,
    )
