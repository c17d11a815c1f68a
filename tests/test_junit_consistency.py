"""One mapping of "not graded" to JUnit, from both front ends (issue 26).

A check that could not be graded (the daemon is down) is a JUnit ``<error>``: the test could not
run. A ``<failure>`` would say the student's work is wrong. `docker-grader check --format junit`
and `pytest --junitxml` must say the same of the same fault, each valid against the Jenkins xunit
plugin's JUnit schema and read alike by junitparser.

(This file is apart from test_reports.py while the pytest plugin still reports a down daemon as a
failure: the plugin raises it in setup, which pytest reports as an error, on the branch that owns it.)
"""

from __future__ import annotations

import shutil
from collections import Counter

import junitparser
import pytest

from checks import cli

from conftest import EXERCISES, ROOT
from test_reports import JUNIT_XSD


@pytest.fixture
def course(pytester, monkeypatch):
    monkeypatch.setenv("PYTHONPATH", str(ROOT))
    pytester.makeini("[pytest]\ngrader_exercises = exercises\n")
    pytester.makeconftest('pytest_plugins = ["checks.pytest_plugin"]')
    shutil.copytree(EXERCISES, pytester.path / "exercises")
    return pytester


def outcomes(path) -> Counter:
    """How junitparser reads each test case: error, failure, skipped or passed, counted."""
    assert JUNIT_XSD.is_valid(str(path)), JUNIT_XSD.validate(str(path))
    found = Counter()
    for suite in junitparser.JUnitXml.fromfile(str(path)):
        for case in suite:
            kinds = {type(result).__name__.lower() for result in case.result} or {"passed"}
            assert len(kinds) == 1, kinds
            found[kinds.pop()] += 1
    return found


def test_not_graded_is_a_junit_error_from_the_cli_and_from_pytest(course, tmp_path, capsys):
    down = f"unix://{tmp_path}/none.sock"
    assert cli.main(["check", "--exercises", str(EXERCISES), "--host", down, "--format", "junit",
                     "--output", str(tmp_path / "cli.xml"), "--lang", "en"]) == 3
    capsys.readouterr()
    result = course.runpytest("exercises", "--docker-host", down, "--grader-lang", "en", f"--junitxml={tmp_path / 'pytest.xml'}")
    assert result.ret == 3
    assert outcomes(tmp_path / "cli.xml") == Counter(error=13)
    assert outcomes(tmp_path / "pytest.xml") == outcomes(tmp_path / "cli.xml")
