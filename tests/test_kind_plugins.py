"""Kinds from other packages (the ``docker_grader.kinds`` entry-point group): a throwaway
distribution is built and installed with pip into a folder of its own, then graded with through
the CLI against the tests' daemon; a built-in name, a plugin that does not import and one that
keeps no contract are refused, naming the package. The registry's checks on hand-made entry points
run without pip."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from checks import messages
from checks.kinds import BUILT_IN, plugins

from conftest import ROOT

KIND = '''
"""Containers that carry a label: a course's own check kind."""

from checks.messages import msg, register
from checks.results import Result

MESSAGES = {
    "container_label.found": {
        "pt-BR": "{count} container(s) com o rótulo {label}",
        "en": "{count} container(s) labelled {label}",
    },
}
register(MESSAGES)

READS = ()

SCHEMA = {
    "properties": {
        "label": {"type": "string", "pattern": "^[a-z.]+=.*$", "description": "KEY=VALUE"},
        "count": {"type": "integer", "minimum": 0},
    },
    "required": ["label", "count"],
}


def evaluate(spec, snapshot):
    key, _, value = spec["label"].partition("=")
    count = sum(container.labels.get(key) == value for container in snapshot.containers)
    return Result(count == spec["count"], msg("container_label.found", count=count, label=spec["label"]))
