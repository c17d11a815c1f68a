"""The `output` kind on hand-built command runs: which lines a pattern takes, and each verdict."""

from __future__ import annotations

import pytest

from checks.kinds import output
from checks.results import CommandRun
from checks.snapshot import Snapshot

OS_RELEASE = 'NAME="Alpine Linux"\nID=alpine\nVERSION_ID=3.14.2\n'
RUNS = (
    CommandRun(1, "docker run -d --name web alpine:3.14 sleep 3600", 0, "f00d\n"),
    CommandRun(2, "docker exec   web cat /etc/os-release", 0, OS_RELEASE),
    CommandRun(3, "docker exec web cat /etc/hostname", 1, "cat: can't open '/etc/hostname': No such file or directory\n"),
    CommandRun(5, "docker ps --format '{{.Names}} [x]'", 0, "web [x]\n"),
    CommandRun(6, "docker logs web", None, "", timed_out=True),
)


def graded(spec: dict, runs: tuple | None = RUNS) -> tuple[bool, str]:
    snapshot = Snapshot.from_api([], [])
    snapshot.commands = runs
    result = output.evaluate(spec, snapshot)
    assert result.unknown == (runs is None)  # only under check is it not the student's failure
    return result.passed, result.found.render("en")


def test_a_line_that_printed_the_text_and_exited_0_passes():
    spec = {"command": "docker exec * cat /etc/os-release", "contains": ["ID=alpine", "VERSION_ID=3.14"], "exit_code": 0}
    assert graded(spec) == (True, "line 2 (`docker exec   web cat /etc/os-release`): output and exit code as expected")


def test_text_missing_from_the_output():
    assert graded({"command": "docker exec * cat /etc/os-release", "contains": "ID=debian"}) == (
        False, "the output of line 2 (`docker exec   web cat /etc/os-release`) does not contain 'ID=debian'")


def test_exit_code_other_than_wanted():
    assert graded({"command": "docker exec web cat /etc/hostname", "exit_code": 0}) == (
        False, "line 3 (`docker exec web cat /etc/hostname`) exited with code 1, expected 0")


def test_no_line_like_the_pattern():
    assert graded({"command": "docker pull *"}) == (False, "no line of your command file that ran is like `docker pull *`")


def test_a_refused_line_does_not_count():
    refused = (CommandRun(1, "docker pull alpine; ls", refused=output.msg("policy.empty")),)
    assert graded({"command": "docker pull *"}, refused)[0] is False


def test_under_check_it_says_run_only_and_fails():
    assert graded({"command": "docker ps"}, None) == (False, "this check reads your commands' output: only `docker-grader run` grades it")


def test_any_all_last():
    spec = {"command": "docker exec web cat *", "exit_code": 0}
    assert graded(spec)[0] is True  # line 2 exited 0
    assert graded({**spec, "match": "all"})[0] is False  # line 3 did not
    assert graded({**spec, "match": "last"}) == (False, "line 3 (`docker exec web cat /etc/hostname`) exited with code 1, expected 0")


def test_only_star_is_special_and_spaces_collapse():
    assert graded({"command": "docker ps --format '{{.Names}} [x]'", "contains": "web [x]"})[0] is True
    assert graded({"command": "docker ps --format '{{.Names}} ?x?'"})[0] is False
    assert graded({"command": "docker exec web cat /etc/os-release"})[0] is True  # three spaces in the file
    assert graded({"command": "docker EXEC *"})[0] is False  # case counts


def test_a_line_that_timed_out_fails_even_without_conditions():
    assert graded({"command": "docker logs web"}) == (False, "line 6 (`docker logs web`) did not end within its time limit")


@pytest.mark.parametrize("text", ["docker run -d --name web alpine:3.14 sleep 3600", "x" * 100])
def test_long_lines_are_cut_in_messages(text):
    runs = (CommandRun(1, text, 2, ""),)
    found = graded({"command": text, "exit_code": 0}, runs)[1]
    assert found.startswith("line 1 (`") and len(found) < 140 and ("..." in found) == (len(text) > 80)


def test_last_takes_the_last_line_only():
    runs = (CommandRun(1, "docker ps -a", 1, "error\n"), CommandRun(2, "docker ps -a", 0, "CONTAINER ID\n"))
    spec = {"command": "docker ps -a", "exit_code": 0}
    assert graded({**spec, "match": "last"}, runs) == (True, "line 2 (`docker ps -a`): output and exit code as expected")
    assert graded({**spec, "match": "all"}, runs)[0] is False
    assert graded({**spec, "match": "last"}, tuple(reversed(runs)))[0] is False
