"""The CLI's language, colour, version, exercises folder and option rules, as a user meets them."""

from __future__ import annotations

import ast
import io
import json
import os
import re
import shlex
import shutil
import subprocess
import sys

import pytest

from checks import cli, colors, courses, lang, schema
from checks.lab import Lab
from checks.results import Report

from conftest import EXERCISES, ROOT

SCRIPTS = ROOT / "scripts"
PO = ROOT / "checks" / "locale" / "pt_BR" / "LC_MESSAGES" / "docker-grader.po"


def run(capsys, *args):
    code = cli.main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def grader(*args, env=None, cwd=None):
    """The installed command, with a clean environment plus ``env``."""
    base = {"PATH": os.environ["PATH"], "HOME": "/tmp"}
    return subprocess.run([str(ROOT / ".venv" / "bin" / "docker-grader"), *args], capture_output=True, text=True,
                          env={**base, **(env or {})}, cwd=cwd or ROOT, timeout=120)


def course_copy(tmp_path, default_lang: str):
    folder = tmp_path / "course"
    shutil.copytree(EXERCISES, folder)
    text = (folder / "course.yaml").read_text()
    (folder / "course.yaml").write_text(text.replace("lang: pt-BR", f"lang: {default_lang}").replace("name: docker-images", "name: copy"))
    return folder


# --- language -------------------------------------------------------------------------------
@pytest.mark.parametrize("environ, course_default, expected", [
    ({}, None, "pt-BR"),
    ({}, "en", "en"),
    ({"LANG": "C.UTF-8"}, "en", "en"),  # CI runners and containers: no language, so the course's
    ({"LANG": "C"}, "en", "en"),
    ({"LC_ALL": "POSIX", "LANG": "pt_BR.UTF-8"}, "en", "en"),  # LC_ALL wins, and names none
    ({"LANG": "C.UTF-8"}, "pt-BR", "pt-BR"),
    ({"LANG": "fr_FR.UTF-8"}, "en", "en"),  # a language the grader does not speak
    ({"LANGUAGE": "en_GB:pt_BR", "LANG": "pt_BR.UTF-8"}, "pt-BR", "en"),
    ({"LANGUAGE": "fr:pt", "LANG": "en_US.UTF-8"}, "en", "pt-BR"),  # the first of the list we speak
    ({"LANGUAGE": "fr", "LANG": "en_US.UTF-8"}, "pt-BR", "en"),
    ({"LC_MESSAGES": "en_US.UTF-8", "LANG": "pt_BR.UTF-8"}, "pt-BR", "en"),
    ({"LC_ALL": "pt_BR.UTF-8", "LC_MESSAGES": "en_US.UTF-8"}, "en", "pt-BR"),
])
def test_language_order(environ, course_default, expected):
    assert lang.choose(None, course_default, environ) == expected
    assert lang.choose("en", course_default, environ) == "en"


def test_c_locale_takes_the_courses_own_default_language(tmp_path):
    folder = course_copy(tmp_path, "en")
    done = grader("list", "--exercises", str(folder), env={"LANG": "C.UTF-8"})
    assert done.returncode == 0 and "Pull the alpine:3.14 image" in done.stdout
    done = grader("list", "--exercises", str(folder), env={"LANG": "C.UTF-8", "LANGUAGE": "pt_BR"})
    assert "Baixe a imagem alpine:3.14" in done.stdout
    done = grader("list", env={"LANG": "C.UTF-8"})  # the shipped course says pt-BR
    assert "Baixe a imagem alpine:3.14" in done.stdout


def test_help_and_argparse_errors_in_portuguese():
    done = grader("check", "--help", env={"LANG": "pt_BR.UTF-8"})
    assert done.returncode == 0
    assert done.stdout.startswith("uso: docker-grader check")
    assert "mostra esta ajuda e sai" in done.stdout and "argumentos posicionais:" in done.stdout and "opções:" in done.stdout
    assert "exercícios a corrigir (padrão: todos)" in done.stdout
    assert "show this help" not in done.stdout and "usage:" not in done.stdout
    done = grader("check", "--format", "yaml", env={"LANG": "pt_BR.UTF-8"})
    assert done.returncode == 2
    assert done.stderr.startswith("opção inválida: argumento --format: escolha inválida: 'yaml' (escolha entre")
    done = grader("run", env={"LANG": "pt_BR.UTF-8"})
    assert done.returncode == 2 and "os seguintes argumentos são obrigatórios: submission" in done.stderr


