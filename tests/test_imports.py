"""What a cached `check` imports, counted rather than timed: the modules a run of the CLI adds to a
fresh interpreter's, against the tests' own daemon, so the floor `check` reached (docs/performance.md)
cannot silently go. A new eager import anywhere on the path raises the count and fails here."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest

from conftest import EXERCISES, ROOT
from import_graph import graph, reachable

CHECK = """
import json, sys
before = set(sys.modules)
from checks import cli
code = cli.main(["check", "--host", sys.argv[1], "--exercises", sys.argv[2], "--format", "json"])
print(json.dumps({"code": code, "imported": sorted(set(sys.modules) - before)}), file=sys.stderr)
"""

# The modules a cached `check` of the catalog imports beyond the interpreter's start-up: 76 when this
# was written, 34 of them the grader's (97 and 43 before `check` imported only what it grades with).
# Raise it only for a reason you can name, in the commit that needs it.
MOST_MODULES = 78
NEVER = ("ssl", "_ssl", "http.client", "email", "docker", "requests", "urllib3", "yaml", "jsonschema", "tarfile", "tempfile", "shutil")


def cached_check(tmp_path, host: str, exercises) -> dict:
    """The second `check` of ``exercises`` (the first validates them and fills the cache), in a fresh interpreter."""
    environ = {**os.environ, "PYTHONPATH": str(ROOT), "DOCKER_GRADER_CACHE": str(tmp_path / "cache"), "XDG_STATE_HOME": str(tmp_path / "state")}
    for _ in range(2):
        done = subprocess.run([sys.executable, "-c", CHECK, host, str(exercises)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                              text=True, timeout=120, cwd=tmp_path, env=environ)
    found = json.loads(done.stderr.strip().splitlines()[-1])
    assert found["code"] in (0, 1), done.stderr
    return found


def kinds_of(folder) -> set[str]:
    from checks import exercises

    return {check.kind for exercise in exercises.load([folder]) for check in exercise.checks}


def test_a_cached_check_of_the_catalog_imports_a_bounded_set_of_modules(lab, tmp_path):
    imported = set(cached_check(tmp_path, lab.host, EXERCISES)["imported"])
    assert sorted(name for name in NEVER if name in imported) == []
    assert len(imported) <= MOST_MODULES, f"{len(imported)} modules: {sorted(imported)}"


def test_check_imports_only_the_kinds_its_exercises_use(lab, tmp_path):
    imported = set(cached_check(tmp_path, lab.host, EXERCISES)["imported"])
    edges = graph(module_level_only=True)
    wanted = set().union(*(reachable(edges, f"checks.kinds.{kind}") for kind in kinds_of(EXERCISES)), reachable(edges, "checks.kinds"))
    kinds = {name for name in imported if name.startswith("checks.kinds")}
    assert kinds == {name for name in wanted if name.startswith("checks.kinds")}
    assert "checks.kinds.container" not in kinds and "checks.kinds.compose" not in kinds  # the catalog uses neither


@pytest.mark.parametrize("start_point", [False, True])
def test_the_start_point_code_is_imported_only_when_there_is_a_start_point(lab, tmp_path, start_point):
    folder = tmp_path / "exercises"
    folder.mkdir()
    shutil.copy(EXERCISES / "run-hello-world.yaml", folder)  # no events check: no note about a start point to give
    assert "events" not in kinds_of(folder)
    if start_point:
        (tmp_path / "state" / "docker-grader").mkdir(parents=True)
        (tmp_path / "state" / "docker-grader" / "another-daemon.json").write_text("{}")
    imported = set(cached_check(tmp_path, lab.host, folder)["imported"])
    assert ("checks.baseline" in imported) == start_point
    assert ("checks.events" in imported) == start_point
