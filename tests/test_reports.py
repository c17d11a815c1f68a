"""Every output format: valid against its platform's schema, the same score and failed checks in each,
a complete document when the run could not grade, both languages, hidden checks kept hidden.

Pure tests build Reports by hand from the course's own exercises; the last ones run the partial
example in a real lab and take the daemon away.
"""

from __future__ import annotations

import base64
import json
import re
from pathlib import Path
from xml.etree import ElementTree as ET

import jsonschema
import pytest

from checks import cli
from checks import exercises as exercise_files
from checks.exercises import Check, Exercise
from checks.messages import LANGS, msg
from checks.report import WRITERS, classroom, trybe
from checks.results import CheckOutcome, ExerciseOutcome, Report, Result

from conftest import EXERCISES, ROOT

SCHEMAS = Path(__file__).parent / "schemas"
JSON_FORMATS = ("json", "gradescope", "classroom", "trybe")
COURSE = exercise_files.load([EXERCISES])


def schema(name: str) -> jsonschema.Draft202012Validator:
    document = json.loads((SCHEMAS / f"{name}.schema.json").read_text())
    jsonschema.Draft202012Validator.check_schema(document)
    return jsonschema.Draft202012Validator(document)


def graded(exercises, failing=frozenset(), error=None, exercise_error=None) -> Report:
    """A Report as grading would give it: the checks named in ``failing`` (exercise, check) failed."""
    outcomes = []
    for exercise in exercises:
        checks = tuple(
            CheckOutcome(check, Result((exercise.id, check.name) not in failing, msg("none")))
            for check in exercise.checks
        )
        outcomes.append(ExerciseOutcome(exercise, checks, error=exercise_error))
    if error is not None:
        return Report((), error=error, error_exit_code=3, planned=tuple(exercises))
    return Report(tuple(outcomes), seconds=1.5, planned=tuple(exercises))


PARTIAL = {
    ("pull-alpine", "alpine-pulled"),
    ("two-containers-one-image", "two-containers"),
    ("remove-containers", "image-kept"),
    ("remove-images", "alpine-removed"),
}
RUNS = {
    "passing": lambda: graded(COURSE),
    "failing": lambda: graded(COURSE, PARTIAL),
    "error": lambda: graded(COURSE, error=msg("daemon.unreachable", endpoint="unix:///x.sock", reason="gone")),
    "timeout": lambda: graded(COURSE[:1], {("run-hello-world", "greeting-shown")}, exercise_error=msg("submission.timeout", line=2, seconds="5")),
    "unknown-exercises": lambda: Report((), error=msg("exercise.no_files", paths="x"), error_exit_code=2),
}


# --- what each format says: its total and the (exercise, check) pairs it shows as not passed -------


def read_json(text):
    doc = json.loads(text)
    failed = {(e["id"], c["name"]) for e in doc["exercises"] for c in e["checks"] if not c["passed"]}
    return doc["score"], failed


def read_gradescope(text):
    doc = json.loads(text)
    assert doc["score"] == sum(t["score"] for t in doc["tests"])
    return doc["score"], {tuple(t["name"].split(": ", 1)) for t in doc["tests"] if t["status"] == "failed"}


def read_classroom(text):
    doc = json.loads(text)
    pattern = re.compile(r"^\d+\.\d+ ([^:]+): (.+?)(?: \[\d+/\d+\])?$")
    failed = {pattern.match(t["name"]).groups() for t in doc["tests"] if t["status"] != "pass" and t["filename"]}
    return sum(t["score"] for t in doc["tests"]), failed


def read_junit(text):
    root = ET.fromstring(text)
    score, failed = 0.0, set()
    for case in root.iter("testcase"):
        score += float(case.find("properties/property[@name='score']").get("value"))
        if case.find("failure") is not None or case.find("error") is not None:
            failed.add((case.get("classname"), case.get("name")))
    assert int(root.get("tests")) == len(list(root.iter("testcase")))
    return score, failed


def read_markdown(text):
    rows = re.findall(r"^\| \S+ \| `([^`]+)` .* \| (\S+)/(\S+) \| \d+/\d+ \|$", text, re.M)
    failed = set(re.findall(r"^- \*\*(\S+) › (.+?)\*\* \(", text, re.M))
    return sum(float(score) for _, score, _ in rows), failed