def test_help_in_english():
    done = grader("--help", "--lang", "en", env={"LANG": "pt_BR.UTF-8"})
    assert done.stdout.startswith("usage: docker-grader") and "show this help message and exit" in done.stdout
    assert "uso:" not in done.stdout


def test_the_compiled_catalog_is_up_to_date_and_has_every_help_text():
    assert subprocess.run([sys.executable, str(SCRIPTS / "msgfmt.py"), "--check"]).returncode == 0
    sys.path.insert(0, str(SCRIPTS))
    try:
        import msgfmt
    finally:
        sys.path.remove(str(SCRIPTS))
    ids = {key.split(b"\0")[0].decode() for key in msgfmt.parse(PO.read_text(encoding="utf-8"))}
    tree = ast.parse((ROOT / "checks" / "cli.py").read_text())
    used = {node.args[0].value for node in ast.walk(tree)
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "_"
            and node.args and isinstance(node.args[0], ast.Constant)}
    assert len(used) > 30 and used - ids == set()


def test_version(capsys):
    done = grader("--version")
    assert done.returncode == 0
    from importlib import metadata

    assert done.stdout == f"docker-grader {metadata.version('docker-grader')}\n"


# --- colour ---------------------------------------------------------------------------------
class Terminal(io.StringIO):
    def isatty(self):
        return True


@pytest.mark.parametrize("environ, tty, expected", [
    ({}, True, True),
    ({}, False, False),
    ({"NO_COLOR": "1"}, True, False),
    ({"NO_COLOR": ""}, True, True),  # no-color.org: set and not empty
    ({"FORCE_COLOR": "1"}, False, True),
    ({"FORCE_COLOR": ""}, False, False),
    ({"FORCE_COLOR": "1", "NO_COLOR": "1"}, False, False),
    ({"TERM": "dumb"}, True, False),
    ({"TERM": "dumb", "FORCE_COLOR": "1"}, True, True),
])
def test_colour_conventions(environ, tty, expected):
    assert colors.wanted(Terminal() if tty else io.StringIO(), environ) is expected


def test_force_color_colours_a_pipe_and_no_color_does_not(daemon, lab):
    done = grader("check", "pull-alpine", "--host", lab.host, env={"FORCE_COLOR": "1"})
    assert "\033[" in done.stdout
    done = grader("check", "pull-alpine", "--host", lab.host, env={"FORCE_COLOR": "1", "NO_COLOR": "1"})
    assert "\033[" not in done.stdout


