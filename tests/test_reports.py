"""Every output format: valid against its platform's schema, the same score and failed checks in each,
a complete document when the run could not grade, both languages, hidden checks kept hidden.

Pure tests build Reports by hand from the course's own exercises. The partial example's tests grade
examples/partial in a real lab (its score cross-checked with examples/expected.json) and expect of
each format what that grading found; the CLI tests take the daemon away.
"""

from __future__ import annotations

import base64
import importlib.util
import json
import math
import os
import re
import textwrap
from pathlib import Path
from xml.etree import ElementTree as ET

import jsonschema
import pytest
import xmlschema

from checks import cli
from checks import exercises as exercise_files
from checks.errors import UsageError
from checks.model import Check, Exercise
from checks.messages import LANGS, msg
from checks.report import WRITERS, Format, Writer, classroom, trybe
from checks.report.markdown import cell
from checks.results import CheckOutcome, ExerciseOutcome, Report, Result

from conftest import EXERCISES, ROOT

SCHEMAS = Path(__file__).parent / "schemas"
JUNIT_XSD = xmlschema.XMLSchema(SCHEMAS / "junit-10.xsd")  # the Jenkins xunit plugin's; see tests/schemas/README.md
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


FAILING = {  # a hand-built failing run; the partial example's own results come from a real run below
    ("pull-alpine", "alpine-pulled"),
    ("two-containers-one-image", "two-containers"),
    ("remove-containers", "image-kept"),
    ("remove-images", "alpine-removed"),
}
RUNS = {
    "passing": lambda: graded(COURSE),
    "failing": lambda: graded(COURSE, FAILING),
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
    assert JUNIT_XSD.is_valid(text), JUNIT_XSD.validate(text)
    score, failed = 0.0, set()
    for suite in root.iter("testsuite"):
        points = {p.get("name"): float(p.get("value")) for p in suite.find("properties")}
        for case in suite.iter("testcase"):
            score += points[f"{case.get('classname')}::{case.get('name')}.score"]
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


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("run", ["error", "unknown-exercises"])
def test_a_run_that_could_not_grade_is_still_a_complete_document(run, lang):
    report = RUNS[run]()
    error = report.error.render(lang)
    gradescope = json.loads(WRITERS["gradescope"](report, lang))
    assert cell(error) in gradescope["output"] and gradescope["tests"] and gradescope["score"] == 0  # Markdown, escaped
    room = json.loads(WRITERS["classroom"](report, lang))
    assert room["status"] == "error" and room["tests"] and all(t["status"] == "error" and t["score"] == 0 for t in room["tests"])
    assert room["max_score"] == report.max_score
    assert json.loads(WRITERS["json"](report, lang))["status"] == "error"
    assert all(e["grade"] == 1 for e in json.loads(WRITERS["trybe"](report, lang))["evaluations"])
    junit = ET.fromstring(WRITERS["junit"](report, lang))
    assert int(junit.get("errors")) == int(junit.get("tests")) >= 1
    assert cell(error) in WRITERS["markdown"](report, lang)
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


@pytest.mark.parametrize("lang", LANGS)
def test_text_of_a_stopped_run_names_each_exercise_it_did_not_grade(lang):
    error = msg("daemon.lost", endpoint="unix:///x.sock", reason="gone")
    report = Report(RUNS["failing"]().exercises[:2], error=error, error_exit_code=3, planned=tuple(COURSE))
    lines = WRITERS["text"](report, lang).splitlines()
    reason = msg("report.not_graded", error=error).render(lang)
    for exercise in COURSE[2:]:
        assert f"{exercise.id} — {exercise.title[lang]}  [0/{exercise.max_score:g}]  {reason}" in lines
    assert sum(reason in line for line in lines) == len(COURSE) - 2


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


def test_markdown_cells_keep_pipes_and_newlines_inside():
    check = Check("c", "image", {}, 1, {"pt-BR": "a | b\nc", "en": "a | b\nc"})
    exercise = Exercise("ex", "l", 1, {"pt-BR": "x | y", "en": "x | y"}, {"pt-BR": "", "en": ""}, (check,))
    text = WRITERS["markdown"](graded([exercise], {("ex", "c")}), "en")
    assert "| ❌ | `ex` x \\| y | 0/1 | 0/1 |" in text
    assert "- **ex › c** (0/1): a | b c \\(found\\: none\\)" in text  # the hint is the course's Markdown; the rest escaped


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


# --- the partial example, as a real run grades it -----------------------------------------------


@pytest.fixture(scope="module")
def partial() -> Report:
    """examples/partial graded as `docker-grader run` grades it, in a fresh lab of its own."""
    from checks import runner  # the lab's modules: only the tests that start a lab need them

    report = runner.run(ROOT / "examples" / "partial", COURSE)
    assert report.error is None, report.error.render("en")
    expected = json.loads((ROOT / "examples" / "expected.json").read_text())["partial"]
    assert (report.score, report.max_score) == (expected["score"], expected["max_score"])
    return report


def failures(report: Report) -> list[tuple[ExerciseOutcome, CheckOutcome]]:
    return [(outcome, check) for outcome in report.exercises for check in outcome.checks if not check.passed]


def test_the_partial_run_is_a_partial_run(partial):
    """What the tests below rely on: some exercises fully passed, some not, and one not run at all."""
    assert any(o.passed for o in partial.exercises) and not partial.passed
    assert any(o.error is not None and o.error.key == "submission.refused" for o in partial.exercises)


@pytest.mark.parametrize("lang", LANGS)
def test_every_format_tells_what_the_partial_run_found(partial, lang):
    failed = {(o.exercise.id, c.check.name) for o, c in failures(partial)}
    for fmt, read in READERS.items():
        assert read(WRITERS[fmt](partial, lang)) == (partial.score, failed), fmt
    for fmt in JSON_FORMATS:
        assert schema(fmt).is_valid(json.loads(WRITERS[fmt](partial, lang))), fmt
    evaluations = json.loads(WRITERS["trybe"](partial, lang))["evaluations"]
    assert [e["grade"] for e in evaluations] == [3 if o.passed else 1 for o in partial.exercises]


def test_the_partial_run_in_numbers(partial):
    gradescope = json.loads(WRITERS["gradescope"](partial, "en"))
    tests = gradescope["tests"]
    assert [(t["number"], t["name"], t["score"], t["max_score"], t["status"], t["tags"]) for t in tests] == [
        (f"{i}.{j}", f"{o.exercise.id}: {c.check.name}", c.score, c.max_score, "passed" if c.passed else "failed", [o.exercise.id])
        for i, o in enumerate(partial.exercises, 1)
        for j, c in enumerate(o.checks, 1)
    ]
    outputs = {t["name"]: t["output"] for t in tests}
    for outcome, check in failures(partial):
        output = outputs[f"{outcome.exercise.id}: {check.check.name}"]
        assert output.startswith(check.check.hint["en"]), output
        if outcome.error is not None:  # the refused file: why none of its commands ran, once
            assert output.split("\n\n")[0] == check.check.hint["en"] + " " + cell("— not graded: " + outcome.error.render("en")), output
            assert output.count(cell(outcome.error.params["reason"].render("en"))) == 1, output
    assert gradescope["output_format"] == "md" and {t["output_format"] for t in tests} == {"md"}
    assert gradescope["score"] == partial.score and gradescope["execution_time"] == math.ceil(partial.seconds)


@pytest.mark.parametrize("lang", LANGS)
def test_markdown_has_a_row_per_exercise_and_the_failed_hints(partial, lang):
    text = WRITERS["markdown"](partial, lang)
    rows = re.findall(r"^\| (\S+) \| `([^`]+)` (.*) \| (\S+) \| (\S+) \|$", text, re.M)
    assert rows == [
        ("✅" if o.passed else "❌", o.exercise.id, cell(o.exercise.title[lang]), f"{o.score:g}/{o.max_score:g}", f"{sum(c.passed for c in o.checks)}/{len(o.checks)}")
        for o in partial.exercises
    ]
    heading = {"en": "## docker-grader: {}/{} points", "pt-BR": "## docker-grader: {}/{} pontos"}[lang]
    assert text.startswith(heading.format(f"{partial.score:g}", f"{partial.max_score:g}") + "\n")
    items = re.findall(r"^- \*\*.*$", text, re.M)
    assert len(items) == len(failures(partial))
    for item, (outcome, check) in zip(items, failures(partial)):
        assert item.startswith(f"- **{outcome.exercise.id} › {check.check.name}** (0/{check.max_score:g}): {' '.join(check.check.hint[lang].split())}"), item
        assert "⚠️" not in item and msg("report.not_graded", error="").render(lang) not in item
    # an exercise that was not graded says why once, above its failed checks
    notes = re.findall(r"^- ⚠️ `(\S+)`: (.*)$", text, re.M)
    assert notes == [(o.exercise.id, cell(msg("report.not_graded", error=o.error).render(lang))) for o in partial.exercises if o.error is not None]


@pytest.mark.parametrize("lang", LANGS)
def test_junit_carries_points_as_properties(partial, lang):
    root = ET.fromstring(WRITERS["junit"](partial, lang))

    def properties(element: ET.Element) -> dict[str, str]:
        return {p.get("name"): p.get("value") for p in element.find("properties")}

    suites = root.findall("testsuite")
    assert [s.get("name") for s in suites] == [o.exercise.id for o in partial.exercises]
    for suite, outcome in zip(suites, partial.exercises):
        expected = {"score": f"{outcome.score:g}", "max_score": f"{outcome.max_score:g}"}
        for check in outcome.checks:
            name = f"{outcome.exercise.id}::{check.check.name}"
            expected |= {f"{name}.score": f"{check.score:g}", f"{name}.max_score": f"{check.max_score:g}"}
        assert properties(suite) == expected
        assert suite.get("file") == os.path.relpath(outcome.exercise.path)
        assert 0 < float(suite.get("time")) == pytest.approx(outcome.seconds, abs=0.0005)
        cases = suite.findall("testcase")
        assert [c.get("name") for c in cases] == [c.check.name for c in outcome.checks]
        for case, check in zip(cases, outcome.checks):
            assert case.find("properties") is None
            assert case.get("time") == f"{check.seconds:.3f}"
            failure = case.find("failure")
            assert (failure is None) == check.passed
            if failure is not None:
                assert failure.get("type") == "check" and failure.get("message").startswith(check.check.hint[lang])
    assert (root.get("tests"), root.get("failures"), root.get("errors")) == ("13", str(len(failures(partial))), "0")


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


def test_not_graded_is_a_junit_error_as_junitparser_reads_it(tmp_path, capsys):
    """"Not graded" is a JUnit <error> (the test could not run), never a <failure> (the student's work
    is wrong); pytest --junitxml says the same (tests/test_junit_consistency.py)."""
    import junitparser

    target = tmp_path / "result.xml"
    assert cli.main(["check", "--host", f"unix://{tmp_path}/none.sock", "--format", "junit", "--output", str(target), "--lang", "en"]) == 3
    capsys.readouterr()
    assert JUNIT_XSD.is_valid(str(target))
    cases = [case for suite in junitparser.JUnitXml.fromfile(str(target)) for case in suite]
    assert len(cases) == 13 and all([type(result) for result in case.result] == [junitparser.Error] for case in cases)
    assert {result.type for case in cases for result in case.result} == {"not-graded"}


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
    shown = cell("unknown-kind.yaml:") if fmt in ("markdown", "gradescope") else "unknown-kind.yaml:"  # Markdown, escaped
    assert shown in (json.loads(text)["output"] if fmt == "gradescope" else text) or fmt in ("trybe", "text")


def contributing_example() -> tuple[str, str]:
    """The example module and its registry line, from CONTRIBUTING.md's "Adding a format"."""
    section = (ROOT / "CONTRIBUTING.md").read_text().split("\n## Adding a format\n", 1)[1].split("\n## ", 1)[0]
    module, line = (textwrap.dedent(block) for block in re.findall(r"^ *```python\n(.*?)^ *```", section, re.M | re.S))
    return module, line


def read_tap(text):
    plan = int(re.search(r"^1\.\.(\d+)$", text, re.M).group(1))
    tests = re.findall(r"^(ok|not ok) \d+ - \d+\.\d+ ([^:]+): (.+) \((\S+)/\S+\)$", text, re.M)
    assert plan == len(re.findall(r"^(?:not )?ok \d+ - ", text, re.M))
    return sum(float(score) for *_, score in tests), {(exercise, check) for ok, exercise, check, _ in tests if ok == "not ok"}


def test_a_new_format_is_a_module_and_a_registry_line(tmp_path, monkeypatch, capsys):
    """CONTRIBUTING.md's steps 1 and 2, with its own example, registered for this test only."""
    source, line = contributing_example()
    fmt, name = re.fullmatch(r' *"(\w+)": Format\("(\w+)"\),\n', line).groups()
    path = tmp_path / f"{name}.py"  # step 1: the module (here outside the package, not to change it)
    path.write_text(source)
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert isinstance(module, Writer)
    with pytest.raises(UsageError):
        cli.build_parser().parse_args(["check", "--format", fmt])
    monkeypatch.setitem(WRITERS, fmt, Format(module))  # step 2: its line in WRITERS

    args = cli.build_parser().parse_args(["run", "submission", "--format", fmt, "--report", f"{fmt}=out.{fmt}"])
    assert (args.format, args.report) == (fmt, [(fmt, Path(f"out.{fmt}"))])
    for run in ("passing", "failing", "timeout"):
        report = RUNS[run]()
        failed = {(o.exercise.id, c.check.name) for o in report.exercises for c in o.checks if not c.passed}
        for lang in LANGS:
            assert read_tap(WRITERS[fmt](report, lang)) == (report.score, failed)
    target = tmp_path / f"out.{fmt}"
    code = cli.main(["check", "--host", f"unix://{tmp_path}/none.sock", "--format", fmt, "--report", f"{fmt}={target}", "--lang", "en"])
    out = capsys.readouterr().out
    assert code == 3 and out == target.read_text()
    assert out.startswith("TAP version 13\n1..13\n") and out.count("\nnot ok ") == 13 and out.count("# not graded: ") == 13
    assert read_tap(out)[0] == 0


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
