"""The pytest front end, through pytester, against the tests' daemon."""

from __future__ import annotations

import shutil

import pytest
import xmlschema
import yaml  # noqa: F401 - loaded before the in-process runs: pytester drops the modules a run imported, and
# yaml imported again would build its nodes with classes libyaml's CSafeLoader (imported once) does not know

from conftest import EXERCISES, ROOT


@pytest.fixture
def course(pytester, monkeypatch):
    monkeypatch.setenv("PYTHONPATH", str(ROOT))
    pytester.makeini("[pytest]\ngrader_exercises = exercises\n")
    pytester.makeconftest('pytest_plugins = ["checks.pytest_plugin"]')
    shutil.copytree(EXERCISES, pytester.path / "exercises")
    pytester.mkdir("tests")
    (pytester.path / "tests" / "sample.yaml").write_text((EXERCISES / "pull-alpine.yaml").read_text())
    return pytester


def test_each_check_is_an_item_named_exercise_and_check(course):
    result = course.runpytest("exercises", "--collect-only", "-q")
    names = [line for line in result.outlines if "::" in line]
    assert names[0] == "exercises/run-hello-world.yaml::run-hello-world::image-pulled"
    assert len(names) == 13


def test_grading_failures_show_the_hint_without_traceback(daemon, lab, course):
    daemon.docker("run", "hello-world")
    result = course.runpytest("exercises", "--docker-host", lab.host, "--grader-lang", "en", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=9, failed=4)
    text = result.stdout.str()
    assert "Traceback" not in text and "def runtest" not in text
    result.stdout.fnmatch_lines([
        "*pull-alpine::alpine-pulled*",
        "Run `docker pull alpine:3.14`*(found: image alpine:3.14 is not present)",
        "*docker-grader*",
        "run-hello-world*4/4*3/3 checks",
        "Total: 10/17 points",
    ])


def test_k_selects_and_junit_has_points(daemon, lab, course):
    report = course.path / "report.xml"
    result = course.runpytest("exercises", "--docker-host", lab.host, "-k", "pull-alpine", f"--junitxml={report}")
    result.assert_outcomes(passed=1, failed=1)
    xml = report.read_text()
    assert '<property name="pull-alpine::alpine-pulled.score" value="0" />' in xml
    assert '<property name="pull-alpine::alpine-pulled.max_score" value="2" />' in xml
    assert '<property name="pull-alpine::not-run.score" value="1" />' in xml
    junit_xsd = xmlschema.XMLSchema(ROOT / "tests" / "schemas" / "junit-10.xsd")
    assert junit_xsd.is_valid(xml), junit_xsd.validate(xml)  # the Jenkins xunit schema, as the junit format
    # under xdist the points are recorded on the controller, from the reports the workers send
    result = course.runpytest_subprocess("exercises", "--docker-host", lab.host, "-k", "pull-alpine", f"--junitxml={report}", "-n", "2")
    result.assert_outcomes(passed=1, failed=1)
    xml = report.read_text()
    assert '<property name="pull-alpine::alpine-pulled.max_score" value="2" />' in xml and junit_xsd.is_valid(xml)


def test_tests_folder_never_collects_exercises(course):
    result = course.runpytest("tests", "--collect-only", "-q")
    assert result.ret == 5  # nothing collected: the YAML under tests/ is no grading item


def test_daemon_down_ends_the_session_with_exit_3(course, tmp_path):
    result = course.runpytest("exercises", "--docker-host", f"unix://{tmp_path}/none.sock", "--grader-lang", "en")
    assert result.ret == 3
    assert "is not answering" in result.stdout.str() + result.stderr.str()


def test_bad_exercise_file_is_a_collection_error(course):
    (course.path / "exercises" / "broken.yaml").write_text("id: broken\n")
    result = course.runpytest("exercises", "--collect-only", "--grader-lang", "pt-BR")
    assert result.ret == 2
    result.stdout.fnmatch_lines(["*broken.yaml:1: $: falta a chave obrigatória 'lesson'*"])
    result = course.runpytest("exercises", "--collect-only", "--grader-lang", "en")
    result.stdout.fnmatch_lines(["*broken.yaml:1: $: the required key 'lesson' is missing*"])
