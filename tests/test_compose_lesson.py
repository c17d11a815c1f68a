"""The Docker Compose lesson (lessons/compose) graded through `run`, as CI grades a submission."""

from __future__ import annotations

import json

import pytest

from checks import exercises, runner

from conftest import ROOT

LESSON = ROOT / "lessons" / "compose"


def test_the_lesson_loads_in_order_in_both_languages():
    loaded = exercises.load([LESSON])
    assert [e.id for e in loaded] == ["compose-up", "compose-ports", "compose-depends-env", "compose-volume", "compose-scale", "compose-app"]
    assert {e.lesson for e in loaded} == {"docker-compose"}
    expected = json.loads((ROOT / "examples" / "expected.json").read_text())["compose-full-marks"]["max_score"]
    assert sum(e.max_score for e in loaded) == expected


@pytest.mark.parametrize("example", ["compose-full-marks", "compose-partial"])
def test_compose_examples_get_their_expected_score(example):
    expected = json.loads((ROOT / "examples" / "expected.json").read_text())[example]
    report = runner.run(ROOT / "examples" / example, exercises.load([LESSON]))
    assert report.error is None
    failed = {(o.exercise.id, c.check.name): c.result.found.render("en") for o in report.exercises for c in o.checks if not c.passed}
    assert (report.score, report.max_score) == (expected["score"], expected["max_score"]), failed
    if example == "compose-partial":
        assert set(failed) == {("compose-ports", "port-published"), ("compose-ports", "page-on-8080"),
                               ("compose-depends-env", "web-depends-on-db"), ("compose-volume", "page-kept"),
                               ("compose-scale", "three-workers"), ("compose-app", "your-page")}
        assert failed[("compose-volume", "page-kept")] == "answered 404, expected 200; tried: GET http://127.0.0.1:8081/note.html → 404"
