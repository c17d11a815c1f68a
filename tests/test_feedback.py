"""What students see in each format: their commands, how each ended and the end of its output; a
refused file's reason once; hints where each platform shows them; and every format under its
platform's size limit, saying when it cut something.

The partial example is graded in a real lab, as `docker-grader run` grades it. The size tests grade
an exercise set that passes the schema (long hints, many checks) with long command outputs.
"""

from __future__ import annotations

import base64
import json
import re
from pathlib import Path

import pytest

from checks import cli, grading
from checks import exercises as exercise_files
from checks.messages import LANGS, msg
from checks.report import WRITERS, classroom, gradescope, markdown
from checks.report.feedback import TAIL_CHARS, TAIL_LINES, Detail, tail
from checks.report.markdown import cell
from checks.results import CommandRun, Report
from checks.snapshot import Snapshot

from conftest import EXERCISES, ROOT
from test_reports import JSON_FORMATS, READERS, RUNS, schema

COURSE = exercise_files.load([EXERCISES])


@pytest.fixture(scope="module")
def partial() -> Report:
    from checks import runner

    report = runner.run(ROOT / "examples" / "partial", COURSE)
    assert report.error is None, report.error.render("en")
    return report


def command_line(run: CommandRun, lang: str) -> str:
    """How a command is shown: ``$ docker pull alpine:3.14  (exit code 0)``."""
    if run.refused is not None:
        ending = msg("report.command_refused").render(lang)
    elif run.timed_out:
        ending = msg("report.command_timeout").render(lang)
    else:
        ending = msg("report.command_exit", code=run.exit_code).render(lang)
    return f"$ {run.text}  ({ending})"


def refused(partial: Report):
    outcome = next(o for o in partial.exercises if o.error is not None and o.error.key == "submission.refused")
    return outcome


# --- commands, exit codes and output tails --------------------------------------------------------


def test_tail_keeps_the_last_lines_and_counts_what_it_left_out():
    output = "".join(f"line {n}\n" for n in range(1, 101))
    text, dropped = tail(output)
    assert text.splitlines() == [f"line {n}" for n in range(101 - TAIL_LINES, 101)]
    assert dropped == len(output.rstrip("\n")) - len(text)
    long_line = "x" * (TAIL_CHARS * 3)
    assert tail(long_line) == ("x" * TAIL_CHARS, TAIL_CHARS * 2)
    assert tail("hi\n") == ("hi", 0)


@pytest.mark.parametrize("lang", LANGS)
def test_every_format_shows_each_command_with_how_it_ended(partial, lang):
    text = WRITERS["text"](partial, lang)
    summary = WRITERS["markdown"](partial, lang)
    junit = WRITERS["junit"](partial, lang)
    tests = json.loads(WRITERS["gradescope"](partial, lang))["tests"]
    room = json.loads(WRITERS["classroom"](partial, lang))["tests"]
    document = json.loads(WRITERS["json"](partial, lang))
    commands = 0
    for number, outcome in enumerate(partial.exercises, 1):
        lines = [command_line(run, lang) for run in outcome.commands]
        first = next(t for t in tests if t["number"] == f"{number}.1")
        suite = re.search(rf'<testsuite name="{outcome.exercise.id}".*?</testsuite>', junit, re.S).group()
        for line in lines:
            commands += 1
            assert f"\n    {line}\n" in text, line
            assert f"\n{line}\n" in summary, line
            assert line in first["output"], line
            assert line.replace("&", "&amp;") in suite, line
        assert [c["exit_code"] for c in document["exercises"][number - 1]["commands"]] == [r.exit_code for r in outcome.commands]
        failed = [t for t in room if t["filename"] == outcome.exercise.id and t["status"] == "fail"]
        if failed:  # Classroom: on the exercise's first failed test, the one whose test_code the reporter prints
            assert all(line in failed[0]["test_code"] for line in lines)
            assert not any(line in t["test_code"] for t in failed[1:] for line in lines)
    assert commands == 6  # the partial example's command lines


@pytest.mark.parametrize("lang", LANGS)
def test_output_tails_and_what_was_left_out(partial, lang):
    hello = partial.exercises[0].commands[0]  # `docker run hello-world`: more than TAIL_LINES lines
    kept, dropped = tail(hello.output)
    assert dropped > 0
    marker = msg("report.output_cut", count=dropped).render(lang)
    shown = "\n".join(f"      {line}" if line else "      " for line in kept.splitlines())
    text = WRITERS["text"](partial, lang)
    assert f"      {marker}\n{shown}\n" in text
    assert hello.output.splitlines()[0] not in text  # the head of the output is what was cut
    assert "https://docs.docker.com/get-started/" in WRITERS["markdown"](partial, lang)


