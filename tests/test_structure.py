"""The grader's structure: module imports form no cycle, and the package's __init__ imports nothing.

Read from the code's syntax tree: imports at module level (not inside a function, not under
``if TYPE_CHECKING``), resolved to the grader's own modules.
"""

from __future__ import annotations

import ast
import subprocess
import sys

from conftest import ROOT

PACKAGE = ROOT / "checks"


def module_name(path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(path): path for path in PACKAGE.rglob("*.py") if "__pycache__" not in path.parts}


def module_level_imports(tree: ast.Module) -> list[ast.stmt]:
    found = []
    for node in tree.body:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            found.append(node)
        elif isinstance(node, ast.If) and "TYPE_CHECKING" not in ast.unparse(node.test):
            found += [child for child in node.body + node.orelse if isinstance(child, (ast.Import, ast.ImportFrom))]
        elif isinstance(node, ast.Try):
            found += [child for child in node.body if isinstance(child, (ast.Import, ast.ImportFrom))]
    return found


def graph() -> dict[str, set[str]]:
    edges: dict[str, set[str]] = {name: set() for name in MODULES}
    for name, path in MODULES.items():
        for node in module_level_imports(ast.parse(path.read_text())):
            targets = [alias.name for alias in node.names] if isinstance(node, ast.Import) else [
                f"{node.module}.{alias.name}" if f"{node.module}.{alias.name}" in MODULES else node.module
                for alias in node.names
            ]
            edges[name] |= {target for target in targets if target in MODULES and target != name}
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


def test_the_import_graph_has_no_cycle():
    edges = graph()
    assert len(edges) > 30 and edges["checks.runner"]  # the graph was read
    assert cycles(edges) == []


def test_a_cycle_is_found():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == [["a", "b", "c", "a"]]


def test_the_package_imports_nothing_so_a_kind_can_import_any_part():
    assert module_level_imports(ast.parse((PACKAGE / "__init__.py").read_text())) == []
    # A kind importing a value type first, in a fresh interpreter, must not meet a half-initialised package.
    code = "from checks.results import Result; from checks.kinds import image; print(image.evaluate.__name__)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 0 and done.stdout.strip() == "evaluate", done.stderr
