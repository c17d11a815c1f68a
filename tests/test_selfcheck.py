"""The self-check a student runs on a daemon of their own: ``start``, the lesson step by step, ``check``.

The images lesson undoes its own steps (its last exercises remove what the first made), so a
``check`` after the last step passes only with the progress since start (checks.progress). The
start point and progress belong to one daemon, even where every daemon shares /etc/docker/key.json
and so its ID (dockerd 20.10): a second lab of the tests' own shows it.

Each test gets a state folder of its own (XDG_STATE_HOME).
"""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path

import pytest

from conftest import EXERCISES, Daemon

from checks import cli
from checks.lab import Lab

TOTAL = 17  # the images lesson's points


@pytest.fixture(autouse=True)
def state(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    return tmp_path / "state" / "docker-grader"


def start(host: str, capsys) -> None:
    assert cli.main(["start", "--host", host, "--exercises", str(EXERCISES), "--lang", "en"]) == 0
    assert capsys.readouterr().out.startswith("start recorded for daemon ")


def check(host: str, capsys) -> tuple[int, dict, str]:
    """``docker-grader check`` of every exercise, as JSON; its exit code, document and stderr."""
    code = cli.main(["check", "--host", host, "--exercises", str(EXERCISES), "--format", "json", "--lang", "en"])
    out, err = capsys.readouterr()
    return code, json.loads(out), err


def passed(document: dict) -> dict[str, bool]:
    return {exercise["id"]: all(c["passed"] for c in exercise["checks"]) for exercise in document["exercises"]}


def images_lesson(daemon: Daemon, pull: bool = True):
    """The seed lesson's steps, one by one, as a student types them: yields after each."""
    daemon.docker("run", "hello-world")
    yield "run hello-world"
    if pull:
        daemon.docker("pull", "alpine:3.14")
    else:  # the shortcut the lesson refuses: a tag is no pull
        daemon.docker("tag", "hello-world", "alpine:3.14")
    yield "pull alpine"
    daemon.docker("run", "hello-world")
    yield "run hello-world again"
    for container in daemon.docker("ps", "-aq").split():
        daemon.docker("rm", "-f", container)
    yield "rm -f"
    daemon.docker("rmi", "alpine:3.14", "hello-world")
    yield "rmi"


def test_the_images_lesson_with_a_check_after_each_step_ends_with_full_marks(daemon, lab, capsys):
    start(lab.host, capsys)
    code, document, _ = check(lab.host, capsys)
    assert document["score"] == 5  # remove-images, no-container-left and not-run: true of an empty daemon...
    seen = []
    for step in images_lesson(daemon):
        code, document, err = check(lab.host, capsys)
        seen.append((step, sorted(e for e, ok in passed(document).items() if ok)))
    assert "grading what changed since `docker-grader start`" in err
    assert (code, document["score"], document["max_score"]) == (0, TOTAL, TOTAL), seen
    earlier = {exercise["id"]: exercise["passed_at"] for exercise in document["exercises"]}
    # ...but remove-images counted only once seen failing since (after the first step), then passing
    assert [step for step, ok in seen if "remove-images" in ok] == ["rmi"]
    assert all(earlier[e] for e in ("run-hello-world", "pull-alpine", "two-containers-one-image", "remove-containers"))
    assert earlier["remove-images"] is None  # graded now: its end state is the daemon's as it is
    message = document["exercises"][0]["checks"][0]["message"]
    assert message.startswith("found: passed earlier, at ")

    assert cli.main(["check", "--host", lab.host, "--exercises", str(EXERCISES), "--lang", "en"]) == 0
    text = capsys.readouterr().out
    assert "run-hello-world — Run the hello-world image  [4/4]  ✔ passed earlier, at " in text
    start(lab.host, capsys)  # again: afresh
    code, document, _ = check(lab.host, capsys)
    assert (code, document["score"]) == (1, 5) and not any(e["passed_at"] for e in document["exercises"])


def test_tagging_instead_of_pulling_does_not_get_full_marks(daemon, lab, capsys):
    start(lab.host, capsys)
    for _ in images_lesson(daemon, pull=False):
        code, document, _ = check(lab.host, capsys)
    assert (code, document["score"], document["max_score"]) == (1, TOTAL - 2, TOTAL)
    pull = next(e for e in document["exercises"] if e["id"] == "pull-alpine")
    assert [c["name"] for c in pull["checks"] if not c["passed"]] == ["alpine-pulled"]
    assert pull["passed_at"] is None


@pytest.fixture(scope="module")
def second_lab():
    """Another daemon on the machine, of the tests' own: it shares /etc/docker/key.json with the first."""
    scratch = Path(tempfile.mkdtemp(prefix="dgt2-", dir="/tmp"))
    with Lab("tests-second", scratch / "lab").running() as the_lab:
        yield the_lab
    shutil.rmtree(scratch, ignore_errors=True)


def test_a_second_daemon_sharing_the_key_file_changes_nothing_in_either_order(daemon, lab, second_lab, capsys):
    other = Daemon(second_lab)
    other.reset()
    assert other.api.info()["ID"] == daemon.api.info()["ID"]  # the premise: one ID for both
    start(second_lab.host, capsys)  # before the first's start
    start(lab.host, capsys)
    steps = images_lesson(daemon)
    next(steps), next(steps)  # run hello-world, pull alpine
    _, first, err = check(lab.host, capsys)
    assert passed(first)["pull-alpine"] and passed(first)["run-hello-world"]
    start(second_lab.host, capsys)  # after the first's start
    _, again, again_err = check(lab.host, capsys)
    assert passed(again) == passed(first) and again_err == err  # the same start point, note and progress
    assert again["score"] == first["score"] == 11
    assert [bool(e["passed_at"]) for e in again["exercises"]] == [True, True, False, False, False]  # the first check's passes, kept
    _, fresh, _ = check(second_lab.host, capsys)  # and the second sees nothing of the first's work
    assert not passed(fresh)["run-hello-world"] and not any(e["passed_at"] for e in fresh["exercises"])
    other.api.close()


def test_a_daemon_never_started_is_graded_as_it_is_though_another_with_its_id_was(daemon, lab, second_lab, capsys):
    Daemon(second_lab).reset()
    start(lab.host, capsys)
    _, document, err = check(second_lab.host, capsys)
    assert err.startswith("[docker-grader] no `docker-grader start` for this daemon: the state is graded as it is")
    assert not any(e["passed_at"] for e in document["exercises"])