def read_text(text):
    failed, exercise = set(), None
    for line in text.splitlines():
        if heading := re.match(r"^(\S+) — .*\[\S+/\S+\]$", line):
            exercise = heading.group(1)
        elif row := re.match(r"^  ✘ (\S+)\s+\S+/\S+$", line):
            failed.add((exercise, row.group(1)))
    total = re.search(r"^(?:Total): (\S+)/\S+ (?:points|pontos)$", text, re.M)
    return float(total.group(1)), failed


READERS = {
    "json": read_json,
    "gradescope": read_gradescope,
    "classroom": read_classroom,
    "junit": read_junit,
    "markdown": read_markdown,
    "text": read_text,
}


def test_every_writer_has_a_reader_here():
    assert set(WRITERS) == set(READERS) | {"trybe"}


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("run", sorted(RUNS))
@pytest.mark.parametrize("fmt", JSON_FORMATS)
def test_json_formats_match_their_schema(fmt, run, lang):
    document = json.loads(WRITERS[fmt](RUNS[run](), lang))
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in schema(fmt).iter_errors(document)]
    assert errors == []


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("run", ["passing", "failing", "timeout"])
def test_every_format_tells_the_same_score_and_failed_checks(run, lang):
    report = RUNS[run]()
    expected_failed = {(o.exercise.id, c.check.name) for o in report.exercises for c in o.checks if not c.passed}
    for fmt, read in READERS.items():
        score, failed = read(WRITERS[fmt](report, lang))
        assert (score, failed) == (report.score, expected_failed), fmt
    evaluations = json.loads(WRITERS["trybe"](report, lang))["evaluations"]
    assert [e["grade"] for e in evaluations] == [3 if o.passed else 1 for o in report.exercises]


def test_the_partial_run_in_numbers():
    report = RUNS["failing"]()
    assert (report.score, report.max_score) == (11, 17)
    gradescope = json.loads(WRITERS["gradescope"](report, "en"))
    assert [t["number"] for t in gradescope["tests"]][:4] == ["1.1", "1.2", "1.3", "2.1"]
    assert gradescope["tests"][3] | {"output": ""} == {
        "name": "pull-alpine: alpine-pulled", "number": "2.1", "score": 0, "max_score": 2, "status": "failed",
        "output": "", "tags": ["pull-alpine"], "visibility": "visible",
    }
    assert gradescope["tests"][3]["output"].startswith("Run `docker pull alpine:3.14`")
    assert gradescope["execution_time"] == 2


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("run", ["error", "unknown-exercises"])
def test_a_run_that_could_not_grade_is_still_a_complete_document(run, lang):
    report = RUNS[run]()
    error = report.error.render(lang)
    gradescope = json.loads(WRITERS["gradescope"](report, lang))
    assert error in gradescope["output"] and gradescope["tests"] and gradescope["score"] == 0
    room = json.loads(WRITERS["classroom"](report, lang))
    assert room["status"] == "error" and room["tests"] and all(t["status"] == "error" and t["score"] == 0 for t in room["tests"])
    assert room["max_score"] == report.max_score
    assert json.loads(WRITERS["json"](report, lang))["status"] == "error"
    assert all(e["grade"] == 1 for e in json.loads(WRITERS["trybe"](report, lang))["evaluations"])
    junit = ET.fromstring(WRITERS["junit"](report, lang))
    assert int(junit.get("errors")) == int(junit.get("tests")) >= 1
    assert error in WRITERS["markdown"](report, lang)
    if run == "error":  # the exercises were known: each of their checks is listed, not graded
        assert len(room["tests"]) == report.max_score and len(gradescope["tests"]) == 13


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("graded_first", [0, 2])
def test_json_of_a_failed_run_lists_the_planned_exercises_as_not_graded(graded_first, lang):
    """Like every other format: the exercises graded before the run stopped, then the rest, 0 points."""
    error = msg("daemon.unreachable", endpoint="unix:///x.sock", reason="gone")
    done = RUNS["failing"]().exercises[:graded_first]
    report = Report(done, error=error, error_exit_code=3, planned=tuple(COURSE))
    document = json.loads(WRITERS["json"](report, lang))
    assert document["status"] == "error" and document["error"] == error.render(lang)
    assert [e["id"] for e in document["exercises"]] == [e.id for e in COURSE]
    assert document["exercises"][:graded_first] == json.loads(WRITERS["json"](RUNS["failing"](), lang))["exercises"][:graded_first]
    reason = msg("report.not_graded", error=error).render(lang)
    for exercise, entry in list(zip(COURSE, document["exercises"]))[graded_first:]:
        assert (entry["title"], entry["score"], entry["max_score"]) == (exercise.title[lang], 0, exercise.max_score)
        assert entry["checks"] == [
            {"name": check.name, "passed": False, "score": 0, "max_score": check.points, "message": reason} for check in exercise.checks
        ]
    assert document["max_score"] == report.max_score == 17
    assert schema("json").is_valid(document)


