"""The lab-host lesson (lessons/lab-host) graded through `run`, as CI grades a submission: `-p` on the
default network, a bind of the submission's own page, a push and pull of a Docker Hub name,
`docker compose up -d` (Compose v2), and a HEALTHCHECK graded healthy (the wrong example's never is)."""

from __future__ import annotations

import json

import pytest

from checks import exercises, runner

from conftest import ROOT

LESSON = ROOT / "lessons" / "lab-host"


def test_the_lesson_loads_in_order_in_both_languages():
    loaded = exercises.load([LESSON])
    assert [e.id for e in loaded] == ["publish-default", "bind-site", "hub-push-pull", "compose-v2", "health-check"]
    assert {e.lesson for e in loaded} == {"lab-host"}
    assert all(set(e.title) == {"pt-BR", "en"} and set(e.description) == {"pt-BR", "en"} for e in loaded)
    expected = json.loads((ROOT / "examples" / "expected.json").read_text())["lab-host-full-marks"]["max_score"]
    assert sum(e.max_score for e in loaded) == expected


@pytest.mark.parametrize("example", ["lab-host-full-marks", "lab-host-wrong"])
def test_lab_host_examples_get_their_expected_score(example):
    expected = json.loads((ROOT / "examples" / "expected.json").read_text())[example]
    report = runner.run(ROOT / "examples" / example, exercises.load([LESSON]))
    assert report.error is None, report.error.render("en")
    failed = {(o.exercise.id, c.check.name): c.result.found.render("en") for o in report.exercises for c in o.checks if not c.passed}
    outputs = {o.exercise.id: [(r.text, r.exit_code, r.output[-300:]) for r in o.commands] for o in report.exercises}
    assert (report.score, report.max_score) == (expected["score"], expected["max_score"]), (failed, outputs)
    if example == "lab-host-wrong":
        assert set(failed) == {("publish-default", "web-port-80-answers"), ("publish-default", "page-on-8080"),
                               ("bind-site", "your-page"), ("hub-push-pull", "pushed"), ("hub-push-pull", "pulled-back"),
                               ("hub-push-pull", "here-as-pulled"), ("compose-v2", "page-on-8082"),
                               ("compose-v2", "web-after-cache"), ("health-check", "app-is-healthy")}
        assert failed[("hub-push-pull", "pushed")] == "aluno/app:1 was not pushed (docker push); pushed: aluno/app:2"
