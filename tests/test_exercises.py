"""Exercise files: the course's load, good samples load, every bad sample gets FILE:LINE: $.path and exit 2."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from checks import cli, exercises, schema
from checks.errors import ExerciseError, UsageError

from conftest import EXERCISES, ROOT

DATA = Path(__file__).parent / "data"
INVALID = sorted((DATA / "invalid").glob("*.yaml"))


def test_the_course_exercises_load_in_lesson_order():
    loaded = exercises.load([EXERCISES])
    assert [e.id for e in loaded] == [
        "run-hello-world", "pull-alpine", "two-containers-one-image", "remove-containers", "remove-images",
    ]
    # The schema already asks for both languages and positive points; the course's total is what
    # examples/expected.json holds for a full-marks submission.
    expected = json.loads((ROOT / "examples" / "expected.json").read_text())["full-marks"]["max_score"]
    assert sum(exercise.max_score for exercise in loaded) == expected


def test_valid_samples_load():
    (sample,) = [e for e in exercises.load([DATA / "valid"]) if e.id == "every-kind"]
    assert sample.checks[1].visibility == "hidden"
    assert sample.start["containers"] == [{"image": "hello-world", "count": 1}]


@pytest.mark.parametrize("path", INVALID, ids=[p.stem for p in INVALID])
def test_invalid_sample_names_its_line_and_json_path(path, capsys):
    line, json_path = re.match(r"# expect (\d+): (\S+)", path.read_text()).groups()
    with pytest.raises(ExerciseError) as raised:
        exercises.load_file(path)
    first = raised.value.faults[0]
    if line != "0":
        assert (first.line, first.json_path) == (int(line), json_path)
    assert cli.main(["validate", str(path), "--lang", "en"]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"{path}:"), err
    assert "Traceback" not in err
    assert re.match(rf"{re.escape(str(path))}:\d+: \$\S*: .+", err)


def test_unknown_key_suggests_the_closest():
    with pytest.raises(ExerciseError) as raised:
        exercises.load_file(DATA / "invalid/unknown-key.yaml")
    assert "did you mean 'state'?" in raised.value.faults[0].message.render("en")


def test_faults_of_several_files_are_all_reported(capsys):
    assert cli.main(["validate", str(DATA / "invalid")]) == 2
    lines = capsys.readouterr().err.splitlines()
    assert {line.split(":")[0] for line in lines} == {str(p) for p in INVALID}


def test_duplicate_ids_across_files(tmp_path):
    source = (EXERCISES / "pull-alpine.yaml").read_text()
    (tmp_path / "a.yaml").write_text(source)
    (tmp_path / "b.yaml").write_text(source)
    with pytest.raises(ExerciseError) as raised:
        exercises.load([tmp_path])
    assert "already used" in raised.value.faults[0].message.render("en")


def test_missing_folder_is_a_usage_error(tmp_path):
    with pytest.raises(UsageError):
        exercises.load([tmp_path / "nothing"])
    with pytest.raises(UsageError):
        exercises.load([tmp_path])


def test_shipped_schema_is_up_to_date():
    assert schema.SCHEMA_FILE.read_text() == schema.dumps(), "run: docker-grader schema --write"


def test_every_kind_has_a_documented_fragment():
    from checks.kinds import KINDS

    for name, module in KINDS.items():
        assert callable(module.evaluate), name
        for key, fragment in module.SCHEMA["properties"].items():
            assert fragment.get("description"), f"{name}.{key} has no description"


def test_schema_faults_are_in_the_users_language(tmp_path, capsys):
    from checks import cli

    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "id: Bad Id\nlesson: ''\norder: -1\ntitle: {pt-BR: t}\ndescription: 3\n"
        "checks:\n  - {name: a, kind: image, image: alpine, points: 0, hint: {pt-BR: h, en: h}, visibility: maybe}\n"
    )
    assert cli.main(["validate", str(bad), "--lang", "pt-BR"]) == 2
    err = capsys.readouterr().err
    for english in ("is a required property", "is not of type", "is not one of", "does not match", "is too short", "less than"):
        assert english not in err, err
    for portuguese in ("falta a chave obrigatória 'en'", "não é do tipo", "não é um de", "não segue o padrão", "é curto demais"):
        assert portuguese in err, err
    assert cli.main(["validate", str(bad), "--lang", "en"]) == 2
    assert "the required key 'en' is missing" in capsys.readouterr().err
