"""`list --format json` and `courses --format json`, by exact output and by the shape a script
relies on (tests/schemas/list.schema.json, courses.schema.json)."""

from __future__ import annotations

import json

from checks import cli

from conftest import ROOT
from test_reports import schema


def run(capsys, *args) -> tuple[int, str]:
    code = cli.main(list(args))
    out, err = capsys.readouterr()
    assert err == ""
    return code, out


def test_list_json_has_the_shape_and_every_exercise(capsys):
    code, out = run(capsys, "list", "--format", "json", "--exercises", str(ROOT / "exercises"))
    document = json.loads(out)
    assert code == 0 and schema("list").is_valid(document)
    assert [exercise["id"] for exercise in document["exercises"]] == [
        "run-hello-world", "pull-alpine", "two-containers-one-image", "remove-containers", "remove-images"]
    assert document["exercises"][1] == {
        "id": "pull-alpine",
        "lesson": "docker-images",
        "order": 2,
        "title": {"pt-BR": "Baixe a imagem alpine:3.14 sem rodá-la", "en": "Pull the alpine:3.14 image without running it"},
        "points": 3,
        "check_count": 2,
        "kinds": ["containers", "events"],
    }
    assert out == json.dumps(document, indent=2, ensure_ascii=False) + "\n"  # UTF-8 as it is, not \u escapes


def test_list_json_is_the_same_in_every_language(capsys):
    """A script reads both titles; the document does not change with --lang or the environment."""
    outputs = {run(capsys, "list", "--format", "json", "--lang", lang)[1] for lang in ("pt-BR", "en")}
    assert len(outputs) == 1


def test_list_json_of_every_lesson_fits_the_shape(capsys):
    for lesson in sorted((ROOT / "lessons").iterdir()):
        if any(lesson.glob("*.yaml")):
            code, out = run(capsys, "list", "--format", "json", "--exercises", str(lesson))
            document = json.loads(out)
            assert code == 0 and schema("list").is_valid(document) and document["exercises"], lesson


def test_list_points_are_the_sum_of_the_checks(capsys):
    from checks import exercises

    document = json.loads(run(capsys, "list", "--format", "json")[1])
    loaded = {exercise.id: exercise for exercise in exercises.load([ROOT / "exercises"])}
    for item in document["exercises"]:
        exercise = loaded[item["id"]]
        assert item["points"] == sum(check.points for check in exercise.checks)
        assert (item["check_count"], item["lesson"], item["order"]) == (len(exercise.checks), exercise.lesson, exercise.order)


def test_courses_json(capsys):
    code, out = run(capsys, "courses", "--format", "json", "--lang", "en")
    document = json.loads(out)
    assert code == 0 and schema("courses").is_valid(document)
    assert document == {"courses": [{"name": "docker-images", "lang": "pt-BR",
                                     "title": {"pt-BR": "Imagens Docker", "en": "Docker images"},
                                     "path": str(ROOT / "exercises")}]}


def test_text_stays_the_default(capsys):
    code, out = run(capsys, "list", "--lang", "en")
    assert code == 0 and not out.startswith("{") and "pull-alpine" in out
    code, out = run(capsys, "courses", "--lang", "en")
    assert code == 0 and out.split()[:2] == ["docker-images", "pt-BR"]


def test_an_unknown_format_is_refused(capsys):
    code = cli.main(["list", "--format", "xml", "--lang", "en"])
    assert code == 2 and "--format" in capsys.readouterr().err
