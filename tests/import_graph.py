"""The grader's import graph, read from its syntax tree: which of its own modules each module
imports, anywhere in its text (at module level, inside a function or a class, under ``if`` or
``try``), but not under ``if TYPE_CHECKING`` (never run). Shared by test_structure (no circles),
test_messages (a key's owner is imported by whoever says it) and test_imports.

What it cannot see: a module imported by name at run time (``importlib.import_module``). The grader
does that in two registries, each loading a sibling module of its own package, found by name:
the check kinds (checks.kinds.KINDS) and the report writers (checks.report.WRITERS). Such a
module sits below its registry and never imports it at module level; test_structure checks that.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "checks"


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(path): path for path in sorted(PACKAGE.rglob("*.py")) if "__pycache__" not in path.parts}


def import_nodes(tree: ast.AST, module_level_only: bool = False) -> list[ast.Import | ast.ImportFrom]:
    """Every import statement that can run, in source order; with ``module_level_only``, only those
    run as the module is imported (not inside a function or class)."""
    found: list = []

    def visit(node: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.Import, ast.ImportFrom)):
                found.append(child)
            elif isinstance(child, ast.If) and "TYPE_CHECKING" in ast.unparse(child.test):
                for other in child.orelse:
                    visit(ast.Module(body=[other], type_ignores=[]))
            elif module_level_only and isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
                continue
            else:
                visit(child)

    visit(tree)
    return found


def targets(node: ast.Import | ast.ImportFrom) -> set[str]:
    """The grader's modules an import statement imports (``from checks.kinds import image`` is checks.kinds.image)."""
    if isinstance(node, ast.Import):
        names = [alias.name for alias in node.names]
    else:
        names = [f"{node.module}.{alias.name}" if f"{node.module}.{alias.name}" in MODULES else node.module for alias in node.names]
    return {name for name in names if name in MODULES}


def graph(module_level_only: bool = False) -> dict[str, set[str]]:
    edges: dict[str, set[str]] = {name: set() for name in MODULES}
    for name, path in MODULES.items():
        for node in import_nodes(ast.parse(path.read_text()), module_level_only):
            edges[name] |= targets(node) - {name}
    return edges


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    found, state = [], {}

    def visit(node: str, trail: list[str]) -> None:
        state[node] = "open"
        for target in sorted(edges[node]):
            if state.get(target) == "open":
                found.append(trail[trail.index(target):] + [target])
            elif target not in state:
                visit(target, trail + [target])
        state[node] = "done"

    for node in sorted(edges):
        if node not in state:
            visit(node, [node])
    return found


def reachable(edges: dict[str, set[str]], start: str) -> set[str]:
    """``start`` and every module it imports, directly or through others."""
    seen, todo = {start}, [start]
    while todo:
        for target in edges[todo.pop()] - seen:
            seen.add(target)
            todo.append(target)
    return seen
