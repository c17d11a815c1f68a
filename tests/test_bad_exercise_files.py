"""Exercise files that YAML reads into values JSON cannot hold, that nest deep enough to crash libyaml,
that are not regular files, or that sit beside an invalid course.yaml: each is exit 2 with FILE:LINE."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pytest

from checks import cli

from conftest import EXERCISES, ROOT

EXERCISE = (EXERCISES / "pull-alpine.yaml").read_text()


def validate(*paths: Path) -> tuple[int, str]:
    err, out = io.StringIO(), io.StringIO()
    with redirect_stderr(err), redirect_stdout(out):
        code = cli.main(["validate", *map(str, paths), "--lang", "en"])
    return code, err.getvalue() + out.getvalue()


def validate_in_a_process(path: Path) -> subprocess.CompletedProcess:
    """For what could crash the interpreter or block it: the test fails rather than the session."""
    return subprocess.run([sys.executable, "-m", "checks", "validate", str(path), "--lang", "en"], capture_output=True, text=True,
                          timeout=60, env={**os.environ, "PYTHONPATH": str(ROOT)})


def line_of(text: str, start: str) -> int:
    return next(number for number, line in enumerate(text.splitlines(), 1) if line.lstrip().startswith(start))


@pytest.mark.parametrize("key, written, reason", [
    ("id:", "id: 2024-01-31", "2024-01-31 is read by YAML as a date"),
    ("order:", "order: 2024-01-31 10:00:00", "2024-01-31 10:00:00 is read by YAML as a date"),
    ("lesson:", "lesson: !!binary aGVsbG8=", "aGVsbG8= is binary data (!!binary)"),
    ("en: Pull", "  en: 2001-12-14t21:59:43.10-05:00", "2001-12-14t21:59:43.10-05:00 is read by YAML as a date"),
    ("points:", "  points: .nan", ".nan is not a finite number (NaN or infinity)"),
    ("points:", "  points: .inf", ".inf is not a finite number"),
    ("points:", "  points: -.Inf", "-.Inf is not a finite number"),
])
def test_a_scalar_json_cannot_hold_is_a_located_fault(tmp_path, key, written, reason):
    lines = EXERCISE.splitlines()
    number = line_of(EXERCISE, key)
    indent = len(lines[number - 1]) - len(lines[number - 1].lstrip())
    lines[number - 1] = " " * indent + written.lstrip()
    path = tmp_path / "bad.yaml"
    path.write_text("\n".join(lines) + "\n")
    code, output = validate(path)
    assert code == 2
    assert f"{path}:{number}: $" in output and reason in output and "Traceback" not in output


@pytest.mark.parametrize("text", [
    "[" * 100_000,
    "[" * 60_000 + "]" * 60_000,
    "{a: " * 60_000,
    "- " * 60_000 + "x\n",
])
def test_deep_nesting_is_refused_before_the_yaml_parser_sees_it(tmp_path, text):
    path = tmp_path / "deep.yaml"
    path.write_text(text)
    done = validate_in_a_process(path)
    # The scan's fault, whatever the libyaml build: one without a nesting limit of its own crashes here (SIGSEGV).
    assert done.returncode == 2, done.stderr[-500:]
    assert f"{path}:1: $: the text may nest more than 1000 levels" in done.stderr


def test_an_ordinary_exercise_is_far_from_the_nesting_bound(tmp_path):
    from checks import exercises

    for path in sorted(EXERCISES.glob("*.yaml")) + sorted((ROOT / "lessons").rglob("*.yaml")):
        assert exercises.nesting_fault(path.read_text(), str(path)) is None


def test_links_and_special_files_named_like_exercises_are_refused(tmp_path):
    outside, folder = tmp_path / "outside", tmp_path / "course"
    outside.mkdir()
    folder.mkdir()
    (outside / "elsewhere.yaml").write_text(EXERCISE)
    shutil.copy(EXERCISES / "pull-alpine.yaml", folder / "pull-alpine.yaml")
    (folder / "linked.yaml").symlink_to(outside / "elsewhere.yaml")
    code, output = validate(folder)
    assert code == 2 and f"{folder / 'linked.yaml'}:1: $: is a symbolic link (to {outside / 'elsewhere.yaml'})" in output

    (folder / "linked.yaml").unlink()
    (folder / "dangling.yaml").symlink_to(tmp_path / "nothing.yaml")
    code, output = validate(folder)
    assert code == 2 and f"{folder / 'dangling.yaml'}:1: $: is a symbolic link" in output

    (folder / "dangling.yaml").unlink()
    (folder / "a-folder.yml").mkdir()
    code, output = validate(folder)
    assert code == 2 and f"{folder / 'a-folder.yml'}:1: $: is not a regular file (folder)" in output
    (folder / "a-folder.yml").rmdir()
    assert validate(folder)[0] == 0


def test_a_fifo_named_like_an_exercise_is_refused_and_never_read(tmp_path):
    folder = tmp_path / "course"
    folder.mkdir()
    shutil.copy(EXERCISES / "pull-alpine.yaml", folder / "pull-alpine.yaml")
    os.mkfifo(folder / "ex.yaml")
    done = validate_in_a_process(folder)  # a read of the FIFO would block: the timeout fails the test
    assert done.returncode == 2 and f"{folder / 'ex.yaml'}:1: $: is not a regular file (FIFO)" in done.stderr
    done = validate_in_a_process(folder / "ex.yaml")  # named on the command line
    assert done.returncode == 2 and f"{folder / 'ex.yaml'}:1: $: is not a regular file (FIFO)" in done.stderr


def test_an_invalid_course_file_is_an_error(tmp_path, capsys):
    folder = tmp_path / "course"
    folder.mkdir()
    shutil.copy(EXERCISES / "pull-alpine.yaml", folder / "pull-alpine.yaml")
    (folder / "course.yaml").write_text("name: [unclosed\n")
    assert cli.main(["validate", str(folder), "--lang", "en"]) == 2
    assert f"{folder / 'course.yaml'}: " in capsys.readouterr().err
    (folder / "course.yaml").write_text("name: mine\nlang: en\n")  # no title
    assert cli.main(["list", "--exercises", str(folder), "--lang", "en"]) == 2
    assert "missing or wrong keys" in capsys.readouterr().err