def reporter_totals(document: dict) -> tuple[float, float]:
    """The grading reporter's two totals: the points sent to Classroom (notify-classroom.js: the sum of
    the tests' scores) and the one in its log table (aggregate-results.js: passed / tests × max_score)."""
    sent = sum(test["score"] for test in document["tests"])
    passed = sum(test["status"] == "pass" for test in document["tests"])
    logged = passed / len(document["tests"]) * (document["max_score"] or 1)
    return sent, logged


def weighted(points: list[float]) -> Exercise:
    checks = tuple(Check(f"c{i}", "image", {}, p, {"pt-BR": "dica", "en": "hint"}) for i, p in enumerate(points))
    return Exercise("weighted", "l", 1, {"pt-BR": "t", "en": "t"}, {"pt-BR": "", "en": ""}, checks)


@pytest.mark.parametrize("points", [[1, 2, 2], [0.5, 1.5, 3], [1, 1, 1], [4, 6], [0.25, 10]])
@pytest.mark.parametrize("failing", [set(), {"c0"}, {"c1"}, {"c0", "c1"}])
def test_classroom_totals_agree_both_ways(points, failing):
    exercise = weighted(points)
    report = graded([exercise], {("weighted", name) for name in failing})
    document = classroom.document(report, "en")
    sent, logged = reporter_totals(document)
    assert sent == pytest.approx(logged) == pytest.approx(report.score)
    assert document["max_score"] == pytest.approx(sum(points))
    for test in document["tests"]:  # each test's score agrees with its status
        assert (test["score"] > 0) == (test["status"] == "pass")


@pytest.mark.parametrize("run", sorted(RUNS))
def test_classroom_totals_agree_on_the_course(run):
    report = RUNS[run]()
    sent, logged = reporter_totals(classroom.document(report, "pt-BR"))
    assert sent == pytest.approx(logged) == pytest.approx(report.score)


def test_classroom_encoded_is_the_document_in_base64():
    report = RUNS["failing"]()
    decoded = json.loads(base64.b64decode(classroom.encoded(report, "en")))
    assert decoded == classroom.document(report, "en")


def test_hidden_checks_show_no_name_or_hint_to_students():
    secret = Check("secret-check-name", "image", {}, 2, {"pt-BR": "DICA SECRETA", "en": "SECRET HINT"}, visibility="hidden")
    plain = Check("plain", "image", {}, 1, {"pt-BR": "dica", "en": "hint"})
    exercise = Exercise("ex", "l", 1, {"pt-BR": "t", "en": "t"}, {"pt-BR": "", "en": ""}, (plain, secret))
    for failing in (set(), {("ex", "secret-check-name")}):
        report = graded([exercise], failing)
        for lang in LANGS:
            for fmt in ("text", "json", "markdown", "junit", "classroom", "trybe"):
                out = WRITERS[fmt](report, lang)
                assert "secret-check-name" not in out and "SECRET" not in out and "DICA SECRETA" not in out, fmt
                listed = fmt != "trybe" and (fmt != "markdown" or failing)  # markdown lists failed checks only
                assert (msg("report.hidden").render(lang) in out) == bool(listed), fmt
            gradescope = json.loads(WRITERS["gradescope"](report, lang))
            hidden = gradescope["tests"][1]
            assert hidden["visibility"] == "after_due_date" and hidden["name"] == "ex: secret-check-name"
            assert gradescope["score"] == report.score  # its points count
            if failing:
                assert hidden["output"].startswith(secret.hint[lang])


