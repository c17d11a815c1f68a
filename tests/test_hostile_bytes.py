"""Any byte sequence a submission sends reaches the report, never a traceback.

A file name that is not UTF-8 is kept by Python as lone surrogates ("\\udcff"), which no UTF-8
stream can encode; NUL and other controls are text JSON carries but XML 1.0 cannot. Each format is
written with them, to a file and to a strict UTF-8 stdout (a UTF-8 locale's), and one real `run`
grades a submission folder whose files are named with such bytes.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import sys
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest

from checks import cli
from checks import exercises as exercise_files
from checks.messages import msg
from checks.report import WRITERS
from checks.results import CheckOutcome, CommandRun, ExerciseOutcome, Report, Result

from conftest import EXERCISES
from test_reports import JUNIT_XSD

COURSE = exercise_files.load([EXERCISES])
BYTES = [
    "\udcff\udcfe.txt",  # b"\xff\xfe.txt" as os.listdir gives it back
    "\ud800 a lone high surrogate",
    "nul\x00 and \x01\x02\x1b[2J controls",
    "\ufffd\ufffe\uffff noncharacters",
    "\U0001f433 \u0301 combining",
]


def report_with(text: str) -> Report:
    """A graded run with ``text`` in a command, its output, a container name found, a label, a file name."""
    exercise = COURSE[0]
    checks = tuple(CheckOutcome(check, Result(False, msg("submission.unknown_file", path=f"/sub/{text}", closest=text)))
                   for check in exercise.checks)
    commands = (CommandRun(1, f"docker run --name {text} --label x={text} alpine", exit_code=0, output=f"{text}\n"),)
    return Report((ExerciseOutcome(exercise, checks, commands, error=msg("policy.cannot_run", reason=text)),),
                  planned=tuple(COURSE[:2]), error=msg("exercise.unreadable", reason=text), error_exit_code=2)


@pytest.mark.parametrize("text", BYTES, ids=range(len(BYTES)))
@pytest.mark.parametrize("fmt", sorted(WRITERS))
def test_every_format_writes_any_text_as_utf8(fmt, text, tmp_path):
    document = WRITERS[fmt](report_with(text), "en")
    document.encode("utf-8")  # strict: what a file or a UTF-8 terminal takes
    if fmt == "junit":
        assert JUNIT_XSD.is_valid(document)
        ET.fromstring(document)
    elif fmt != "text" and fmt != "markdown":
        json.loads(document)
    if "\udcff" in text and fmt != "trybe":  # the byte is shown, not lost (trybe has titles only)
        assert "\\xff" in document


@pytest.mark.parametrize("fmt", sorted(WRITERS))
def test_the_cli_writes_any_text_to_a_strict_stdout_and_to_files(fmt, tmp_path, monkeypatch):
    """The CLI's edges: stdout as a UTF-8 locale sets it up (errors="strict"), and --report files."""
    raw = io.BytesIO()
    monkeypatch.setattr(sys, "stdout", io.TextIOWrapper(raw, encoding="utf-8", errors="strict"))
    args = argparse.Namespace(report=[(name, tmp_path / name) for name in sorted(WRITERS)], github_output=False, format=fmt, output=None)
    cli.finish(report_with(BYTES[0]), args, "en")
    sys.stdout.flush()
    assert raw.getvalue().decode("utf-8")
    for name in sorted(set(WRITERS) - {"trybe"}):  # trybe has titles only
        assert "\\xff" in (tmp_path / name).read_text(encoding="utf-8"), name


def submission(folder: Path, files: dict[bytes, str]) -> Path:
    os.makedirs(folder)
    for name, text in files.items():
        with open(os.path.join(os.fsencode(folder), name), "w") as stream:
            stream.write(text)
    return folder


@pytest.mark.parametrize("case", ["ran", "misnamed"])
def test_a_submission_with_file_names_that_are_not_utf8_gets_a_complete_report(case, tmp_path, monkeypatch, capsys):
    """A real `run`: the folder's files are copied into the lab and its names checked against the
    exercises' ids; one is named with bytes that are not UTF-8 (and, in "misnamed", looks like a
    misspelt command file, which stops the run with an error that names it)."""
    files = {b"\xff\xfe.txt": "not a command file\n", b"pull-alpine.dc": "docker pull alpine:3.14\ndocker run --rm alpine:3.14 printf '\\377\\376\\000\\033[2J'\n"}
    if case == "misnamed":
        files[b"pull-alpin\xff.dc"] = "docker pull alpine:3.14\n"
    folder = submission(tmp_path / "submission", files)
    raw = io.BytesIO()
    monkeypatch.setattr(sys, "stdout", io.TextIOWrapper(raw, encoding="utf-8", errors="strict"))
    code = cli.main(["run", str(folder), "pull-alpine", "--exercises", str(EXERCISES), "--lang", "en", "--format", "junit",
                     "--report", f"json={tmp_path / 'out.json'}", "--report", f"text={tmp_path / 'out.txt'}",
                     "--report", f"markdown={tmp_path / 'out.md'}"])
    sys.stdout.flush()
    assert JUNIT_XSD.is_valid(raw.getvalue().decode("utf-8"))
    document = json.loads((tmp_path / "out.json").read_text(encoding="utf-8"))
    text = (tmp_path / "out.txt").read_text(encoding="utf-8")
    assert [exercise["id"] for exercise in document["exercises"]] == ["pull-alpine"]
    assert text.rstrip().splitlines()[-1] == f"Total: {document['score']:g}/{document['max_score']:g} points"
    if case == "misnamed":
        assert code == 2 and document["status"] == "error"
        assert "pull-alpin\\xff.dc is not named after an exercise" in document["error"]
        assert "pull-alpin\\xff.dc" in capsys.readouterr().err
    else:
        assert code == 0 and document["status"] == "passed", document
        printed = document["exercises"][0]["commands"][1]["output"]
        assert printed == "\ufffd\ufffd\x00\x1b[2J"  # bytes that were not UTF-8 replaced; the JSON keeps the rest
        assert "\\x1b[2J" in text and "\x1b" not in text  # the terminal is shown the escape, not given it
