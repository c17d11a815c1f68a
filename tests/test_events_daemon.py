"""Events on a real daemon: ``docker-grader start`` and ``check``, the run's recorder, and ``run``.

Each test gets a state folder of its own (XDG_STATE_HOME), so a baseline never leaks into another test.
"""

from __future__ import annotations

import json
import re
import time

import pytest

from conftest import EXERCISES, ROOT, failed
from test_requests import served

from checks import baseline, cli, events, exercises, grading, progress, runner
from checks.daemon import connect
from checks.errors import EXIT_BAD_INPUT, EXIT_DAEMON, EXIT_UNKNOWN

EVENTS = ROOT / "tests" / "data" / "events"


@pytest.fixture(autouse=True)
def state(tmp_path, monkeypatch):
    folder = tmp_path / "state"
    monkeypatch.setenv("XDG_STATE_HOME", str(folder))
    return folder / "docker-grader"


def start(lab) -> None:
    assert cli.main(["start", "--host", lab.host, "--lang", "en"]) == 0


def starts(state) -> list:
    """The start points saved (beside each, its progress: checks.progress)."""
    return [path for path in state.glob("*.json") if not path.name.endswith(".progress.json")]


def grade(lab, *ids: str, folder=EXERCISES):
    chosen = exercises.select(exercises.load([folder]), ids)
    report = grading.grade_daemon(chosen, host=lab.host)
    assert report.error is None, report.error.render("en")
    return report


def verdicts(report) -> dict[str, bool]:
    return {f"{o.exercise.id}:{c.check.name}": c.passed for o in report.exercises for c in o.checks}


def test_start_saves_a_baseline_named_by_the_daemon_id(daemon, lab, state, capsys):
    daemon.docker("run", "--name", "before", "hello-world")
    start(lab)
    out = capsys.readouterr().out
    [path] = starts(state)
    saved = json.loads(path.read_text())
    assert path == baseline.path_for(baseline.identity(daemon.api.info()))
    assert saved["containers"] == [daemon.api.inspect_container("before")["Id"]]
    # the last event then: hello-world ended (its die; on the default bridge, then its network's disconnect)
    assert saved["cursor"][1:3] in (["container", "die"], ["network", "disconnect"])
    assert out.startswith("start recorded for daemon ") and "1 container(s) and 1 image(s) already there do not count" in out


def test_tagging_passes_no_pull_check(daemon, lab, capsys):
    daemon.docker("pull", "alpine:3.14")  # pulled before start: that pull is not the lesson's
    daemon.docker("pull", "hello-world")
    start(lab)
    daemon.docker("rmi", "alpine:3.14")
    daemon.docker("tag", "hello-world", "alpine:3.14")
    assert failed(grade(lab, "pull-alpine").exercises[0]) == {
        "alpine-pulled": "the daemon saw no pull of image alpine:3.14 (expected: at least 1); "
        "all it saw of image alpine:3.14: tag alpine:3.14",
    }
    daemon.docker("pull", "alpine:3.14")
    report = grade(lab, "pull-alpine")
    assert failed(report.exercises[0]) == {}
    assert report.exercises[0].checks[0].result.found.render("en") == "the daemon saw: pull alpine:3.14"


def test_without_a_baseline_the_state_is_graded_and_the_grader_says_so(daemon, lab, capsys):
    daemon.docker("pull", "alpine:3.14")
    assert cli.main(["check", "pull-alpine", "--host", lab.host, "--lang", "en"]) == 0
    err = capsys.readouterr().err
    assert err.startswith("[docker-grader] no `docker-grader start` for this daemon: the state is graded as it is")
    daemon.docker("tag", "alpine:3.14", "tagged:1")
    assert cli.main(["check", "two-containers-one-image", "--host", lab.host, "--lang", "en"]) == 1
    assert capsys.readouterr().err == ""  # no event check there: nothing to say


