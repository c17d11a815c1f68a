"""Courses: a folder of exercise files with a ``course.yaml`` that names it and gives its default language.

A wheel ships its courses as package data under ``checks/bundled/<name>/``; a source checkout has its
course in ``exercises/`` beside ``checks/``. ``exercises_folder`` finds the folder to grade the way the
front ends document it: ``--exercises`` (a folder, or a bundled course's name), then
``DOCKER_GRADER_EXERCISES``, then ``./exercises``, then the bundled course.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping

from checks.errors import UsageError
from checks.messages import LANGS, msg, register

COURSE_FILE = "course.yaml"
ENV_EXERCISES = "DOCKER_GRADER_EXERCISES"
DEFAULT_COURSE = "docker-images"
PACKAGE = Path(__file__).resolve().parent
BUNDLED = PACKAGE / "bundled"  # in a wheel: one folder per course
SOURCE = PACKAGE.parent / "exercises"  # in a source checkout: the course beside the package

MESSAGES = {
    "course.unknown": {
        "pt-BR": "{value} não é uma pasta nem um curso instalado; cursos: {courses} (veja `docker-grader courses`)",
        "en": "{value} is neither a folder nor an installed course; courses: {courses} (see `docker-grader courses`)",
    },
    "course.bad_file": {
        "pt-BR": "{path}: {reason}; o arquivo precisa de name, title (pt-BR e en) e lang (pt-BR ou en)",
        "en": "{path}: {reason}; the file needs name, title (pt-BR and en) and lang (pt-BR or en)",
    },
    "course.none": {
        "pt-BR": "nenhuma pasta de exercícios: passe --exercises PASTA, defina DOCKER_GRADER_EXERCISES ou crie ./exercises",
        "en": "no exercises folder: pass --exercises FOLDER, set DOCKER_GRADER_EXERCISES or create ./exercises",
    },
}
register(MESSAGES)


@dataclass(frozen=True)
class Course:
    name: str
    title: Mapping[str, str]
    lang: str
    path: Path


def read_course(folder: Path) -> Course | None:
    """The course a folder declares in its course.yaml; None when it has none."""
    path = Path(folder) / COURSE_FILE
    if not path.is_file():
        return None
    data = _parsed(path)
    if not is_course(data):
        raise UsageError(msg("course.bad_file", path=str(path), reason="missing or wrong keys"))
    return Course(data["name"], dict(data["title"]), data["lang"], Path(folder))


def is_course(data) -> bool:
    """What a course.yaml must hold; checks.schema.build_course says the same to editors (a test
    compares them), without importing jsonschema at every start."""

    def text(value, longest: int) -> bool:
        return isinstance(value, str) and 1 <= len(value) <= longest

    return (
        isinstance(data, dict) and set(data) == {"name", "title", "lang"}
        and text(data["name"], 100) and data["lang"] in LANGS
        and isinstance(data["title"], dict) and set(data["title"]) == set(LANGS)
        and all(text(data["title"][lang], 10000) for lang in LANGS)
    )


def _parsed(path: Path):
    """The course file's YAML, from the disk cache (keyed by its bytes) once it was read: no YAML import then."""
    import hashlib
    import json

    from checks import cache

    try:
        raw = path.read_bytes()
    except OSError as error:
        raise UsageError(msg("course.bad_file", path=str(path), reason=error.strerror or error)) from None
    key = hashlib.sha256(raw).hexdigest()
    kept = cache.read("courses", key)
    if kept is not None:
        try:
            return json.loads(kept)
        except ValueError:
            pass  # a damaged entry: parse again
    import yaml

    try:
        data = yaml.safe_load(raw.decode("utf-8"))
    except (UnicodeDecodeError, yaml.YAMLError) as error:
        raise UsageError(msg("course.bad_file", path=str(path), reason=str(error).splitlines()[0])) from None
    try:
        cache.write("courses", key, json.dumps(data).encode())
    except (TypeError, ValueError):
        pass  # not JSON-able (dates...): the checks below refuse it anyway
    return data


def bundled() -> list[Course]:
    """The courses this installation carries, by name."""
    folders = sorted(p for p in BUNDLED.iterdir() if p.is_dir()) if BUNDLED.is_dir() else []
    if SOURCE.is_dir():
        folders.append(SOURCE)
    found: dict[str, Course] = {}
    for folder in folders:
        course = read_course(folder)
        if course is not None:
            found.setdefault(course.name, course)
    return sorted(found.values(), key=lambda course: course.name)


def exercises_folder(given: str | Path | None = None, environ: Mapping[str, str] | None = None, cwd: Path | None = None) -> Path:
    """The folder to grade: --exercises (a folder or a course's name), DOCKER_GRADER_EXERCISES, ./exercises, the bundled course."""
    environ = os.environ if environ is None else environ
    cwd = Path.cwd() if cwd is None else cwd
    for value in (given, environ.get(ENV_EXERCISES) or None):
        if value is not None:
            return _folder_or_course(str(value), cwd)
    if (cwd / "exercises").is_dir():
        return Path("exercises") if cwd == Path.cwd() else cwd / "exercises"
    courses = {course.name: course for course in bundled()}
    if DEFAULT_COURSE in courses:
        return courses[DEFAULT_COURSE].path
    if courses:
        return next(iter(courses.values())).path
    raise UsageError(msg("course.none"))


def _folder_or_course(value: str, cwd: Path) -> Path:
    path = Path(value)
    if not path.is_absolute() and cwd != Path.cwd():
        path = cwd / path
    if path.exists() or os.sep in value or value.endswith((".yaml", ".yml")):
        return path  # a path: loading it says what is wrong with it
    courses = {course.name: course for course in bundled()}
    if value in courses:
        return courses[value].path
    raise UsageError(msg("course.unknown", value=value, courses=", ".join(courses) or "-"))


def default_lang(folders) -> str | None:
    """The language the course of these exercise folders declares, if one does."""
    for folder in folders:
        folder = Path(folder)
        course = read_course(folder if folder.is_dir() else folder.parent)
        if course is not None:
            return course.lang
    return None


# ---- machine-readable listings: `list --format json`, `courses --format json` (ecosystem) ----
def _points(value: float) -> int | float:
    return int(value) if float(value).is_integer() else value


def exercises_document(exercises) -> dict:
    """What `list --format json` prints: each exercise in grading order, its title in every language
    (a script picks one; the document does not change with the environment's), its points, how
    many checks it has and their kinds. No check names: a hidden check's stays hidden."""
    return {
        "exercises": [
            {
                "id": exercise.id,
                "lesson": exercise.lesson,
                "order": exercise.order,
                "title": {lang: exercise.title[lang] for lang in LANGS},
                "points": _points(exercise.max_score),
                "check_count": len(exercise.checks),
                "kinds": sorted({check.kind for check in exercise.checks}),
            }
            for exercise in exercises
        ]
    }


def courses_document(found: list[Course]) -> dict:
    """What `courses --format json` prints: each installed course, by name."""
    return {
        "courses": [
            {"name": course.name, "lang": course.lang, "title": {lang: course.title[lang] for lang in LANGS}, "path": str(course.path)}
            for course in found
        ]
    }
