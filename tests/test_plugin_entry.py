"""The pytest plugin as an installed package gives it: the ``pytest11`` entry point, grading only when
asked, the score table under xdist, a daemon that is down, hidden checks' names, the CLI's options.

These runs load the plugin the way a user's do, from the entry point of the installed package: no
conftest names it.
"""

from __future__ import annotations

import re
import shutil
import xml.etree.ElementTree as ET

import pytest
import yaml  # noqa: F401 - loaded before the in-process runs: pytester drops the modules a run imported, and
# yaml imported again would build its nodes with classes libyaml's CSafeLoader (imported once) does not know

from conftest import EXERCISES, ROOT

VALID = ROOT / "tests" / "data" / "valid"


@pytest.fixture
def project(pytester):
    """A folder with the course in exercises/ and no conftest: only the entry point brings the plugin."""
    shutil.copytree(EXERCISES, pytester.path / "exercises")
    return pytester


def test_the_entry_point_is_installed():
    from importlib import metadata

    points = {ep.name: ep.value for ep in metadata.entry_points(group="pytest11")}
    assert points["docker_grader_pytest"] == "docker_grader_pytest"


def test_an_unrelated_suite_with_yaml_under_exercises_is_never_touched(pytester):
    (pytester.path / "exercises").mkdir()
    (pytester.path / "exercises" / "broken.yaml").write_text("not: [valid\n")
    (pytester.path / "exercises" / "other.yaml").write_text("id: 3\n")
    pytester.makepyfile(test_own="def test_own():\n    assert True\n")
    result = pytester.runpytest("-p", "no:cacheprovider")
    assert result.ret == 0
    result.assert_outcomes(passed=1)
    result = pytester.runpytest("exercises", "-p", "no:cacheprovider")
    assert result.ret == 5  # no tests: the YAML files are nobody's business but the project's
    # the same project, asking for grading, gets it (so the plugin was there all along)
    result = pytester.runpytest("--grader-exercises", "exercises", "-p", "no:cacheprovider", "--grader-lang", "en")
    assert result.ret == 2 and "broken.yaml:2: $: invalid YAML" in result.stdout.str()


def test_grader_option_collects_the_exercises_folder_without_a_path(project):
    result = project.runpytest("--grader", "--collect-only", "-q", "-p", "no:cacheprovider")
    names = [line for line in result.outlines if "::" in line]
    assert len(names) == 13 and names[0] == "exercises/run-hello-world.yaml::run-hello-world::image-pulled"


def test_the_cli_options_by_the_same_names(daemon, lab, project):
    result = project.runpytest(
        "--grader-exercises", "exercises", "--grader-exercise", "pull-alpine", "--grader-host", lab.host,
        "--grader-lang", "en", "-p", "no:cacheprovider",
    )
    result.assert_outcomes(passed=1, failed=1, deselected=11)
    result.stdout.fnmatch_lines(["Total: 1/3 points"])
    result = project.runpytest("--grader-exercises", "exercises", "--grader-exercise", "pull-alpin", "--grader-lang", "en")
    assert result.ret == 2  # as `docker-grader check --exercise pull-alpin`: bad input, not pytest's usage error (4: the lab's)
    assert "unknown exercise: pull-alpin; closest: pull-alpine" in result.stdout.str()


def test_the_score_table_comes_out_under_xdist(daemon, lab, project):
    daemon.docker("run", "hello-world")
    result = project.runpytest_subprocess(
        "--grader-exercises", "exercises", "--grader-host", lab.host, "--grader-lang", "en", "-n", "2", "-p", "no:cacheprovider",
    )
    result.assert_outcomes(passed=9, failed=4)
    result.stdout.fnmatch_lines(["*docker-grader*", "run-hello-world*4/4*3/3 checks", "pull-alpine*1/3*1/2 checks", "Total: 10/17 points"])


@pytest.mark.parametrize("workers", [[], ["-n", "2"]])
def test_a_daemon_that_is_down_fails_every_check_in_junit(project, tmp_path, workers):
    report = tmp_path / "report.xml"
    host = f"unix://{tmp_path}/none.sock"
    result = project.runpytest_subprocess(
        "--grader-exercises", "exercises", "--grader-host", host, "--grader-lang", "en", f"--junitxml={report}", "-p", "no:cacheprovider", *workers,
    )
    assert result.ret == 3
    suite = ET.parse(report).getroot().find("testsuite")
    # not graded is an error, not the student's failure: as the CLI's `<error type="not-graded">`
    assert (suite.get("tests"), suite.get("errors"), suite.get("failures")) == ("13", "13", "0")
    messages = {case.find("error").get("message") for case in suite.iter("testcase")}
    assert messages == {f'failed on setup with "the Docker daemon at {host} is not answering (No such file or directory). Start Docker, or point at another one with --host or DOCKER_HOST"'}
    assert "Total: 0/17 points" in result.stdout.str()


def test_hidden_checks_have_neutral_node_ids(project):
    shutil.copy(VALID / "every-kind.yaml", project.path / "exercises")
    for args in (["--collect-only", "-q"], ["--collect-only", "-v"]):
        result = project.runpytest("--grader-exercises", "exercises", *args, "-p", "no:cacheprovider")
        text = result.stdout.str()
        assert "count-range" not in text
        assert "every-kind.yaml::every-kind::hidden-2" in text or "<CheckItem hidden-2>" in text
    result = project.runpytest("--grader-exercises", "exercises", "--collect-only", "-q", "-k", "range")
    assert not re.search(r"::every-kind::", result.stdout.str())  # -k cannot find it by its name either


def test_the_entry_module_names_the_graders_languages():
    import docker_grader_pytest

    from checks.messages import LANGS

    assert docker_grader_pytest.LANGS == LANGS  # repeated there so that loading it loads no grader code