def test_recreating_a_container_fails_started_again(daemon, lab):
    start(lab)
    daemon.docker("run", "--name", "web", "hello-world")
    daemon.docker("start", "web")
    daemon.docker("wait", "web")  # `start` returns before hello-world ends: its die must come before the next baseline
    assert failed(grade(lab, "restart-container", folder=EVENTS).exercises[0]) == {}
    start(lab)
    daemon.docker("rm", "web")
    daemon.docker("run", "--name", "web", "hello-world")
    daemon.docker("rm", "web")
    daemon.docker("run", "--name", "web", "hello-world")
    assert failed(grade(lab, "restart-container", folder=EVENTS).exercises[0]) == {
        "started-again": "the daemon saw create of container web 2 time(s) (expected: 1); all it saw of container web: "
        "destroy web, create web, attach web, start web, die web, destroy web, create web, attach web (+2)",
    }


def test_run_rm_passes_and_a_container_left_fails(daemon, lab):
    start(lab)
    daemon.docker("run", "--rm", "hello-world")
    assert failed(grade(lab, "run-rm", folder=EVENTS).exercises[0]) == {}
    start(lab)
    daemon.docker("run", "--name", "kept", "hello-world")
    found = failed(grade(lab, "run-rm", folder=EVENTS).exercises[0])
    assert list(found) == ["removed-when-done", "none-left"]
    assert found["removed-when-done"].startswith("the daemon saw no destroy of container(s) from image hello-world (expected: at least 1)")


def test_stop_then_rm_passes_and_rm_f_fails(daemon, lab):
    daemon.docker("run", "-d", "--name", "web", "alpine:3.14", "sleep", "600")
    start(lab)
    daemon.docker("stop", "-t", "0", "web")
    daemon.docker("rm", "web")
    assert failed(grade(lab, "stop-then-rm", folder=EVENTS).exercises[0]) == {}
    daemon.docker("run", "-d", "--name", "web", "alpine:3.14", "sleep", "600")
    start(lab)
    daemon.docker("rm", "-f", "web")
    assert failed(grade(lab, "stop-then-rm", folder=EVENTS).exercises[0]) == {
        "stopped-then-removed": "the daemon saw no stop of container web (expected: at least 1); "
        "all it saw of container web: kill web, die web, destroy web",
    }


def tag_and_untag(daemon, pairs: int) -> None:
    """2 events per pair (tag, untag), on an image no check looks at."""
    for index in range(pairs):
        daemon.api.tag("hello-world", "flood", f"t{index}")
        daemon.api.remove_image(f"flood:t{index}")


def test_an_event_flood_past_256_in_check_mode_is_unknown(daemon, lab, capsys):
    daemon.docker("pull", "hello-world")
    start(lab)
    capsys.readouterr()
    daemon.docker("pull", "alpine:3.14")
    tag_and_untag(daemon, 120)  # 241 events since start: all still buffered
    assert cli.main(["check", "pull-alpine", "--host", lab.host, "--format", "json", "--lang", "en"]) == 0
    assert json.loads(capsys.readouterr().out)["score"] == 3
    progress.path_for(baseline.identity(daemon.api.info())).unlink()  # seen passing, it would stay passed: look at the record alone
    tag_and_untag(daemon, 10)  # 261: the pull is gone from the daemon's memory
    assert cli.main(["check", "pull-alpine", "--host", lab.host, "--format", "json", "--lang", "en"]) == EXIT_UNKNOWN
    document = json.loads(capsys.readouterr().out)
    assert (document["score"], document["max_score"]) == (1, 1)
    pulled = document["exercises"][0]["checks"][0]
    assert (pulled["passed"], pulled["score"], pulled["max_score"]) == (False, 0, 0)
    assert pulled["message"].startswith("found: cannot tell: the daemon keeps only its last 256 events")
    assert cli.main(["check", "pull-alpine", "--host", lab.host, "--lang", "en"]) == EXIT_UNKNOWN
    text = capsys.readouterr().out
    assert "  ? alpine-pulled  0/0\n" in text and "Total: 1/1 points" in text  # its points left the total


LESSON = ("run-hello-world", "pull-alpine", "two-containers-one-image")


def lesson(daemon) -> None:
    daemon.docker("run", "hello-world")
    daemon.docker("pull", "alpine:3.14")
    daemon.docker("run", "hello-world")


