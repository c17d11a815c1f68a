"""The wheel, as a user gets it: built from a copy of the source, installed with pip in a fresh
virtualenv outside the repository, and used from an empty folder against the tests' daemon.

pip resolves the runtime dependencies through the machine's usual indexes (its cache makes a
second run quick); the test extras are not installed, and the environment's size is checked.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT

IGNORED = shutil.ignore_patterns(".venv", ".tools", ".git", "mutants", "__pycache__", "build", "dist", "*.egg-info", ".pytest_cache", ".hypothesis", "bench")
# docker-py (with requests and urllib3) is the tests' and the benchmark's: the grader reads the Engine API itself.
TEST_EXTRAS = ("hypothesis", "check-jsonschema", "matplotlib", "pytest-testinfra", "numpy", "pytest-xdist", "docker", "requests", "urllib3")


def not_installed(packages, freeze: str) -> bool:
    """Asserts that none of ``packages`` is a line of ``pip list --format=freeze`` (pytest-docker is not docker)."""
    names = {line.split("==")[0] for line in freeze.splitlines()}
    assert [name for name in packages if name in names] == []
    return True


class Installed:
    def __init__(self, root: Path):
        self.root = root
        self.bin = root / "venv" / "bin"

    def run(self, *args: str, cwd: Path, env: dict | None = None, program: str = "docker-grader") -> subprocess.CompletedProcess:
        environ = {"PATH": f"{self.bin}:/usr/sbin:/usr/bin:/sbin:/bin", "HOME": str(self.root), "LANG": "C.UTF-8", **(env or {})}
        return subprocess.run([str(self.bin / program), *args], capture_output=True, text=True, cwd=cwd, env=environ, timeout=300)


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Installed:
    root = tmp_path_factory.mktemp("wheel")
    source = root / "source"
    shutil.copytree(ROOT, source, ignore=IGNORED)
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "-q"]
    # A PYTHONPATH naming the repository would show pip its editable install's metadata as "installed".
    env = {key: value for key, value in os.environ.items() if key not in ("PYTHONPATH", "PYTHONHOME")}
    subprocess.run([*pip, "wheel", "--no-deps", "-w", str(root / "dist"), str(source)], check=True, capture_output=True, timeout=600, env=env)
    wheel = next((root / "dist").glob("docker_grader-*.whl"))
    subprocess.run([sys.executable, "-m", "venv", str(root / "venv")], check=True, timeout=300, env=env)
    subprocess.run([str(root / "venv" / "bin" / "python"), "-m", "pip", "--disable-pip-version-check", "-q", "install", str(wheel)],
                   check=True, capture_output=True, timeout=600, env=env)
    return Installed(root)


@pytest.fixture
def empty(tmp_path) -> Path:
    folder = tmp_path / "empty"
    folder.mkdir()
    return folder


def test_the_wheel_carries_the_course_the_catalog_and_the_entry_points(installed):
    import zipfile

    names = zipfile.ZipFile(next((installed.root / "dist").glob("*.whl"))).namelist()
    assert {f"checks/bundled/docker_images/{path.name}" for path in (ROOT / "exercises").glob("*.yaml")} <= set(names)
    assert "checks/locale/pt_BR/LC_MESSAGES/docker-grader.mo" in names and "checks/exercise.schema.json" in names and "checks/course.schema.json" in names
    entry_points = next(name for name in names if name.endswith("entry_points.txt"))
    text = zipfile.ZipFile(next((installed.root / "dist").glob("*.whl"))).read(entry_points).decode()
    assert "[pytest11]\ndocker_grader_pytest = docker_grader_pytest" in text


def test_only_the_runtime_dependencies_are_installed(installed):
    listed = installed.run("list", "--format=freeze", cwd=installed.root, program="pip").stdout.lower()
    assert "docker-grader==" in listed and not_installed(TEST_EXTRAS, listed)
    size = sum(path.stat().st_size for path in (installed.root / "venv").rglob("*") if path.is_file() and not path.is_symlink())
    assert size < 80 * 2**20, size  # the grader and its runtime: about 55 MB, pip and setuptools included


def test_lists_the_course_from_an_empty_folder(installed, empty):
    done = installed.run("courses", "--lang", "en", cwd=empty)
    assert done.returncode == 0
    name, default, *rest = done.stdout.split()
    assert (name, default) == ("docker-images", "pt-BR")
    assert done.stdout.rstrip().endswith("site-packages/checks/bundled/docker_images")
    done = installed.run("list", cwd=empty)  # LANG=C.UTF-8: the course's own language, pt-BR
    assert done.returncode == 0 and len(done.stdout.splitlines()) == 5
    assert "Baixe a imagem alpine:3.14 sem rodá-la" in done.stdout
    assert installed.run("validate", cwd=empty).stdout == "OK: 5 exercise(s), 13 check(s)\n"
    assert installed.run("list", "--exercises", "docker-images", "--lang", "en", cwd=empty).stdout.splitlines()[1].split()[:2] == ["pull-alpine", "3"]


def test_help_version_and_schema_from_the_wheel(installed, empty):
    done = installed.run("--help", cwd=empty)
    assert done.returncode == 0 and done.stdout.startswith("uso: docker-grader") and "mostra esta ajuda e sai" in done.stdout
    assert installed.run("--version", cwd=empty).stdout.startswith("docker-grader 0.")
    path = Path(installed.run("schema", "--path", cwd=empty).stdout.strip())
    assert path.is_file() and str(path).startswith(str(installed.root / "venv"))
    assert json.loads(path.read_text())["$id"] == "urn:docker-grader:exercise-schema:1"


def test_grades_the_course_from_an_empty_folder(installed, empty, daemon, lab):
    daemon.docker("run", "hello-world")
    done = installed.run("check", "--host", lab.host, "--format", "json", cwd=empty)
    assert done.returncode == 1, done.stderr
    document = json.loads(done.stdout)
    assert (document["score"], document["max_score"]) == (10, 17)
    assert [e["id"] for e in document["exercises"]][:2] == ["run-hello-world", "pull-alpine"]


def test_pytest_grades_with_the_installed_plugin(installed, empty, daemon, lab):
    daemon.docker("run", "hello-world")
    done = installed.run("--grader", "--grader-host", lab.host, "--grader-lang", "en", "-p", "no:cacheprovider", cwd=empty, program="pytest")
    assert done.returncode == 1, done.stdout + done.stderr
    assert "9 passed" in done.stdout and "4 failed" in done.stdout
    assert "Total: 10/17 points" in done.stdout
    assert "run-hello-world.yaml::run-hello-world::image-pulled PASSED" in installed.run(
        "--grader", "--grader-host", lab.host, "-v", "-p", "no:cacheprovider", cwd=empty, program="pytest").stdout


def test_a_project_with_its_own_checks_package_keeps_working(installed, tmp_path):
    project = tmp_path / "project"
    (project / "checks").mkdir(parents=True)
    (project / "checks" / "__init__.py").write_text('WHO = "the project\'s own"\n')
    (project / "exercises").mkdir()
    (project / "exercises" / "not-ours.yaml").write_text("id: [1\n")  # not an exercise: never read
    (project / "tests").mkdir()
    (project / "tests" / "test_own.py").write_text("from checks import WHO\n\n\ndef test_own():\n    assert WHO == \"the project's own\"\n")
    (project / "pytest.ini").write_text("[pytest]\npythonpath = .\n")
    for command in (["pytest"], ["python", "-m", "pytest"]):
        done = installed.run(*command[1:], "-p", "no:cacheprovider", cwd=project, program=command[0])
        assert done.returncode == 0 and "1 passed" in done.stdout, done.stdout + done.stderr
    listed = installed.run("--trace-config", "-p", "no:cacheprovider", cwd=project, program="pytest").stdout
    assert "docker_grader_pytest" in listed  # the plugin was loaded all along


def test_ci_templates_and_the_demo_install_the_runtime_dependencies_only(tmp_path):
    callers = {
        "templates/github-classroom.yml": "sudo bash .grader/scripts/setup.sh --runtime",
        "templates/gradescope/setup.sh": "bash /autograder/source/docker-grader/scripts/setup.sh --runtime",
        "scripts/demo.sh": "bash scripts/setup.sh --runtime",
    }
    for path, line in callers.items():
        assert line in (ROOT / path).read_text(), path
    assert "bash scripts/setup.sh\n" in (ROOT / "scripts" / "test.sh").read_text()  # the tests keep their extras
    source = tmp_path / "source"
    shutil.copytree(ROOT, source, ignore=IGNORED)
    subprocess.run(["bash", "scripts/setup.sh", "--runtime"], cwd=source, check=True, capture_output=True, timeout=600)
    listed = subprocess.run([str(source / ".venv" / "bin" / "python"), "-m", "pip", "list", "--format=freeze"],
                            capture_output=True, text=True, check=True).stdout.lower()
    assert "docker-grader==" in listed and not_installed(TEST_EXTRAS, listed)
    assert not (source / ".tools").exists()  # the linters the tests run are not the grader's
    done = subprocess.run([str(source / ".venv" / "bin" / "docker-grader"), "validate"], capture_output=True, text=True, cwd=tmp_path)
    assert done.stdout == "OK: 5 exercise(s), 13 check(s)\n"
