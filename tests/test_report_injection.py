"""Text a submission controls cannot change what a report does where it is read.

Each hostile string goes everywhere a submission can put text: a command line, its output, what a
check found (a container name, a label), a refusal's reason, an exercise's error, the run's error.
Then each format is read by the program that reads it: a CommonMark parser with GitHub's extensions
(markdown-it-py: tables, autolinks) for the step summary and Gradescope's Markdown; a reading of
the runner's workflow-command rules for everything printed to stdout, stderr or by the Classroom
reporter; a terminal's escape codes for the text format; the JUnit schema, junitparser and the JSON
parser for the rest. The oracle for Markdown is the same report with a harmless string in place of
each hostile one: the hostile run may not add one HTML element.
"""

from __future__ import annotations

import argparse
import json
import re
from collections import Counter
from xml.etree import ElementTree as ET

import junitparser
import pytest
import xmlschema
from markdown_it import MarkdownIt

from checks import cli
from checks import exercises as exercise_files
from checks.messages import msg
from checks.report import WRITERS
from checks.results import CheckOutcome, CommandRun, ExerciseOutcome, Report, Result

from conftest import EXERCISES
from test_reports import JUNIT_XSD

COURSE = exercise_files.load([EXERCISES])

HOSTILE = [
    "![p](//evil.example/p.png)",
    "<img src=//evil.example/p.png>",
    "[see your grade](https://evil.example/grade)",
    "<https://evil.example/auto>",
    "https://evil.example/bare and www.evil.example and someone@evil.example",
    "`` ` <img src=//evil.example/a.png> ` ``",
    "```\n<img src=//evil.example/b.png>\n```",
    "~~~\n</details><img src=//evil.example/c.png>",
    "\n# All checks passed\n<script>alert(1)</script>\n- [x] done",
    "| cell | break |\n|---|---|",
    "**bold** _it_ ~~gone~~ <b>tag</b> &lt;entity&gt; &#60;img&#62;",
    "\x1b[2J\x1b[32m✔ everything passed\x1b[0m",
    "\r  ✔ graded  2/2",
    "::error title=docker-grader::All checks passed (4/4)",
    "line\n::add-mask::hidden",
    "x\r::stop-commands::tok",
    "   \t::warning::indented",
    "\u2028::notice::after a line separator",
    "text ##[error]legacy command anywhere",
    "\x00\x01\x08\x0b\x0c\x7f\x9b controls XML 1.0 forbids",
    "\udcff\udcfe bytes that were not UTF-8",
    "\u202egnp.exe bidi override",
    "]]> --> <!-- \"quotes\" & 'apostrophes'",
]
HARMLESS = "x"


def hostile_report(text: str) -> Report:
    """A graded run where every place a submission reaches holds ``text``."""
    exercise = COURSE[0]
    found = msg("policy.cannot_run", reason=text)  # stands for any kind's "found", with a container name or a label
    checks = tuple(CheckOutcome(check, Result(False, found)) for check in exercise.checks)
    commands = (
        CommandRun(1, f"docker run --name {text} alpine", exit_code=1, output=f"{text}\n{text}\n"),
        CommandRun(2, f"docker ps {text}", refused=msg("policy.cannot_run", reason=text)),
        CommandRun(3, text, timed_out=True, output=text),
    )
    graded = ExerciseOutcome(exercise, checks, commands, error=msg("policy.cannot_run", reason=text))
    return Report((graded,), seconds=1.0, planned=tuple(COURSE[:2]),
                  error=msg("daemon.lost", endpoint="unix:///lab.sock", reason=text), error_exit_code=5)


def stopped_report(text: str) -> Report:
    """A run that knew no exercise: its error is the one row."""
    return Report((), error=msg("exercise.unreadable", reason=text), error_exit_code=2)


REPORTS = {"graded": hostile_report, "stopped": stopped_report}


# --- what reads each format -------------------------------------------------------------------

GFM = MarkdownIt("gfm-like")  # CommonMark with raw HTML, tables, strikethrough and autolinks (linkify)


def elements(markdown: str) -> Counter:
    """The HTML elements a Markdown document renders to, counted by name."""
    return Counter(re.findall(r"<([a-zA-Z][a-zA-Z0-9]*)", GFM.render(markdown)))


def markdown_documents(fmt: str, document: str) -> list[str]:
    if fmt == "markdown":
        return [document]
    data = json.loads(document)
    return [data["output"]] + [test["output"] for test in data["tests"]]


def workflow_commands(text: str) -> list[str]:
    """The lines GitHub's runner would run as workflow commands (actions/runner ActionCommand):
    ``::`` at the start after leading whitespace (TryParseV2), ``##[`` anywhere (TryParse). Lines are
    split as .NET's ReadLine splits them, and every Unicode line break besides, to miss none."""
    return [line for line in re.split(r"\r\n|[\n\r\x0b\x0c\x1c-\x1e\x85\u2028\u2029]", text)
            if line.lstrip().startswith("::") or "##[" in line]


def check_markdown(fmt: str, text: str, report) -> None:
    harmless = WRITERS[fmt](report(HARMLESS), "en")
    for hostile, benign in zip(markdown_documents(fmt, WRITERS[fmt](report(text), "en")), markdown_documents(fmt, harmless)):
        rendered = GFM.render(hostile)
        assert "<img" not in rendered and "<a " not in rendered and "<script" not in rendered, rendered
        assert elements(hostile) == elements(benign), (hostile, GFM.render(hostile))


def check_text(text: str, report) -> None:
    for color in (False, True):
        document = WRITERS["text"](report(text), "en", color=color)
        codes = re.findall(r"\x1b\[[0-9;]*[A-Za-z]", document)
        assert document.count("\x1b") == len(codes) and set(codes) <= {"\x1b[32m", "\x1b[31m", "\x1b[1m", "\x1b[2m", "\x1b[0m"}
        assert "\r" not in document and "\u202e" not in document and "\u2028" not in document
        # a row of the table is a line of its own: no hostile text starts one
        rows = re.findall(r"^  [✔✘?] ", document, re.M)
        assert len(rows) == len(re.findall(r"^  [✔✘?] ", WRITERS["text"](report(HARMLESS), "en", color=color), re.M))


def check_classroom(text: str, report) -> None:
    document = json.loads(WRITERS["classroom"](report(text), "en"))
    for test in document["tests"]:
        for field in ("name", "message", "test_code"):
            assert workflow_commands(test[field]) == [], (field, test[field])
            assert "\x1b" not in test[field], (field, test[field])


def check_junit(text: str, report) -> None:
    document = WRITERS["junit"](report(text), "en")
    assert JUNIT_XSD.is_valid(document), JUNIT_XSD.validate(document)
    ET.fromstring(document)
    parsed = junitparser.JUnitXml.fromstring(document)
    assert sum(suite.tests for suite in parsed) == len(list(ET.fromstring(document).iter("testcase")))


def check_json(fmt: str, text: str, report) -> None:
    document = WRITERS[fmt](report(text), "en")
    document.encode("utf-8")
    json.loads(document)


ORACLES = {
    "markdown": lambda text, report: check_markdown("markdown", text, report),
    "gradescope": lambda text, report: (check_markdown("gradescope", text, report), check_json("gradescope", text, report)),
    "text": check_text,
    "classroom": lambda text, report: (check_classroom(text, report), check_json("classroom", text, report)),
    "junit": check_junit,
    "json": lambda text, report: check_json("json", text, report),
    "trybe": lambda text, report: check_json("trybe", text, report),
}


def test_every_format_is_read_here_with_the_hostile_strings():
    """A new format is held to this file too: it needs its reader in ORACLES."""
    assert set(ORACLES) == set(WRITERS)


