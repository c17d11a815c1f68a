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
    kind = name = re.fullmatch(r' *"(\w+)",\n', line).group(1)  # a kind is its module's name
    path = tmp_path / f"{name}.py"  # step 1: the module (outside the package, not to change it)
    path.write_text(source)
    [KINDS[name] for name in KINDS]  # imported now: a kind imported while the catalog is this test's copy would leave its messages in it
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
    monkeypatch.setitem(KINDS, kind, module)  # step 2: its name in the registry (here, the module given as it is)
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


def test_every_pure_test_file_is_in_the_mutation_selection():
    """scripts/mutation.sh runs setup.cfg's fast tests against each mutant: a pure test file left out
    lets the mutants it would kill survive (the output and events kinds failed the run that way)."""
    import configparser

    config = configparser.ConfigParser()
    config.read(ROOT / "setup.cfg")
    selected = set(config["mutmut"]["pytest_add_cli_args_test_selection"].split())
    pure = {f"tests/{path.name}" for path in (ROOT / "tests").glob("test_*_pure.py")}
    assert sorted(pure - selected) == []