@pytest.mark.parametrize("lang", LANGS)
def test_markdown_has_a_row_per_exercise_and_the_failed_hints(lang):
    text = WRITERS["markdown"](RUNS["failing"](), lang)
    rows = re.findall(r"^\| (\S+) \| `([^`]+)` (.*) \| (\S+) \| (\S+) \|$", text, re.M)
    assert [(mark, ex, score, checks) for mark, ex, _, score, checks in rows] == [
        ("✅", "run-hello-world", "4/4", "3/3"),
        ("❌", "pull-alpine", "1/3", "1/2"),
        ("❌", "two-containers-one-image", "3/5", "3/4"),
        ("❌", "remove-containers", "2/3", "1/2"),
        ("❌", "remove-images", "1/2", "1/2"),
    ]
    assert rows[1][2] == next(e for e in COURSE if e.id == "pull-alpine").title[lang]
    heading = {"en": "## docker-grader: 11/17 points", "pt-BR": "## docker-grader: 11/17 pontos"}[lang]
    assert text.startswith(heading + "\n")
    hint = next(c for e in COURSE if e.id == "pull-alpine" for c in e.checks if c.name == "alpine-pulled").hint[lang]
    assert f"- **pull-alpine › alpine-pulled** (0/2): {hint}" in text


def test_markdown_cells_keep_pipes_and_newlines_inside():
    check = Check("c", "image", {}, 1, {"pt-BR": "a | b\nc", "en": "a | b\nc"})
    exercise = Exercise("ex", "l", 1, {"pt-BR": "x | y", "en": "x | y"}, {"pt-BR": "", "en": ""}, (check,))
    text = WRITERS["markdown"](graded([exercise], {("ex", "c")}), "en")
    assert "| ❌ | `ex` x \\| y | 0/1 | 0/1 |" in text
    assert "- **ex › c** (0/1): a \\| b c (found: none)" in text


@pytest.mark.parametrize("lang", LANGS)
def test_junit_carries_points_as_properties(lang):
    root = ET.fromstring(WRITERS["junit"](RUNS["failing"](), lang))
    suites = root.findall("testsuite")
    assert [s.get("name") for s in suites] == [e.id for e in COURSE]
    pull = suites[1]
    assert {p.get("name"): p.get("value") for p in pull.find("properties")} == {"score": "1", "max_score": "3"}
    case = pull.find("testcase[@name='alpine-pulled']")
    assert {p.get("name"): p.get("value") for p in case.find("properties")} == {"score": "0", "max_score": "2"}
    assert case.find("failure").get("message").startswith(
        next(c for e in COURSE if e.id == "pull-alpine" for c in e.checks if c.name == "alpine-pulled").hint[lang]
    )
    assert (root.get("tests"), root.get("failures"), root.get("errors")) == ("13", "4", "0")


def test_trybe_names_come_from_github_and_match_the_requirements():
    report = RUNS["failing"]()
    environ = {"GITHUB_ACTOR": "aluna", "GITHUB_REPOSITORY": "curso/docker-aluna"}
    for lang in LANGS:
        document = trybe.document(report, lang, environ)
        assert (document["github_username"], document["github_repository_name"]) == ("aluna", "curso/docker-aluna")
        requirements = trybe.requirements(COURSE, lang)
        assert schema("trybe-requirements").is_valid(requirements)
        assert [e["description"] for e in document["evaluations"]] == [r["description"] for r in requirements["requirements"]]
        assert [r["identifier"] for r in requirements["requirements"]] == [e.id for e in COURSE]
    assert trybe.document(report, "en", {})["github_username"] == "no_actor"


# --- through the CLI ----------------------------------------------------------------------------


def test_requirements_command_writes_the_trybe_file(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert cli.main(["requirements", "--lang", "en", "--exercises", str(EXERCISES)]) == 0
    document = json.loads((tmp_path / ".trybe" / "requirements.json").read_text())
    assert schema("trybe-requirements").is_valid(document)
    assert document["requirements"][1]["description"] == "pull-alpine — Pull the alpine:3.14 image without running it"
    assert capsys.readouterr().out.strip() == ".trybe/requirements.json"


@pytest.mark.parametrize("fmt", sorted(WRITERS))
def test_daemon_down_still_writes_a_complete_document(fmt, tmp_path, capsys):
    target = tmp_path / f"result.{fmt}"
    code = cli.main(["check", "--host", f"unix://{tmp_path}/none.sock", "--format", fmt, "--output", str(target), "--lang", "en"])
    assert code == 3
    assert "is not answering" in capsys.readouterr().err
    text = target.read_text()
    if fmt in JSON_FORMATS:
        assert schema(fmt).is_valid(json.loads(text))
    if fmt in READERS:
        assert READERS[fmt](text)[0] == 0
    assert "is not answering" in text or fmt == "trybe"


def test_daemon_down_json_lists_every_exercise_not_graded(tmp_path, capsys):
    code = cli.main(["check", "--host", f"unix://{tmp_path}/none.sock", "--format", "json", "--lang", "en"])
    document = json.loads(capsys.readouterr().out)
    assert code == 3 and [e["id"] for e in document["exercises"]] == [e.id for e in COURSE]
    checks = [c for e in document["exercises"] for c in e["checks"]]
    assert len(checks) == 13 and all(not c["passed"] and c["message"].startswith("not graded: ") for c in checks)


@pytest.mark.parametrize("fmt", sorted(WRITERS))
def test_a_bad_exercise_file_still_writes_a_complete_document(fmt, tmp_path, capsys):
    target = tmp_path / "result"
    bad = ROOT / "tests" / "data" / "invalid" / "unknown-kind.yaml"
    (tmp_path / "ex").mkdir()
    (tmp_path / "ex" / bad.name).write_bytes(bad.read_bytes())
    code = cli.main(["check", "--exercises", str(tmp_path / "ex"), "--format", fmt, "--output", str(target), "--lang", "pt-BR"])
    assert code == 2
    err = capsys.readouterr().err
    assert "unknown-kind.yaml:" in err
    text = target.read_text()
    if fmt in JSON_FORMATS:
        assert schema(fmt).is_valid(json.loads(text))
    assert "unknown-kind.yaml:" in text or fmt in ("trybe", "text")


def test_github_output_needs_the_variable(monkeypatch, capsys):
    monkeypatch.delenv("GITHUB_OUTPUT", raising=False)
    assert cli.main(["check", "--github-output", "--lang", "en"]) == 2
    assert "--github-output needs the GITHUB_OUTPUT variable" in capsys.readouterr().err


def test_report_option_is_checked_before_anything_runs(capsys):
    assert cli.main(["check", "--report", "pdf=x.pdf", "--lang", "en"]) == 2
    assert "expected FORMAT=FILE" in capsys.readouterr().err


def test_the_partial_example_in_every_format_from_one_run(tmp_path, monkeypatch, capsys):
    """One `run` of the partial example: every format tells the same score and the same failed checks."""
    github_output = tmp_path / "github_output"
    github_output.write_text("earlier=1\n")
    monkeypatch.setenv("GITHUB_OUTPUT", str(github_output))
    reports = [f"--report={fmt}={tmp_path / ('out.' + fmt)}" for fmt in sorted(WRITERS) if fmt != "json"]
    code = cli.main(["run", str(ROOT / "examples" / "partial"), "--format", "json", "--output", str(tmp_path / "out.json"), "--lang", "en", "--github-output", *reports])
    capsys.readouterr()
    assert code == 1
    score, failed = read_json((tmp_path / "out.json").read_text())
    assert score == 11 and failed
    for fmt, read in READERS.items():
        assert read((tmp_path / f"out.{fmt}").read_text()) == (score, failed), fmt
    for fmt in JSON_FORMATS:
        assert schema(fmt).is_valid(json.loads((tmp_path / f"out.{fmt}").read_text())), fmt
    earlier, line = github_output.read_text().splitlines()
    assert earlier == "earlier=1" and line.startswith("result=")
    decoded = json.loads(base64.b64decode(line.removeprefix("result=")))
    assert decoded == json.loads((tmp_path / "out.classroom").read_text())
    assert reporter_totals(decoded) == (11, pytest.approx(11))
    evaluations = json.loads((tmp_path / "out.trybe").read_text())["evaluations"]
    assert {e["description"].split(" — ")[0] for e in evaluations if e["grade"] == 1} == {ex for ex, _ in failed}