def test_unrelated_containers_and_images_before_start_change_no_verdict(daemon, lab, state):
    start(lab)
    lesson(daemon)
    clean = verdicts(grade(lab, *LESSON))
    assert all(clean.values()), clean

    daemon.reset()
    daemon.docker("run", "--name", "old-1", "hello-world")  # a student's earlier work
    daemon.docker("run", "--name", "old-2", "hello-world")
    daemon.docker("create", "--name", "old-alpine", "alpine:3.14", "true")
    daemon.docker("tag", "alpine:3.14", "my-app:1")
    daemon.docker("rmi", "alpine:3.14")  # my-app:1 stays: an unrelated image, with alpine's content
    for path in state.glob("*.json"):
        path.unlink()
    lesson(daemon)
    assert verdicts(grade(lab, *LESSON)) != clean  # without a start, the earlier work counts
    daemon.reset()
    daemon.docker("run", "--name", "old-1", "hello-world")
    daemon.docker("run", "--name", "old-2", "hello-world")
    daemon.docker("create", "--name", "old-alpine", "alpine:3.14", "true")
    daemon.docker("tag", "alpine:3.14", "my-app:1")
    daemon.docker("rmi", "alpine:3.14")
    start(lab)
    lesson(daemon)
    assert verdicts(grade(lab, *LESSON)) == clean


def test_check_sends_a_fixed_number_of_get_requests_with_a_baseline(daemon, lab, tmp_path):
    daemon.docker("pull", "hello-world")
    start_requests = served(lab, lambda: start(lab))
    lesson(daemon)
    target = str(tmp_path / "result.json")
    grade_all = lambda: cli.main(["check", "--host", lab.host, "--format", "json", "--output", target])  # noqa: E731
    quiet = served(lab, grade_all)
    for index in range(50):
        daemon.api.create_container("alpine:3.14", command=["true"], name=f"noise-{index}")
    tag_and_untag(daemon, 50)
    passes = progress.path_for(baseline.identity(daemon.api.info()))
    passes.unlink()  # the same grading as the first: what it saw pass would be shown from the record, not graded
    busy = served(lab, grade_all)
    remembered = served(lab, grade_all)  # the lesson's three passes from the record: their logs are not read again

    assert {method for method, _ in start_requests + quiet + busy} == {"GET"}
    shape = lambda requests: sorted(re.sub(r"(since|until)=[\d.]+", r"\1=T", re.sub(r"/containers/\w+/", "/containers/ID/", path))  # noqa: E731
                                    for _, path in requests)
    assert shape(quiet) == shape(busy)
    assert shape(quiet) == sorted([
        "/_ping", "/info", "/containers/json?all=1", "/images/json", "/events?since=T&until=T",
        "/containers/ID/logs?stdout=1&stderr=1", "/containers/ID/logs?stdout=1&stderr=1",
    ])
    assert shape(start_requests) == sorted(["/_ping", "/info", "/containers/json?all=1", "/images/json", "/events?since=T&until=T"])
    # pull-alpine is graded again (the noise containers are alpine's: not-run failed), its events read once more
    assert shape(remembered) == sorted(["/_ping", "/info", "/containers/json?all=1", "/images/json", "/events?since=T&until=T"])


def test_start_on_no_daemon_and_a_damaged_baseline_are_clear_errors(daemon, lab, state, tmp_path, capsys):
    assert cli.main(["start", "--host", f"unix://{tmp_path}/none.sock", "--lang", "en"]) == EXIT_DAEMON
    assert "Traceback" not in capsys.readouterr().err
    start(lab)
    [path] = starts(state)
    path.write_text("{not json")
    assert cli.main(["check", "pull-alpine", "--host", lab.host, "--lang", "en"]) == EXIT_BAD_INPUT
    assert capsys.readouterr().err.startswith(f"the start file {path} is unreadable (JSONDecodeError); run `docker-grader start` again")


def test_the_recorder_keeps_every_event_past_the_daemons_256(daemon, lab):
    daemon.docker("pull", "hello-world")
    began = time.time_ns()
    with events.record(str(lab.socket), began) as recorder, connect(lab.host) as client:
        tag_and_untag(daemon, 200)
        ended = time.time_ns()
        window = recorder.window(client, began, ended)
        assert len(events.read_window(client, began, ended)) == 256  # what one bounded read can give
    assert window.complete and len(window.events) == 400
    assert [e.action for e in window.events[:2]] == ["tag", "untag"]


def run_course(folder, files: dict[str, str], *ids: str):
    folder.mkdir()
    for name, text in files.items():
        (folder / f"{name}.dc").write_text(text)
    chosen = exercises.select(exercises.load([EXERCISES]), ids)
    report = runner.run(folder, chosen)
    assert report.error is None, report.error.render("en")
    return report


