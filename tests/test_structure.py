"""The grader's structure: module imports form no cycle, function-level imports included, and the
package's __init__ imports nothing.

Read from the code's syntax tree (tests/import_graph.py): every import statement that can run,
resolved to the grader's own modules. An import inside a function is still a dependency: it only
runs later, so a circle through one hides until the day someone moves it to the top.
"""

from __future__ import annotations

import ast
import subprocess
import sys

import pytest

from conftest import ROOT
from import_graph import MODULES, PACKAGE, cycles, graph, import_nodes, targets

# Registries that import a sibling module by its name at run time (importlib), which the graph cannot
# see: the kind registry and the report writers. Each such module must sit below its registry: it
# may ask the registry for another kind inside a function (the events kind's without_events), but
# never import it as it is itself imported, or importing a kind would run the registry half-made.
LOADED_BY_NAME = {"checks.kinds": "checks.kinds.", "checks.report": "checks.report."}


def test_the_import_graph_has_no_cycle_function_level_imports_included():
    edges = graph()
    assert len(edges) > 30 and edges["checks.runner"]  # the graph was read
    assert "checks.batch" in edges["checks.cli"]  # an import inside a function is an edge too
    assert cycles(edges) == []


def test_the_graph_sees_imports_in_functions_and_not_under_type_checking():
    tree = ast.parse(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from checks import cli\n"
        "def f():\n    from checks import batch\n    import checks.lab.images\n"
    )
    assert set().union(*map(targets, import_nodes(tree))) == {"checks.batch", "checks.lab.images"}
    assert import_nodes(tree, module_level_only=True)[1:] == []  # only `from typing import ...`


def test_a_module_loaded_by_name_does_not_import_its_registry_at_module_level():
    module_level = graph(module_level_only=True)
    for registry, prefix in LOADED_BY_NAME.items():
        loaded = [name for name in MODULES if name.startswith(prefix)]
        assert loaded and [name for name in loaded if registry in module_level[name]] == []


def test_a_cycle_is_found():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == [["a", "b", "c", "a"]]


def test_the_package_imports_nothing_so_a_kind_can_import_any_part():
    assert import_nodes(ast.parse((PACKAGE / "__init__.py").read_text())) == []
    # A kind importing a value type first, in a fresh interpreter, must not meet a half-initialised package.
    code = "from checks.results import Result; from checks.kinds import image; print(image.evaluate.__name__)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 0 and done.stdout.strip() == "evaluate", done.stderr


def test_a_new_kind_is_a_module_and_a_registry_line(tmp_path, monkeypatch):
    """CONTRIBUTING.md's example kind, registered for this test only, graded with its new read given
    by a FakeSource (tests/test_contributing_kind.py follows every step, on a copy of the package)."""
    import importlib.util
    import re

    from apijson import FakeSource, container_json, image_id, snapshot
    from checks import exercises, grading, messages, reads, schema
    from checks.kinds import KINDS
    from test_contributing_kind import blocks

    texts = {(path, placement, table): text for path, placement, table, text in blocks()}
    kind = name = re.fullmatch(r' *"(\w+)",\n', texts[("checks/kinds/__init__.py", "in", "BUILT_IN_NAMES")]).group(1)  # a kind is its module's name
    path = tmp_path / f"{name}.py"  # the module (outside the package, not to change it)
    path.write_text(texts[(f"checks/kinds/{name}.py", None, None)])
    [KINDS[name] for name in KINDS]  # imported now: a kind imported while the catalog is this test's copy would leave its messages in it
    monkeypatch.setattr(messages, "CATALOG", dict(messages.CATALOG))  # its messages, for this test only
    monkeypatch.setattr(reads, "DAEMON", dict(reads.DAEMON))  # the read it provides, for this test only
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert "top" in reads.names()
    exercise = tmp_path / "sample.yaml"
    exercise.write_text(texts[(f"tests/data/valid/{name}.yaml", None, None)])
    schema.validator.cache_clear()
    with pytest.raises(Exception) as refused:
        exercises.load([exercise])
    assert kind in str(refused.value.render("en"))  # not a kind yet: the file is refused
    monkeypatch.setitem(KINDS, kind, module)  # its name in the registry (here, the module given as it is)
    schema.validator.cache_clear()
    try:
        (loaded,) = exercises.load([exercise])
        assert f'"const": "{kind}"' in schema.dumps()  # what `schema --write` writes
        source = FakeSource()
        source.providers["top"] = lambda container_id: ["sleep 300"]
        running = snapshot([], [container_json("c" * 64, "/sleeper", "alpine:3.14", image_id("ab"), "running", "Up 2 seconds")], source)
        exited = snapshot([], [container_json("c" * 64, "/sleeper", "alpine:3.14", image_id("ab"), "exited", "Exited (0)")], source)
        (passed,) = grading.grade_exercise(loaded, running).checks
        (failed,) = grading.grade_exercise(loaded, exited).checks
        assert passed.passed and not failed.passed
        assert failed.result.found.render("pt-BR") == "nenhum container chamado sleeper rodando"
        assert source.asked == [("top", "c" * 64)] and set(module.READS) == {"top"}
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
        asked[check.kind] |= {call[0] for call in source.asked}
    assert all(asked[name] <= set(KINDS[name].READS) for name in KINDS), asked
    assert asked["containers"] == {"inspect", "logs"}  # the course does make both reads


def test_a_kind_says_through_its_hooks_whether_it_needs_a_start_point_and_may_grade_the_state(monkeypatch):
    """baseline.notes and the schema's state_check ask the kind (NEEDS_START, GRADED_ON_STATE), not its name."""
    from types import SimpleNamespace

    from checks import baseline, schema
    from checks.kinds import KINDS, image
    from checks.messages import msg

    throwaway = SimpleNamespace(SCHEMA=image.SCHEMA, MESSAGES={}, READS=("events",), evaluate=image.evaluate,
                                NEEDS_START=True, GRADED_ON_STATE=False)
    monkeypatch.setitem(KINDS, "throwaway", throwaway)

    def of(*kinds):  # an exercise with checks of these kinds
        return [SimpleNamespace(checks=[SimpleNamespace(kind=kind) for kind in kinds])]

    assert baseline.notes(None, of("image", "throwaway")) == (msg("baseline.none"),)
    assert baseline.notes(None, of("image", "registry")) == ()  # they read events too, and grade without a record
    assert baseline.notes(None, of("events")) == (msg("baseline.none"),)
    state_kinds = schema.build()["$defs"]["state_check"]["properties"]["kind"]["enum"]
    assert "throwaway" not in state_kinds and "events" not in state_kinds and {"image", "registry"} <= set(state_kinds)


def test_a_kinds_own_read_cannot_take_a_name_already_read(monkeypatch):
    from checks import reads

    monkeypatch.setattr(reads, "DAEMON", dict(reads.DAEMON))

    def inspect(client, container_id):  # another function under a name the daemon reads already
        return None

    for name in ("inspect", "events"):
        with pytest.raises(ValueError, match=name):
            reads.provide(name, inspect)
    reads.provide("inspect", reads.inspect)  # the same function again: a module imported twice
    reads.provide("mine", inspect)
    assert "mine" in reads.names() and "mine" not in reads.NAMES
