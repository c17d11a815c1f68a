"""Every message of the grader exists in pt-BR and en, with the same fields; the code uses every key, and
only keys that exist (read from the code's syntax tree, whatever the quoting)."""

from __future__ import annotations

import ast
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

import importlib
import pkgutil

import checks
from checks.messages import CATALOG, LANGS, detect_lang, placeholders

# Each module registers its own messages as it is imported (a kind's are beside its code): import them all first.
for _module in pkgutil.walk_packages(checks.__path__, "checks."):
    if _module.name != "checks.__main__":
        importlib.import_module(_module.name)

from conftest import ROOT
from import_graph import MODULES, graph, module_name, reachable


@pytest.mark.parametrize("key", sorted(CATALOG))
def test_both_languages_with_the_same_fields(key):
    texts = CATALOG[key]
    assert set(texts) == set(LANGS), f"{key} misses a language"
    assert all(texts[lang].strip() for lang in LANGS)
    assert placeholders(texts["pt-BR"]) == placeholders(texts["en"])


# Catalog keys that no code uses yet, on purpose; each says why. A key listed here that the
# code does use, or that left the catalog, fails the test too.
KNOWN_UNUSED: dict[str, str] = {}


def message_keys() -> tuple[set[str], list[str]]:
    """The catalog keys the code under checks/ uses, read from its syntax tree, and the problems found:
    keys not in the catalog, and keys that cannot be told from the code."""
    by_file, problems = keys_by_file()
    return set().union(*by_file.values()), problems


def keys_by_file() -> tuple[dict[Path, set[str]], list[str]]:
    """The catalog keys each file under checks/ uses, and the problems found (see message_keys)."""
    by_file: dict[Path, set[str]] = {}
    problems: list[str] = []
    paths = [path for path in sorted((ROOT / "checks").rglob("*.py")) if path != ROOT / "checks" / "messages.py"]
    trees = {path: ast.parse(path.read_text(), str(path)) for path in paths}  # messages.py: defines msg, no key
    wrappers = {name: param for tree in trees.values() for name, param in _wrappers(tree).items()}
    for path, tree in trees.items():
        used = by_file.setdefault(path, set())
        parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
        for call in (node for node in ast.walk(tree) if isinstance(node, ast.Call)):
            name = _called(call)
            if name not in {"msg", "Message"} | set(wrappers) or not call.args:
                continue
            where = f"{path.relative_to(ROOT)}:{call.lineno}"
            first = call.args[0]
            if isinstance(first, ast.Name) and _inside_wrapper_on(first.id, call, parents, wrappers):
                continue  # the wrapper's callers name the keys
            keys = _keys(first, parents)
            if keys is None:
                problems.append(f"{where}: the key {ast.unparse(first)} cannot be told from the code")
                continue
            if not keys:
                problems.append(f"{where}: {ast.unparse(first)} names no catalog key")
            problems += [f"{where}: {key!r} is not in the catalog" for key in keys - set(CATALOG)]
            used |= keys & set(CATALOG)
    return by_file, problems


def _called(call: ast.Call) -> str | None:
    if isinstance(call.func, ast.Name):
        return call.func.id
    return call.func.attr if isinstance(call.func, ast.Attribute) else None


def _wrappers(tree: ast.AST) -> dict[str, str]:
    """Functions that pass their first parameter on as a message key, like ``say(key, **params)``."""
    found = {}
    for function in (node for node in ast.walk(tree) if isinstance(node, ast.FunctionDef)):
        params = [p for p in function.args.posonlyargs + function.args.args if p.arg not in ("self", "cls")]
        if not params:
            continue
        for call in (node for node in ast.walk(function) if isinstance(node, ast.Call)):
            first = call.args[0] if call.args else None
            if _called(call) in ("msg", "Message") and isinstance(first, ast.Name) and first.id == params[0].arg:
                found[function.name] = params[0].arg
    return found