'''

EXERCISE = """\
id: labelled
lesson: plugins
order: 1
title: {pt-BR: Rotule, en: Label}
description: {pt-BR: Crie um container rotulado., en: Create a labelled container.}
checks:
  - name: one-labelled
    kind: container_label
    label: course.part=one
    count: 1
    points: 2
    hint: {pt-BR: Crie um container com --label course.part=one., en: Create a container with --label course.part=one.}
"""


def distribution(folder: Path, package: str, entry_points: dict[str, str], modules: dict[str, str]) -> Path:
    """A source tree of a distribution named ``package`` with these modules and kinds."""
    source = folder / f"{package}-src"
    source.mkdir()
    lines = "\n".join(f'{name} = "{value}"' for name, value in entry_points.items())
    (source / "pyproject.toml").write_text(textwrap.dedent(f"""\
        [build-system]
        requires = ["setuptools>=64"]
        build-backend = "setuptools.build_meta"

        [project]
        name = "{package}"
        version = "1.2.0"

        [tool.setuptools]
        py-modules = {json.dumps(sorted(modules))}

        [project.entry-points."docker_grader.kinds"]
        """) + lines + "\n")
    for name, text in modules.items():
        (source / f"{name}.py").write_text(text)
    return source


def install(source: Path, target: Path) -> Path:
    """pip install --no-deps --target, offline, with the setuptools already here."""
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--disable-pip-version-check", "--no-deps", "--no-index",
                    "--no-build-isolation", "--target", str(target), str(source)], check=True, capture_output=True, timeout=300)
    return target


def grader(*args: str, path: Path | None, cwd: Path) -> subprocess.CompletedProcess:
    env = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    if path is not None:
        env["PYTHONPATH"] = str(path)
    return subprocess.run([sys.executable, "-m", "checks.cli", *args], capture_output=True, text=True, cwd=cwd, env=env, timeout=300)


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("plugin")
    return install(distribution(folder, "course-kinds", {"container_label": "course_kinds"}, {"course_kinds": KIND}), folder / "site")


@pytest.fixture
def course(tmp_path) -> Path:
    folder = tmp_path / "exercises"
    folder.mkdir()
    (folder / "labelled.yaml").write_text(EXERCISE)
    return folder


def test_a_plugin_kind_grades_through_the_cli(installed, course, daemon, lab, tmp_path):
    check = ("check", "--host", lab.host, "--exercises", str(course), "--format", "json", "--lang", "en")
    done = grader(*check, path=installed, cwd=tmp_path)
    document = json.loads(done.stdout)
    assert done.returncode == 1 and document["score"] == 0, done.stderr
    assert document["exercises"][0]["checks"][0]["message"].startswith("Create a container with --label course.part=one.")
    daemon.docker("create", "--label", "course.part=one", "hello-world")
    done = grader(*check, path=installed, cwd=tmp_path)
    document = json.loads(done.stdout)
    assert (done.returncode, document["score"], document["max_score"]) == (0, 2, 2), done.stderr


def test_the_plugin_kind_is_in_the_schema_and_validated_like_a_built_in(installed, course, tmp_path):
    printed = json.loads(grader("schema", path=installed, cwd=tmp_path).stdout)
    assert "container_label" in printed["$defs"]["check"]["properties"]["kind"]["enum"]
    (course / "labelled.yaml").write_text(EXERCISE.replace("count: 1", "count: 1\n    cuont: 2"))
    done = grader("validate", "--lang", "en", str(course), path=installed, cwd=tmp_path)
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr.endswith("labelled.yaml:11: $.checks[0].cuont: unknown key 'cuont'; did you mean 'count'?\n"), done.stderr


def test_an_exercise_valid_with_a_plugin_is_not_kept_valid_without_it(installed, course, tmp_path):
    """The exercise cache: a file validated while the plugin was installed is validated again."""
    assert grader("validate", str(course), path=installed, cwd=tmp_path).returncode == 0
    done = grader("validate", "--lang", "en", str(course), path=None, cwd=tmp_path)
    assert done.returncode == 2 and "$.checks[0].kind: 'container_label' is not one of" in done.stderr, done.stderr


@pytest.mark.parametrize("case", ["builtin", "import", "contract"])
def test_a_refused_plugin_is_named_with_its_package(tmp_path, course, case):
    broken = {
        "builtin": ({"image": "sneaky"}, {"sneaky": KIND}),
        "import": ({"container_label": "sneaky"}, {"sneaky": "import not_a_module_anywhere\n"}),
        "contract": ({"container_label": "sneaky"}, {"sneaky": KIND.replace("def evaluate(", "def judge(")}),
    }[case]
    site = install(distribution(tmp_path, "sneaky-kinds", *broken), tmp_path / "site")
    done = grader("list", "--lang", "en", "--exercises", str(course), path=site, cwd=tmp_path)
    assert (done.returncode, done.stdout) == (2, "")
    (line,) = done.stderr.splitlines()
    assert "package sneaky-kinds" in line and "Traceback" not in done.stderr
    expected = {
        "builtin": "brings a check kind 'image', the name of one of docker-grader's own kinds, which cannot be replaced",
        "import": "(entry point sneaky, group docker_grader.kinds) did not load: ModuleNotFoundError: No module named 'not_a_module_anywhere'",
        "contract": "does not keep a kind's contract: evaluate(spec, snapshot) -> Result is missing",
    }[case]
    assert expected in line, line


# --- the registry's rules on hand-made entry points (no pip) -----------------------------------
@pytest.fixture
def modules(tmp_path, monkeypatch):
    """Writes modules importable for this test only; the catalog is restored after it."""
    monkeypatch.syspath_prepend(str(tmp_path))
    [BUILT_IN[name] for name in BUILT_IN]  # imported now: a kind imported while the catalog is this test's copy would leave its messages in it
    monkeypatch.setattr(messages, "CATALOG", dict(messages.CATALOG))
    monkeypatch.setattr(plugins, "CATALOG", messages.CATALOG)

    def write(name: str, text: str) -> str:
        (tmp_path / f"{name}.py").write_text(text)
        return name

    yield write
    for name in [name for name in sys.modules if name.startswith("hand_")]:
        del sys.modules[name]


def point(name: str, value: str, package: str = "hand-made") -> plugins.EntryPoint:
    return plugins.EntryPoint(name, value, package, "1.0")


def test_a_good_plugin_is_registered_with_its_messages(modules):
    kinds, problems = plugins.load(BUILT_IN, [point("container_label", modules("hand_good", KIND))])
    assert problems == [] and list(kinds) == ["container_label"]
    assert messages.msg("container_label.found", count=1, label="a=b").render("en") == "1 container(s) labelled a=b"


def test_two_packages_with_one_kind_name_keep_the_first(modules):
    name = modules("hand_good", KIND)
    kinds, problems = plugins.load(BUILT_IN, [point("container_label", name, "first-kinds"), point("container_label", name, "second-kinds")])
    assert list(kinds) == ["container_label"]
    assert [problem.render("en") for problem in problems] == [
        "packages first-kinds and second-kinds both bring check kind 'container_label': uninstall one of them"]


@pytest.mark.parametrize("change,reason", [
    (("READS = ()", 'READS = ("exec",)'), "READS must list some of: inspect, logs"),
    (('"container_label.found"', '"label.found"'), "message key 'label.found' must start with 'container_label.'"),
    (('"en": "{count} container(s) labelled {label}",', ""), "message 'container_label.found' needs a text in each of pt-BR, en"),
    (('"count": {"type"', '"points": {"type"'), "SCHEMA redefines keys every check has: points"),
    (("SCHEMA = {", "SCHEMA = {'x': 1} or {"), "SCHEMA must be a JSON Schema fragment"),
])
def test_a_plugin_that_keeps_no_contract_is_refused(modules, change, reason):
    text = KIND.replace("register(MESSAGES)\n", "").replace(*change)
    assert text != KIND.replace("register(MESSAGES)\n", "")
    kinds, problems = plugins.load(BUILT_IN, [point("container_label", modules("hand_bad", text))])
    assert kinds == {} and len(problems) == 1 and reason in problems[0].render("en"), problems[0].render("en")


def test_a_plugin_kind_name_must_be_a_kind_name(modules):
    kinds, problems = plugins.load(BUILT_IN, [point("Container-Label", modules("hand_good", KIND))])
    assert kinds == {} and "the name must match" in problems[0].render("en")


def test_entry_points_are_read_from_dist_info_folders(tmp_path):
    info = tmp_path / "course_kinds-1.2.0.dist-info"
    info.mkdir()
    (info / "entry_points.txt").write_text("[console_scripts]\nx = y\n\n[docker_grader.kinds]\ncontainer_label = course_kinds\n")
    shadow = tmp_path / "other" / "Course.Kinds-2.0.dist-info"  # the same distribution later on the path: ignored
    shadow.mkdir(parents=True)
    (shadow / "entry_points.txt").write_text("[docker_grader.kinds]\nother = other\n")
    found = plugins.entry_points([str(tmp_path / "missing"), str(tmp_path), str(tmp_path / "other")])
    assert found == [plugins.EntryPoint("container_label", "course_kinds", "course_kinds", "1.2.0")]


def test_a_plugin_schema_that_is_no_json_schema_is_its_packages_fault(modules, monkeypatch):
    from checks import kinds, schema
    from checks.errors import UsageError

    text = KIND.replace('"count": {"type": "integer"', '"count": {"type": "integr"')
    found, problems = plugins.load(BUILT_IN, [point("container_label", modules("hand_bad_schema", text))])
    assert problems == [] and list(found) == ["container_label"]  # its keys are checked when the schema is built
    monkeypatch.setattr(kinds, "PLUGINS", found)
    monkeypatch.setattr(kinds, "PACKAGES", {"container_label": "hand-made"})
    monkeypatch.setitem(kinds.KINDS, "container_label", found["container_label"])
    schema.validator.cache_clear()
    try:
        with pytest.raises(UsageError) as refused:
            schema.validator()
    finally:
        schema.validator.cache_clear()
    said = refused.value.render("en")
    assert "check kind 'container_label' of package hand-made does not keep a kind's contract: SCHEMA: 'integr' is not valid" in said, said