# --- a refused file: its reason once -------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
def test_a_refused_file_gives_its_reason_once(partial, lang):
    outcome = refused(partial)
    reason = outcome.error.params["reason"].render(lang)
    assert WRITERS["text"](partial, lang).count(reason) == 1
    assert WRITERS["markdown"](partial, lang).count(cell(reason)) == 1
    document = json.loads(WRITERS["json"](partial, lang))
    exercise = next(e for e in document["exercises"] if e["id"] == outcome.exercise.id)
    assert exercise["error"].count(reason) == 1 and not any(reason in c["message"] for c in exercise["checks"])
    # formats that list each check on its own: the reason once in each
    for test in json.loads(WRITERS["gradescope"](partial, lang))["tests"]:
        if test["tags"] == [outcome.exercise.id]:
            assert test["output"].count(cell(reason)) == 1, test
    for test in json.loads(WRITERS["classroom"](partial, lang))["tests"]:
        if test["filename"] == outcome.exercise.id:
            assert test["test_code"].count(reason) == (0 if test["name"].endswith("[2/2]") else 1), test
    junit = WRITERS["junit"](partial, lang)
    suite = re.search(rf'<testsuite name="{outcome.exercise.id}".*?</testsuite>', junit, re.S).group()
    escaped = reason.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    assert suite.count(escaped) == len(outcome.checks)  # the text of each failure, not its message attribute


# --- GitHub Classroom: what its reporter prints ----------------------------------------------------


def test_classroom_puts_hints_where_the_reporter_prints_them(partial):
    """The reporter prints `message` only for status error, and "Test code:" with `test_code` whenever
    it is not empty (autograding-grading-reporter, src/console-results.js)."""
    tests = json.loads(WRITERS["classroom"](partial, "en"))["tests"]
    failed = {(o.exercise.id, c.check.name): c for o in partial.exercises for c in o.checks if not c.passed}
    for test in tests:
        exercise, check = re.match(r"^\d+\.\d+ ([^:]+): (.+?)(?: \[\d+/\d+\])?$", test["name"]).groups()
        if test["status"] == "pass":
            assert test["test_code"] == "", test  # no "Test code: 1.1" under a passed check
        elif not test["name"].endswith("[2/2]"):
            assert test["test_code"].startswith(failed[exercise, check].check.hint["en"]), test
    error = json.loads(WRITERS["classroom"](RUNS["error"](), "en"))["tests"]
    assert {t["status"] for t in error} == {"error"}
    assert all(t["message"].startswith("not graded: the Docker daemon at unix:///x.sock") and t["test_code"] == "" for t in error)


def test_gradescope_output_is_markdown(partial):
    document = json.loads(WRITERS["gradescope"](partial, "en"))
    assert document["output_format"] == "md" and {t["output_format"] for t in document["tests"]} == {"md"}
    assert schema("gradescope").is_valid(document)
    first = document["tests"][0]["output"]
    assert "\n\n**Your commands**\n\n```text\n$ docker run hello-world  (exit code 0)\n" in first


# --- sizes --------------------------------------------------------------------------------------

HINT = ("Run `docker pull alpine:3.14`, then look with `docker images`; a tag made with `docker tag` does not count. " * 100)[:10000]


@pytest.fixture(scope="module")
def huge(tmp_path_factory) -> Report:
    """Ten exercises of twelve checks with hints of 10,000 characters (the schema's maximum), all
    failed, each with twenty commands of 64 KiB of output: a set that passes the schema."""
    folder = tmp_path_factory.mktemp("huge")
    for n in range(10):
        checks = [
            {"name": f"check-{k}", "kind": "image", "image": "alpine:3.14", "points": 1, "hint": {"pt-BR": HINT, "en": HINT}}
            for k in range(12)
        ]
        document = {"id": f"huge-{n}", "lesson": "huge", "order": n, "title": {"pt-BR": f"Grande {n}", "en": f"Huge {n}"},
                    "description": {"pt-BR": "d", "en": "d"}, "checks": checks}
        (folder / f"huge-{n}.yaml").write_text(json.dumps(document))
    exercises = exercise_files.load([folder])  # validated against the schema
    runs = tuple(CommandRun(line, f"docker run alpine:3.14 yes {line}", exit_code=1, output="y" * 80 + "\n" * 1 + ("y" * 79 + "\n") * 818)
                 for line in range(1, 21))
    snapshot = Snapshot.from_api([], [])
    return Report(tuple(grading.grade_exercise(e, snapshot, commands=runs) for e in exercises), seconds=2.0, planned=tuple(exercises))


def test_a_shortened_message_keeps_its_code_spans_closed():
    detail = Detail(5)  # messages cut to 80 characters
    cut = detail.shorten("Run `docker pull alpine:3.14` and then `docker images --filter reference=alpine` to look.")
    assert len(cut) <= 80 and cut.endswith("`…") and cut.count("`") % 2 == 0
    assert detail.shorten("short") == "short" and Detail(6).shorten("anything") == ""


def size(text: str) -> int:
    return len(text.encode("utf-8"))


@pytest.mark.parametrize("lang", LANGS)
def test_every_platform_format_fits_its_limit_and_says_it_cut(huge, lang):
    from checks.report.rows import Sheet

    sheet = Sheet.of(huge, lang)
    failed = {(o.exercise.id, c.check.name) for o in huge.exercises for c in o.checks}
    cut = msg("report.cut", platform="", limit="", what="").render(lang).split(":")[0].split(" ")[0]  # its first word

    summary = WRITERS["markdown"](huge, lang)
    assert size(markdown._write(sheet, Detail())) > markdown.LIMIT  # the set is big enough to need cutting
    assert size(summary) <= 1024 * 1024 and f"> ✂️ {cut}" in summary
    assert READERS["markdown"](summary) == (0, failed)

    results = WRITERS["gradescope"](huge, lang)
    assert size(json.dumps(gradescope.document(sheet), indent=2, ensure_ascii=False)) > gradescope.LIMIT
    assert size(results) <= 1_000_000 and json.loads(results)["output"].startswith(cut)
    assert schema("gradescope").is_valid(json.loads(results)) and READERS["gradescope"](results) == (0, failed)

    line = "result=" + classroom.encoded(huge, lang) + "\n"
    full = json.dumps(classroom._document(sheet), ensure_ascii=False, separators=(",", ":"))
    assert len(base64.b64encode(full.encode())) > classroom.LIMIT
    assert size(line) <= 1_000_000
    decoded = json.loads(base64.b64decode(line.removeprefix("result=")))
    assert decoded["tests"][0]["test_code"].startswith(cut) and schema("classroom").is_valid(decoded)
    assert READERS["classroom"](json.dumps(decoded)) == (0, failed)
    assert decoded == json.loads(WRITERS["classroom"](huge, lang))


def test_nothing_is_cut_when_it_fits(partial):
    for fmt in ("markdown", "gradescope", "classroom"):
        for lang in LANGS:
            cut = msg("report.cut", platform="", limit="", what="").render(lang).split(" ")[0]
            assert cut not in WRITERS[fmt](partial, lang), fmt


def test_the_huge_set_graded_on_the_daemon_fits_through_the_cli(huge, daemon, lab, tmp_path, monkeypatch, capsys):
    """`check` of the huge set on the real daemon (every check fails: no alpine image there), with
    --github-output and --report markdown=…: both stay under GitHub's limits and say they cut."""
    folder = tmp_path / "ex"
    folder.mkdir()
    for outcome in huge.exercises:
        (folder / Path(outcome.exercise.path).name).write_text(Path(outcome.exercise.path).read_text())
    output = tmp_path / "github_output"
    monkeypatch.setenv("GITHUB_OUTPUT", str(output))
    summary = tmp_path / "summary.md"
    code = cli.main(["check", "--exercises", str(folder), "--host", lab.host, "--github-output",
                     "--report", f"markdown={summary}", "--format", "json", "--lang", "en"])
    assert code == 1 and json.loads(capsys.readouterr().out)["score"] == 0
    assert size(output.read_text()) <= 1_000_000 and size(summary.read_text()) <= 1024 * 1024
    assert "> ✂️ Report shortened to fit GitHub (step summary)'s limit of 1,048,576 bytes: messages shortened." in summary.read_text()
    decoded = json.loads(base64.b64decode(output.read_text().strip().removeprefix("result=")))
    assert decoded["tests"][0]["test_code"].startswith("Report shortened to fit GitHub (job output)'s limit of 1,000,000 bytes")
    assert len(decoded["tests"]) == 120 and sum(t["score"] for t in decoded["tests"]) == 0


# --- a failed grading still lists its exercises ---------------------------------------------------


@pytest.mark.parametrize("fmt", JSON_FORMATS)
def test_a_run_that_cannot_start_lists_the_exercises_it_would_grade(fmt, tmp_path, capsys):
    code = cli.main(["run", str(tmp_path / "missing"), "--format", fmt, "--lang", "en"])
    out = capsys.readouterr().out
    assert code == 2
    document = json.loads(out)
    assert schema(fmt).is_valid(document)
    if fmt == "json":
        assert [e["id"] for e in document["exercises"]] == [e.id for e in COURSE]
        assert all(c["message"].startswith("not graded: ") for e in document["exercises"] for c in e["checks"])
    if fmt in READERS:
        assert READERS[fmt](out)[0] == 0