def _keys(node: ast.expr, parents: dict) -> set[str] | None:
    """The keys a first argument can be: a literal, or an f-string whose fields are bounded by a
    literal tuple (``for key in ("a", "b")``, ``if x in ("a", "b")``) or else by the catalog."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return {node.value}
    if not isinstance(node, ast.JoinedStr):
        return None
    spellings = [""]  # regular expressions, one per combination of the bounded fields
    for part in node.values:
        if isinstance(part, ast.Constant):
            spellings = [done + re.escape(part.value) for done in spellings]
            continue
        bound = _bound(ast.unparse(part.value), node, parents)
        options = [re.escape(value) for value in bound] if bound is not None else ["[A-Za-z0-9_]+"]
        spellings = [done + option for done in spellings for option in options]
    keys = set()
    for spelling in spellings:
        matching = {key for key in CATALOG if re.fullmatch(spelling, key)}
        exact = "[" not in spelling  # every field bounded: the key itself, in the catalog or not
        keys |= matching if matching or not exact else {re.sub(r"\\(.)", r"\1", spelling)}
    return keys


def _inside_wrapper_on(name: str, node: ast.AST, parents: dict, wrappers: dict[str, str]) -> bool:
    while node in parents:
        node = parents[node]
        if isinstance(node, ast.FunctionDef) and wrappers.get(node.name) == name:
            return True
    return False


def _bound(expression: str, node: ast.AST, parents: dict) -> list[str] | None:
    """The literal strings an expression is limited to where ``node`` runs, if the code says."""

    def literals(values: ast.expr) -> list[str] | None:
        if isinstance(values, (ast.Tuple, ast.List, ast.Set)) and all(
            isinstance(item, ast.Constant) and isinstance(item.value, str) for item in values.elts
        ):
            return [item.value for item in values.elts]
        return None

    while node in parents:
        node = parents[node]
        tests = [node.test] if isinstance(node, (ast.If, ast.IfExp, ast.While)) else []
        generators = node.generators if isinstance(node, (ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp)) else []
        loops = [node] if isinstance(node, ast.For) else []
        for generator in list(generators) + loops:
            if ast.unparse(generator.target) == expression and literals(generator.iter) is not None:
                return literals(generator.iter)
            tests += getattr(generator, "ifs", [])
        for test in tests:
            if (
                isinstance(test, ast.Compare) and len(test.ops) == 1 and isinstance(test.ops[0], ast.In)
                and ast.unparse(test.left) == expression and literals(test.comparators[0]) is not None
            ):
                return literals(test.comparators[0])
    return None


def test_every_key_used_in_the_code_is_in_the_catalog():
    used, problems = message_keys()
    assert used and problems == []


def test_every_catalog_key_is_used_by_the_code():
    used, _ = message_keys()
    unused = set(CATALOG) - used
    assert unused == set(KNOWN_UNUSED), f"unused: {sorted(unused - set(KNOWN_UNUSED))}; listed but used or gone: {sorted(set(KNOWN_UNUSED) - unused)}"


@pytest.mark.parametrize("environ, lang", [
    ({}, "pt-BR"),
    ({"LANG": "C.UTF-8"}, "pt-BR"),
    ({"LANG": "en_US.UTF-8"}, "en"),
    ({"LC_ALL": "pt_BR.UTF-8", "LANG": "en_US.UTF-8"}, "pt-BR"),
    ({"LC_ALL": "en_GB", "LANG": "pt_BR"}, "en"),
])
def test_language_from_the_environment(environ, lang):
    assert detect_lang(environ) == lang


OWNERS = """
import importlib, json, pkgutil, sys
import checks, checks.messages as messages
owners = dict.fromkeys(messages.CATALOG, "checks.messages")
register = messages.register
def recorded(catalog):
    owners.update(dict.fromkeys(catalog, sys._getframe(1).f_globals["__name__"]))
    register(catalog)
messages.register = recorded
for module in pkgutil.walk_packages(checks.__path__, "checks."):
    if module.name != "checks.__main__":
        importlib.import_module(module.name)
print(json.dumps(owners))
"""


def test_a_module_that_says_a_message_imports_the_module_that_registers_it():
    """No registration from below: a module's messages exist once it is imported (it calls
    ``register``), so whoever says a key must import its owner, directly or through others (an
    import inside a function counts: the key is said there). Otherwise the key would be missing
    whenever the owner happens not to be imported yet: a check kind is imported only when used."""
    done = subprocess.run([sys.executable, "-c", OWNERS], capture_output=True, text=True, cwd=ROOT, check=True)
    owners = json.loads(done.stdout)
    edges = graph()
    assert {owners["image.missing"], owners["none"], owners["boundary.top_failed"]} == {"checks.kinds.image", "checks.messages", "checks.boundary.messages"}
    by_file, _ = keys_by_file()
    strays = []
    for path, keys in by_file.items():
        imported = reachable(edges, module_name(path)) | {"checks.messages"}
        strays += [f"{path.relative_to(ROOT)}: {key} ({owners[key]})" for key in sorted(keys) if owners[key] not in imported]
    assert strays == []

