"""The schemas as other programs read them. The editor set-ups the docs give, run through the real
yaml-language-server (what VS Code's YAML extension runs) over the shipped course: its modelines,
the documented VS Code settings, and a course team's copy of the schemas written by
`docker-grader schema --output`. course.yaml has a schema of its own, which says what
checks.courses accepts. Generic validators (jsonschema's best_match, check-jsonschema) give one
mistake one error."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from jsonschema import Draft202012Validator
from jsonschema.exceptions import best_match

from checks import cli, courses, messages, schema
from checks.errors import UsageError

from conftest import ROOT
from yamlls import LanguageServer

MODELINE = re.compile(r"^# yaml-language-server: \$schema=(\S+)\n")


def shipped() -> list[Path]:
    """The course's YAML files: exercises/ (course.yaml too) and every lesson's exercises."""
    return sorted([*(ROOT / "exercises").glob("*.yaml"), *(ROOT / "lessons").glob("*/*.yaml")])


def problems(found: dict[Path, list[dict]]) -> dict[str, list[str]]:
    return {path.name: [d["message"] for d in diagnostics] for path, diagnostics in found.items() if diagnostics}


def test_the_course_schema_file_is_the_built_one():
    assert schema.COURSE_SCHEMA_FILE.read_text() == schema.course_dumps(), "run: docker-grader schema --course --write"
    assert schema.build_course()["$id"] == schema.COURSE_SCHEMA_ID != schema.SCHEMA_ID


COURSES = [
    {"name": "docker-images", "title": {"pt-BR": "Imagens", "en": "Images"}, "lang": "pt-BR"},
    {"name": "docker-images", "title": {"pt-BR": "Imagens", "en": "Images"}},
    {"name": "docker-images", "title": {"pt-BR": "Imagens", "en": "Images"}, "lang": "fr"},
    {"name": "docker-images", "title": {"pt-BR": "Imagens"}, "lang": "en"},
    {"name": "docker-images", "title": {"pt-BR": "Imagens", "en": "Images", "es": "Imágenes"}, "lang": "en"},
    {"name": "docker-images", "title": {"pt-BR": "", "en": "Images"}, "lang": "en"},
    {"name": "", "title": {"pt-BR": "Imagens", "en": "Images"}, "lang": "en"},
    {"name": 5, "title": {"pt-BR": "Imagens", "en": "Images"}, "lang": "en"},
    {"name": "x" * 101, "title": {"pt-BR": "Imagens", "en": "Images"}, "lang": "en"},
    {"name": "docker-images", "title": {"pt-BR": "Imagens", "en": "Images"}, "lang": "en", "order": 1},
    {"name": "docker-images", "title": "Images", "lang": "en"},
    ["name", "title", "lang"],
]


@pytest.mark.parametrize("document", COURSES, ids=range(len(COURSES)))
def test_the_course_schema_says_what_the_grader_reads(tmp_path, document):
    (tmp_path / "course.yaml").write_text(yaml.safe_dump(document))
    try:
        courses.read_course(tmp_path)
        read = True
    except UsageError:
        read = False
    valid = Draft202012Validator(schema.build_course()).is_valid(document)
    assert valid == read == (document is COURSES[0])


def test_the_shipped_course_has_no_diagnostics_through_its_modelines():
    files = shipped()
    for path in files:  # every file names its schema by a path relative to it, inside the repository
        line = MODELINE.match(path.read_text())
        assert line, path
        target = (path.parent / line.group(1)).resolve()
        assert target in (schema.SCHEMA_FILE, schema.COURSE_SCHEMA_FILE) and (target == schema.COURSE_SCHEMA_FILE) == (path.name == "course.yaml")
    with LanguageServer(ROOT) as server:
        server.start()
        found = server.diagnose(files)
    assert len(found) == len(files) > 20 and problems(found) == {}


def documented_settings() -> dict:
    """The VS Code settings docs/packaging.md gives a course team (the ```json block)."""
    text = (ROOT / "docs" / "packaging.md").read_text()
    (block,) = re.findall(r"```json\n(.*?)```", text, re.S)
    return json.loads(block)


def course_copy(folder: Path, modeline: bool) -> list[Path]:
    """The shipped course laid out as a course team's exercises/ folder (a lesson per subfolder),
    with the schema copies `docker-grader schema --output` writes there, as the docs say; each file's
    modeline names the copy, or is left out (the settings then choose the schema)."""
    course = folder / "exercises"
    files = []
    for path in shipped():
        lesson = path.parent.name if path.parent.parent.name == "lessons" else ""
        target = course / lesson / path.name
        target.parent.mkdir(parents=True, exist_ok=True)
        text = MODELINE.sub("", path.read_text())
        if modeline:
            name = "course.schema.json" if path.name == "course.yaml" else "exercise.schema.json"
            text = f"# yaml-language-server: $schema={'../' if lesson else ''}{name}\n" + text
        target.write_text(text)
        files.append(target)
    assert cli.main(["schema", "--output", str(course / "exercise.schema.json")]) == 0
    assert cli.main(["schema", "--course", "--output", str(course / "course.schema.json")]) == 0
    return files


def test_the_documented_vs_code_settings_give_no_diagnostics(tmp_path, capsys):
    settings = documented_settings()
    shown = json.dumps(settings["yaml.schemas"], separators=(", ", ": "))
    for lang in ("pt-BR", "en"):  # what `docker-grader schema` tells a terminal is the same set-up
        assert shown in messages.msg("schema.editors", id=schema.SCHEMA_ID).render(lang)
    files = course_copy(tmp_path, modeline=False)
    with LanguageServer(tmp_path) as server:
        server.start(settings["yaml.schemas"])
        found = server.diagnose(files)
    assert len(found) == len(files) and problems(found) == {}


def test_the_documented_settings_do_catch_mistakes_in_either_file(tmp_path, capsys):
    """The same set-up really validates: the exercise schema alone once claimed course.yaml (seven
    "Missing property" errors); here each file gets its own schema's one error."""
    settings = documented_settings()
    files = course_copy(tmp_path, modeline=False)
    course_file, exercise = tmp_path / "exercises" / "course.yaml", tmp_path / "exercises" / "pull-alpine.yaml"
    lesson = tmp_path / "exercises" / "containers" / "lifecycle.yaml"
    course_file.write_text(course_file.read_text().replace("lang: pt-BR", "lang: fr"))
    for path in (exercise, lesson):
        path.write_text(path.read_text().replace("\norder:", "\nordr:"))
    with LanguageServer(tmp_path) as server:
        server.start(settings["yaml.schemas"])
        found = server.diagnose(files)
    shown = problems(found)
    assert set(shown) == {"course.yaml", "pull-alpine.yaml", "lifecycle.yaml"}
    assert len(shown["course.yaml"]) == 1 and "pt-BR" in shown["course.yaml"][0]
    assert all(any("ordr" in message for message in shown[name]) for name in ("pull-alpine.yaml", "lifecycle.yaml"))


def test_a_course_teams_modelines_name_the_copy_beside_the_files(tmp_path, capsys):
    files = course_copy(tmp_path, modeline=True)
    assert json.loads((tmp_path / "exercises" / "exercise.schema.json").read_text()) == schema.build()
    with LanguageServer(tmp_path) as server:
        server.start()
        found = server.diagnose(files)
    assert len(found) == len(files) and problems(found) == {}


# --- generic validators: one clear error for one mistake --------------------------------------
MISTAKES = {
    # a check's key mistyped
    "portz": (["checks", 1], {"portz": ["80/tcp"]}, "$.checks[1]", "Additional properties are not allowed ('portz' was unexpected)"),
    # a kind's own key with a wrong value
    "ports": (["checks", 1], {"ports": 80}, "$.checks[1].ports", "80 is not of type 'array'"),
    # a key mistyped inside an events check's state check
    "imag": (["checks", 0, "without_events"], {"imag": "alpine:3.14"}, "$.checks[0].without_events",
             "Additional properties are not allowed ('imag' was unexpected)"),
}


def mistaken(tmp_path: Path, where: list, change: dict) -> tuple[dict, Path]:
    """pull-alpine.yaml with one mistake: its check 1 turned into a container check, then `change`."""
    document = yaml.safe_load((ROOT / "exercises" / "pull-alpine.yaml").read_text())
    document["checks"][1] = {**document["checks"][1], "kind": "container", "select": {"name": "web"}}
    del document["checks"][1]["count"]
    target = document
    for step in where:
        target = target[step]
    target.update(change)
    path = tmp_path / "mistaken.yaml"
    path.write_text(yaml.safe_dump(document, allow_unicode=True))
    return document, path


@pytest.mark.parametrize("mistake", MISTAKES)
def test_jsonschema_gives_one_error_for_one_mistake(tmp_path, mistake):
    where, change, path, message = MISTAKES[mistake]
    document, _ = mistaken(tmp_path, where, change)
    validator = Draft202012Validator(schema.build())  # as a generic user loads it: no format checker of ours
    errors = list(validator.iter_errors(document))
    best = best_match(validator.iter_errors(document))
    assert [(error.json_path, error.message) for error in errors] == [(path, message)] == [(best.json_path, best.message)]


@pytest.mark.parametrize("mistake", MISTAKES)
def test_check_jsonschema_gives_one_error_for_one_mistake(tmp_path, mistake):
    where, change, path, message = MISTAKES[mistake]
    _, file = mistaken(tmp_path, where, change)
    done = subprocess.run([sys.executable, "-m", "check_jsonschema", "--output-format", "JSON", "--schemafile",
                           str(schema.SCHEMA_FILE), str(file)], capture_output=True, text=True, timeout=120)
    found = json.loads(done.stdout)
    assert done.returncode == 1 and [(error["path"], error["message"]) for error in found["errors"]] == [(path, message)]


def test_the_unchanged_exercise_passes_check_jsonschema(tmp_path):
    _, file = mistaken(tmp_path, [], {})
    done = subprocess.run([sys.executable, "-m", "check_jsonschema", "--schemafile", str(schema.SCHEMA_FILE), str(file)],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout
