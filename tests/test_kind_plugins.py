"""Kinds from other packages (the ``docker_grader.kinds`` entry-point group): a throwaway
distribution is built and installed with pip into a folder of its own, then graded with through
the CLI against the tests' daemon; a built-in name, a plugin that does not import and one that
keeps no contract are refused, naming the package. The registry's checks on hand-made entry points
run without pip, with the fast tests: test_plugins_load_pure.py."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from test_plugins_load_pure import KIND

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