def test_in_run_a_tag_is_no_pull_and_each_exercise_sees_only_its_own_events(tmp_path):
    report = run_course(tmp_path / "one", {
        "run-hello-world": "docker pull alpine:3.14\ndocker run hello-world\n",  # alpine pulled here, not in pull-alpine
        "pull-alpine": "docker images\n",
    }, "run-hello-world", "pull-alpine")
    first, second = report.exercises
    assert failed(first) == {}
    assert failed(second) == {
        "alpine-pulled": "the daemon saw no pull of image alpine:3.14 (expected: at least 1); all it saw of image alpine:3.14: none",
    }
    report = run_course(tmp_path / "two", {"pull-alpine": "docker pull hello-world\ndocker tag hello-world alpine:3.14\n"}, "pull-alpine")
    assert failed(report.exercises[0]) == {
        "alpine-pulled": "the daemon saw no pull of image alpine:3.14 (expected: at least 1); all it saw of image alpine:3.14: tag alpine:3.14",
    }


class LateRecorder(events.Recorder):
    """A recorder whose stream starts being read late, as a busy machine would make it."""

    def _follow(self) -> None:
        time.sleep(0.5)
        super()._follow()


def test_a_window_waits_for_the_stream_to_bring_its_last_event(daemon, lab):
    daemon.docker("pull", "hello-world")
    began = time.time_ns()
    with LateRecorder(str(lab.socket), began) as recorder, connect(lab.host) as client:
        tag_and_untag(daemon, 3)
        window = recorder.window(client, began, time.time_ns())
    assert window.complete and [e.action for e in window.events] == ["tag", "untag"] * 3


def test_under_pytest_a_check_that_cannot_tell_is_skipped(daemon, lab, pytester, monkeypatch):
    monkeypatch.setenv("PYTHONPATH", str(ROOT))
    pytester.makeini("[pytest]\ngrader_exercises = exercises\n")
    pytester.makeconftest('pytest_plugins = ["checks.pytest_plugin"]')
    folder = pytester.mkdir("exercises")
    (folder / "run-rm.yaml").write_text((EVENTS / "run-rm.yaml").read_text())
    result = pytester.runpytest("exercises", "--docker-host", lab.host, "--grader-lang", "en", "-rs", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=1, skipped=1)  # no record of events under pytest: removed-when-done cannot tell
    result.stdout.fnmatch_lines(["Total: 1/1 points", "*SKIPPED*found: cannot tell: there is no record of events*"])


def test_in_run_a_flood_past_256_events_loses_nothing(tmp_path):
    tags = [f"flood:{index}" for index in range(140)]  # a file runs at most 200 commands: one rmi removes them all
    flood = "".join(f"docker tag alpine:3.14 {tag}\n" for tag in tags) + f"docker rmi {' '.join(tags)}\n"
    report = run_course(tmp_path / "flood", {"pull-alpine": "docker pull alpine:3.14\n" + flood}, "pull-alpine")
    outcome = report.exercises[0]
    assert all(run.exit_code == 0 for run in outcome.commands) and len(outcome.commands) == 142
    assert failed(outcome) == {}  # the pull, 280 events before the end, is still in the record
    assert outcome.checks[0].result.found.render("en") == "the daemon saw: pull alpine:3.14"


def test_in_run_started_again_and_rm_are_graded_from_each_exercises_events(tmp_path):
    folder = tmp_path / "process"
    folder.mkdir()
    (folder / "restart-container.dc").write_text("docker run --name web hello-world\ndocker start web\ndocker rm web\n")
    (folder / "run-rm.dc").write_text("docker run --rm hello-world\n")
    report = runner.run(folder, exercises.load([EVENTS]))
    assert report.error is None and [o.exercise.id for o in report.exercises] == ["restart-container", "run-rm", "stop-then-rm"]
    started, removed, stopped = report.exercises
    assert failed(started) == {} and failed(removed) == {}
    # run-rm's window starts after restart-container's: web's create and start are not counted there
    assert re.fullmatch(r"the daemon saw: create (\w+), start \1, die \1, destroy \1", removed.checks[0].result.found.render("en"))
    assert stopped.score == 0 and stopped.error.key == "submission.missing"