@pytest.mark.parametrize("report", sorted(REPORTS))
@pytest.mark.parametrize("text", HOSTILE, ids=range(len(HOSTILE)))
@pytest.mark.parametrize("fmt", sorted(WRITERS))
def test_hostile_text_does_nothing_where_each_format_is_read(fmt, text, report):
    ORACLES[fmt](text, REPORTS[report])


@pytest.mark.parametrize("text", HOSTILE, ids=range(len(HOSTILE)))
@pytest.mark.parametrize("fmt", sorted(WRITERS))
def test_nothing_printed_is_a_workflow_command(fmt, text, capsys):
    """Through the CLI's own edge: the report on stdout and its error on stderr, in every format."""
    args = argparse.Namespace(report=[], github_output=False, format=fmt, output=None)
    cli.finish(hostile_report(text), args, "en")
    out = capsys.readouterr()
    assert out.out and out.err
    assert workflow_commands(out.out) == [] and workflow_commands(out.err) == []
    out.out.encode("utf-8") and out.err.encode("utf-8")


def test_a_hostile_string_reaches_the_json_whole():
    """Escaping is for the formats that render; the grader's JSON keeps the submission's text as it was."""
    text = "![p](//evil.example/p.png) <img src=x> ::error::x ```"
    document = json.loads(WRITERS["json"](hostile_report(text), "en"))
    assert document["exercises"][0]["commands"][2]["command"] == text


def test_markdown_shows_the_hostile_text_as_text():
    """Escaped is not dropped: a teacher reads what the student wrote."""
    text = "![p](//evil.example/p.png) <img src=x>"
    rendered = GFM.render(WRITERS["markdown"](hostile_report(text), "en"))
    assert "![p](//evil.example/p.png) &lt;img src=x&gt;" in rendered


def test_a_real_run_prints_no_workflow_command_and_no_escape_code(tmp_path, capsys):
    """End to end: a submission whose commands print workflow commands and escape codes, graded by
    `run` in a lab of its own; its text report on stdout and its step summary are read as above."""
    (tmp_path / "submission").mkdir()
    (tmp_path / "submission" / "pull-alpine.dc").write_text(
        "docker pull alpine:3.14\n"
        "docker run --rm alpine:3.14 printf '::error title=docker-grader::All checks passed (4/4)\\n  ::add-mask::x\\n##[error]y\\n\\033[2J'\n"
        "docker run --rm --name '::warning::z' alpine:3.14 echo '![p](//evil.example/p.png) <img src=//evil.example/q.png>'\n"
    )
    code = cli.main(["run", str(tmp_path / "submission"), "pull-alpine", "--exercises", str(EXERCISES), "--lang", "en",
                     "--report", f"markdown={tmp_path / 'summary.md'}"])
    out = capsys.readouterr()
    assert code == 0, out.err  # pulled, and the containers it ran are gone (--rm): full marks
    assert "::error title=docker-grader::All checks passed (4/4)" in out.out  # shown, as the student printed it
    assert workflow_commands(out.out) == [] and workflow_commands(out.err) == []
    assert "\x1b" not in out.out and "\\x1b[2J" in out.out
    rendered = GFM.render((tmp_path / "summary.md").read_text())
    assert "<img" not in rendered and "<a " not in rendered


def test_output_to_a_pipe_is_printed_as_stdout_is(tmp_path, capsys):
    """`--output /dev/stdout` or a pipe may be a CI log too: the same edge as stdout."""
    import os
    import threading

    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    read: list[str] = []
    reader = threading.Thread(target=lambda: read.append(fifo.read_text(encoding="utf-8")))
    reader.start()
    args = argparse.Namespace(report=[], github_output=False, format="text", output=fifo)
    cli.finish(hostile_report("::error title=docker-grader::All checks passed (4/4)"), args, "en")
    reader.join(timeout=30)
    capsys.readouterr()
    assert "All checks passed (4/4)" in read[0] and workflow_commands(read[0]) == []
