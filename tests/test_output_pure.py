"""The `output` kind on hand-built command runs: which lines a pattern takes, and each verdict."""

from __future__ import annotations

import pytest
from apijson import FakeSource, snapshot

from checks import docker_lines
from checks.events import Event, EventLog
from checks.kinds import output
from checks.results import CommandRun
from checks.snapshot import Snapshot

OS_RELEASE = 'NAME="Alpine Linux"\nID=alpine\nVERSION_ID=3.14.2\n'
WEB = "a" * 64
RUNS = (
    CommandRun(1, "docker run -d --name web alpine:3.14 sleep 3600", 0, "f00d\n", began=100, ended=199),
    CommandRun(2, "docker exec   web cat /etc/os-release", 0, OS_RELEASE, began=200, ended=299),
    CommandRun(3, "docker exec web cat /etc/hostname", 1, "cat: can't open '/etc/hostname': No such file or directory\n",
               began=300, ended=399),
    CommandRun(5, "docker ps --format '{{.Names}} [x]'", 0, "web [x]\n", began=500, ended=599),
    CommandRun(6, "docker logs web", None, "", timed_out=True, began=600, ended=699),
)
# What the daemon recorded while those lines ran: the container line 1 made, the execs of lines 2 and 3.
RECORD = EventLog((
    Event(110, "container", "create", WEB, "web", "alpine:3.14"),
    Event(120, "container", "start", WEB, "web", "alpine:3.14"),
    Event(210, "container", "exec_create", WEB, "web", "alpine:3.14", "cat /etc/os-release"),
    Event(310, "container", "exec_create", WEB, "web", "alpine:3.14", "cat /etc/hostname"),
))


def graded(spec: dict, runs: tuple | None = RUNS, record: EventLog | None = RECORD) -> tuple[bool, str]:
    result = evaluated(spec, runs, record)
    assert result.unknown == (runs is None)  # only under check is it not the student's failure
    return result.passed, result.found.render("en")


def evaluated(spec: dict, runs: tuple | None, record: EventLog | None, inspected: dict | None = None):
    source = FakeSource()
    source.event_log = record
    source.inspected = inspected or {}
    taken = snapshot((), (), source) if not inspected else Snapshot.from_api([], [
        {"Id": key, "Names": ["/x"], "Image": "x", "ImageID": "", "State": "exited"} for key in inspected], source=source)
    return output.evaluate(spec, taken.with_reads(commands=lambda: runs))


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


# --- forgery: the image and the command are those the daemon recorded for the line ---------------

UBUNTU_ASKED = {"command": "docker run * ubuntu:20.04 cat /etc/os-release", "contains": "ID=ubuntu", "exit_code": 0}
ECHOED = "docker run --rm alpine:3.14 echo ID=ubuntu ubuntu:20.04 cat /etc/os-release"


def one_run(text: str, out: str, *events: Event):
    return (CommandRun(1, text, 0, out, began=100, ended=199),), EventLog(events)


@pytest.mark.parametrize("line", [ECHOED, ECHOED.replace("docker run", "docker --debug --log-level info run")])
def test_text_echoed_by_another_image_does_not_pass(line):
    runs, record = one_run(line, "ID=ubuntu ubuntu:20.04 cat /etc/os-release\n",
                           Event(110, "container", "create", WEB, "", "alpine:3.14"))
    assert graded({**UBUNTU_ASKED, "command": "docker * ubuntu:20.04 cat /etc/os-release"}, runs, record)[0] is False
    assert graded(UBUNTU_ASKED, runs, record)[0] is False


def test_the_image_asked_for_running_the_command_passes():
    runs, record = one_run("docker run --rm -it ubuntu:20.04 cat /etc/os-release", "ID=ubuntu\n",
                           Event(110, "container", "create", WEB, "", "ubuntu:20.04"))
    assert graded(UBUNTU_ASKED, runs, record)[0] is True
    assert graded({**UBUNTU_ASKED, "command": "docker run * docker.io/library/ubuntu:20.04 *"}, runs, record)[0] is True


def test_a_line_whose_container_the_daemon_did_not_record_is_not_like_an_image_pattern():
    runs, record = one_run("docker run --rm ubuntu:20.04 cat /etc/os-release", "ID=ubuntu\n")
    assert graded(UBUNTU_ASKED, runs, record)[0] is False
    assert graded({"command": "docker run *"}, runs, record)[0] is True  # a pattern without an image takes it


def test_a_command_the_daemon_recorded_otherwise_does_not_count():
    runs, record = one_run("docker run ubuntu:20.04 cat /etc/os-release", "ID=ubuntu\n",
                           Event(110, "container", "create", WEB, "", "ubuntu:20.04"))
    inspected = {WEB: {"Config": {"Image": "ubuntu:20.04", "Cmd": ["echo", "ID=ubuntu"]}}}
    assert evaluated(UBUNTU_ASKED, runs, record, inspected).passed is False
    inspected[WEB]["Config"]["Cmd"] = ["cat", "/etc/os-release"]
    assert evaluated(UBUNTU_ASKED, runs, record, inspected).passed is True


def test_an_exec_is_matched_with_the_command_the_daemon_recorded():
    spec = {"command": "docker exec * cat /etc/os-release", "contains": "ID=alpine"}
    forged = "docker exec web echo ID=alpine cat /etc/os-release"
    runs, record = one_run(forged, "ID=alpine cat /etc/os-release\n",
                           Event(110, "container", "exec_create", WEB, "web", "alpine:3.14", "echo ID=alpine cat /etc/os-release"))
    assert graded(spec, runs, record)[0] is False
    runs, record = one_run("docker exec -it web cat /etc/os-release", "ID=alpine\n",
                           Event(110, "container", "exec_create", WEB, "web", "alpine:3.14", "cat /etc/os-release"))
    assert graded(spec, runs, record)[0] is True


def test_without_a_complete_record_a_run_line_cannot_tell():
    runs, _ = one_run("docker run --rm ubuntu:20.04 cat /etc/os-release", "ID=ubuntu\n")
    result = evaluated(UBUNTU_ASKED, runs, EventLog((), complete=False))
    assert (result.passed, result.unknown) == (False, True)
    assert "incomplete" in result.found.render("en")


@pytest.mark.parametrize("text, parts", [
    ("docker run --rm -it ubuntu:20.04 cat /x", ("ubuntu:20.04", ("cat", "/x"))),
    ("docker run -e A=1 -p8080:80 --name=web -dit nginx", ("nginx", ())),
    ("docker container run -v data:/d -w /d alpine:3.14 ls -l", ("alpine:3.14", ("ls", "-l"))),
    ("docker run --entrypoint sh alpine -c 'echo hi'", ("alpine", ("-c", "echo hi"))),
    ("docker exec -u root -it web sh", ("web", ("sh",))),
    ("docker --debug -l info run --rm alpine echo ID=ubuntu", ("alpine", ("echo", "ID=ubuntu"))),
    ("docker run --rm", None),
    ("docker ps -a", None),
])
def test_lines_are_read_as_the_cli_reads_them(text, parts):
    line = docker_lines.read(text)
    assert (line and (line.slot, line.command)) == parts