# --- the exercises folder -------------------------------------------------------------------
def test_exercises_folder_order(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    empty = {}
    assert courses.exercises_folder(None, empty) == EXERCISES  # the installed course
    (tmp_path / "exercises").mkdir()
    assert courses.exercises_folder(None, empty) == courses.Path("exercises")
    assert courses.exercises_folder(None, {"DOCKER_GRADER_EXERCISES": str(EXERCISES)}) == EXERCISES
    assert courses.exercises_folder("docker-images", {"DOCKER_GRADER_EXERCISES": "elsewhere"}) == EXERCISES
    with pytest.raises(courses.UsageError) as error:
        courses.exercises_folder("docker-imagez", empty)
    assert error.value.render("en") == "docker-imagez is neither a folder nor an installed course; courses: docker-images (see `docker-grader courses`)"


def test_courses_and_an_environment_folder(tmp_path):
    done = grader("courses", "--lang", "en", cwd=tmp_path)
    assert done.returncode == 0 and done.stdout == f"docker-images  pt-BR  Docker images  {EXERCISES}\n"
    folder = course_copy(tmp_path, "en")
    (folder / "pull-alpine.yaml").unlink()
    done = grader("list", env={"DOCKER_GRADER_EXERCISES": str(folder)}, cwd=tmp_path)
    assert done.returncode == 0 and len(done.stdout.splitlines()) == 4
    done = grader("list", "--exercises", "nope", cwd=tmp_path, env={"LANG": "en_US.UTF-8"})
    assert done.returncode == 2 and "Traceback" not in done.stderr and "installed course" in done.stderr


def test_validate_does_not_take_the_course_file_for_an_exercise(capsys):
    assert run(capsys, "validate")[1] == "OK: 5 exercise(s), 13 check(s)\n"


# --- the schema -----------------------------------------------------------------------------
def test_schema_has_an_id_and_says_where_it_is(capsys):
    code, out, _ = run(capsys, "schema")
    assert code == 0 and json.loads(out)["$id"] == schema.SCHEMA_ID
    assert json.loads(schema.SCHEMA_FILE.read_text())["$id"] == schema.SCHEMA_ID
    code, out, _ = run(capsys, "schema", "--path")
    assert out == f"{schema.SCHEMA_FILE}\n"
    # a terminal also gets how to point an editor at it (a pipe gets the JSON alone)
    script = "import sys, checks.cli; sys.stdout.isatty = lambda: True; sys.exit(checks.cli.main(['schema', '--lang', 'en']))"
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT)
    assert "# yaml-language-server: $schema=exercise.schema.json" in done.stderr and schema.SCHEMA_ID in done.stderr
    assert "schema --output exercises/exercise.schema.json" in done.stderr  # a copy beside the files, not a path into a virtualenv


# --- one option set for check, run and pytest ----------------------------------------------
def test_check_and_run_take_ids_both_ways(daemon, lab, capsys, monkeypatch):
    by_argument = json.loads(run(capsys, "check", "pull-alpine", "--host", lab.host, "--format", "json")[1])
    by_option = json.loads(run(capsys, "check", "--exercise", "pull-alpine", "--host", lab.host, "--format", "json")[1])
    assert [e["id"] for e in by_argument["exercises"]] == [e["id"] for e in by_option["exercises"]] == ["pull-alpine"]
    from checks import runner

    chosen = []
    monkeypatch.setattr(runner, "run", lambda submission, exercises, **_: chosen.append([e.id for e in exercises]) or Report(()))
    run(capsys, "run", "examples/full-marks", "pull-alpine", "remove-images")
    run(capsys, "run", "examples/full-marks", "--exercise", "pull-alpine", "--exercise", "remove-images")
    assert chosen == [["pull-alpine", "remove-images"]] * 2


# --- the lab's own advice -------------------------------------------------------------------
def test_lab_with_dir_suggests_commands_that_work(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("DOCKER_GRADER_LABS", str(tmp_path / "labs"))
    folder = tmp_path / "my lab"
    own = ["--name", "mine", "--dir", str(folder)]
    assert cli.main(["lab", "up", *own, "--lang", "en"]) == 0
    try:
        ready = capsys.readouterr().err
        suggested = re.search(r'eval "\$\(docker-grader (lab env [^)]*)\)"', ready).group(1)
        assert shlex.split(suggested) == ["lab", "env", *own]
        assert cli.main(shlex.split(suggested)) == 0
        assert capsys.readouterr().out.startswith(f"export DOCKER_HOST={shlex.quote(f'unix://{folder}/docker.sock')}")
        stop = re.search(r"stop it with: docker-grader (lab down .*)$", ready.strip()).group(1)
        assert shlex.split(stop) == ["lab", "down", *own]
    finally:
        assert cli.main(["lab", "down", *own]) == 0
    capsys.readouterr()
    assert cli.main(["lab", "env", *own, "--lang", "en"]) == 4
    advice = re.search(r"`docker-grader (lab up .*)`", capsys.readouterr().err).group(1)
    assert shlex.split(advice) == ["lab", "up", *own]
    assert Lab("mine").options == "--name mine"  # the default folder needs no --dir


def test_the_translation_ends_with_the_command(capsys):
    import argparse

    assert run(capsys, "check", "--format", "x", "--lang", "pt-BR")[2].startswith("opção inválida: argumento --format: escolha inválida")
    assert argparse._("usage: ") == "usage: "  # whatever else parses arguments in this process (pytest) stays itself
