"""The grader's structure: module imports form no cycle, and the package's __init__ imports nothing.

Read from the code's syntax tree: imports at module level (not inside a function, not under
``if TYPE_CHECKING``), resolved to the grader's own modules.
"""

from __future__ import annotations

import ast
import subprocess
import sys

import pytest

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


def contributing_kind() -> tuple[str, str]:
    """The example module and its registry line, from CONTRIBUTING.md's "Adding a check kind"."""
    import re
    import textwrap

    section = (ROOT / "CONTRIBUTING.md").read_text().split("\n## Adding a check kind\n", 1)[1].split("\n## ", 1)[0]
    module, line = (textwrap.dedent(block) for block in re.findall(r"^ *```python\n(.*?)^ *```", section, re.M | re.S))
    return module, line


def test_a_new_kind_is_a_module_and_a_registry_line(tmp_path, monkeypatch):
    """CONTRIBUTING.md's steps 1 to 3, with its own example, registered for this test only."""
    import importlib.util
    import re

    from apijson import container_json, image_id
    from checks import exercises, grading, messages, schema
    from checks.kinds import KINDS
    from checks.snapshot import Snapshot

    source, line = contributing_kind()
    kind, name = re.fullmatch(r' *"(\w+)": (\w+),\n', line).groups()
    path = tmp_path / f"{name}.py"  # step 1: the module (outside the package, not to change it)
    path.write_text(source)
    monkeypatch.setattr(messages, "CATALOG", dict(messages.CATALOG))  # its messages, for this test only
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    exercise = tmp_path / "web.yaml"
    exercise.write_text(
        "id: web\nlesson: containers\norder: 1\ntitle: {pt-BR: Web, en: Web}\ndescription: {pt-BR: d, en: d}\n"
        f"checks:\n  - {{name: web-up, kind: {kind}, container: web, state: running, points: 1,"
        " hint: {pt-BR: Rode o web., en: Run web.}}\n"
    )
    schema.validator.cache_clear()
    with pytest.raises(Exception) as refused:
        exercises.load([exercise])
    assert kind in str(refused.value.render("en"))  # not a kind yet: the file is refused
    monkeypatch.setitem(KINDS, kind, module)  # step 2: its line in KINDS
    schema.validator.cache_clear()
    try:
        (loaded,) = exercises.load([exercise])
        assert f'"const": "{kind}"' in schema.dumps()  # step 3: what `schema --write` writes
        running = Snapshot.from_api([], [container_json("c" * 64, "/web", "nginx", image_id("ab"), "running", "Up 2 seconds")])
        exited = Snapshot.from_api([], [container_json("c" * 64, "/web", "nginx", image_id("ab"), "exited", "Exited (0)")])
        (passed,) = grading.grade_exercise(loaded, running).checks
        (failed,) = grading.grade_exercise(loaded, exited).checks
        assert passed.passed and not failed.passed
        assert failed.result.found.render("pt-BR") == "o container web está exited"
        assert grading.grade_exercise(loaded, Snapshot.from_api([], [])).checks[0].result.found.render("en") == "no container named web"
    finally:
        schema.validator.cache_clear()


def test_every_kind_asks_the_snapshot_only_for_the_reads_it_declares():
    """READS is what a kind costs beyond the two lists; grading every check of the course and of
    tests/data/valid on a snapshot that answers every lazy read must ask for nothing else."""
    from apijson import FakeSource, container_json, image_id, image_json, snapshot
    from checks import exercises, grading
    from checks.kinds import KINDS

    checks = [check for folder in (ROOT / "exercises", ROOT / "tests" / "data" / "valid")
              for exercise in exercises.load([folder]) for check in exercise.checks]
    assert {check.kind for check in checks} == set(KINDS)
    images = [image_json(image_id("ab"), ["hello-world:latest"], ["hello-world@sha256:" + "1" * 64]),
              image_json(image_id("cd"), ["alpine:3.14"])]
    containers = [container_json("a" * 64, "/one", image_id("ab").removeprefix("sha256:")[:12], image_id("ab")),
                  container_json("b" * 64, "/two", "alpine:3.14", image_id("cd"), "running", "Up 1 second")]
    asked = {name: set() for name in KINDS}
    for check in checks:
        source = FakeSource({"a" * 64: "hello-world"}, {"a" * 64: "Hello from Docker!"})
        grading.evaluate(check, snapshot(images, containers, source))
        asked[check.kind] |= {call[0] for call in source.calls}
    assert all(asked[name] <= set(KINDS[name].READS) for name in KINDS), asked
    assert asked["containers"] == {"inspect", "logs"}  # the course does make both reads

