"""One engine for every front end: ``docker-grader check`` and ``pytest --grader`` grade the same
daemon state to the same verdicts and notes, with and without an exercise with compose services
in the set (it used to drop the start point, and its note, for every exercise of a ``check``).
"""

from __future__ import annotations

import json
import shutil
import xml.etree.ElementTree as ET

import pytest

from conftest import EXERCISES, ROOT

from checks import cli
from checks.lab import REGISTRY, netns
from checks.lab import images as lab_images

PAGE = "<html><body><h1>Loja do Curso</h1></body></html>\n"
LESSON = {"run-hello-world", "pull-alpine", "two-containers-one-image", "remove-containers", "remove-images"}


@pytest.fixture(autouse=True)
def state(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))  # the pytest process inherits it


@pytest.fixture(scope="module")
def images(lab):
    """The compose lesson's stand-ins, pushed to the tests' lab registry (it starts without them)."""
    built = [lab_images.build("nginx:1.25", "httpd"), lab_images.build("redis:7", "busybox", ("sleep", "600"))]
    netns.run_in(lab.netns, lambda: [lab_images.push(image, f"http://{REGISTRY}") for image in built])


@pytest.fixture
def project(pytester, images, monkeypatch):
    """plain/: the images lesson; mixed/: the same and compose-app, whose services build the folder's Dockerfile."""
    monkeypatch.setenv("PYTHONPATH", str(ROOT))
    for folder in ("plain", "mixed"):
        shutil.copytree(EXERCISES, pytester.path / folder)
    shutil.copy(ROOT / "lessons" / "compose" / "compose-app.yaml", pytester.path / "mixed")
    shutil.copytree(ROOT / "lessons" / "compose-services", pytester.path / "compose-services")
    (pytester.path / "Dockerfile").write_text("FROM nginx:1.25\nCOPY index.html /var/www/index.html\n")
    (pytester.path / "index.html").write_text(PAGE)
    pytester.makeini("[pytest]\n")  # the rootdir: compose's project directory, as the CLI's is the working folder
    monkeypatch.chdir(pytester.path)
    return pytester


def through_cli(host: str, folder: str, capsys) -> tuple[dict, list[str]]:
    """Each check's verdict (passed, failed, unknown) and the notes, from `docker-grader check`."""
    capsys.readouterr()  # what came before (pytester echoes the pytest runs it starts)
    cli.main(["check", "--host", host, "--exercises", folder, "--format", "json", "--lang", "en"])
    out, err = capsys.readouterr()
    verdicts = {f"{e['id']}::{c['name']}": "passed" if c["passed"] else ("unknown" if c["max_score"] == 0 else "failed")
                for e in json.loads(out)["exercises"] for c in e["checks"]}
    return verdicts, sorted(line for line in err.splitlines() if line.startswith("[docker-grader] "))


def through_pytest(project, host: str, folder: str) -> tuple[dict, list[str]]:
    """The same, from `pytest --grader-exercises`: its JUnit cases and the notes under its score table."""
    report = project.path / f"{folder}.xml"
    result = project.runpytest_subprocess("--grader-exercises", folder, "--grader-host", host, "--grader-lang", "en",
                                          f"--junitxml={report}", "-p", "no:cacheprovider")
    verdicts = {}
    for case in ET.parse(report).getroot().iter("testcase"):
        status = "failed" if case.find("failure") is not None else "unknown" if case.find("skipped") is not None else "passed"
        verdicts[f"{case.get('classname').rsplit('.', 1)[-1]}::{case.get('name')}"] = "error" if case.find("error") is not None else status
    return verdicts, sorted(line for line in result.outlines if line.startswith("[docker-grader] "))


def lesson_only(verdicts: dict) -> dict:
    return {key: value for key, value in verdicts.items() if key.split("::")[0] in LESSON}


def test_check_and_pytest_give_the_same_verdicts_and_notes_with_and_without_compose(daemon, lab, project, capsys):
    assert cli.main(["start", "--host", lab.host, "--exercises", "plain", "--lang", "en"]) == 0
    daemon.docker("run", "hello-world")
    daemon.docker("pull", "alpine:3.14")
    daemon.docker("tag", "alpine:3.14", "my-app:1")
    capsys.readouterr()

    cli_plain, cli_plain_notes = through_cli(lab.host, "plain", capsys)
    pytest_plain, pytest_plain_notes = through_pytest(project, lab.host, "plain")
    cli_mixed, cli_mixed_notes = through_cli(lab.host, "mixed", capsys)
    pytest_mixed, pytest_mixed_notes = through_pytest(project, lab.host, "mixed")

    assert cli_plain["pull-alpine::alpine-pulled"] == "passed" and cli_plain["two-containers-one-image::two-containers"] == "failed"
    assert pytest_plain == cli_plain
    assert lesson_only(cli_mixed) == lesson_only(pytest_mixed) == cli_plain
    assert cli_mixed["compose-app::your-page"] == pytest_mixed["compose-app::your-page"] == "passed"
    assert cli_plain_notes[0].startswith("[docker-grader] grading what changed since `docker-grader start` at ")
    assert pytest_plain_notes == cli_mixed_notes == pytest_mixed_notes == cli_plain_notes
