"""One error hierarchy, one map to exit codes, one map to a Report (issue 24).

Every error the grader raises to a front end is a ``checks.errors.GraderError`` whose class says its
exit code, the one the README documents for what it means. Each front end (``check``, ``watch``,
``run``, ``run --jobs``'s runs, ``pytest --grader``) turns the same fault into the same exit code and
the same report: a bad exercise file, a daemon that is down, and a damaged start point are each
given to every front end they apply to, on the tests' real daemon.
"""

from __future__ import annotations

import ast
import builtins
import json
import re
import shutil
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml  # noqa: F401 - loaded before the in-process pytest runs (see test_plugin.py)

from checks import cli, errors
from checks.errors import EXIT_BAD_INPUT, EXIT_DAEMON, Fault, GraderError
from checks.messages import msg
from checks.results import stopped

from conftest import EXERCISES, ROOT
from test_junit_consistency import outcomes

# What the README's exit-code table says each class's exit code means. A new GraderError joins here
# with the README's words for its code; a class whose code the README gives another meaning fails.
DOCUMENTED = {
    "UsageError": "bad input",
    "ExerciseError": "bad input",
    "DaemonError": "daemon not reachable",
    "LabError": "the lab could not start",
    "ServicesError": "a check failed",  # never a front end's: the exercise's checks fail with why
    "Interrupted": "interrupted",
}

# Exceptions raised under checks/ outside the hierarchy: each is caught before a front end sees it
# (the classes of the grader's own, by name: the test looks for the `except`), or is a bug.
INTERNAL = {
    "TransportError": "checks.daemon, lab and boundary turn it into a DaemonError, a LabError or a refusal",
    "Refused": "the boundary's refusal, answered to the sandbox as an HTTP error",
    "ArchiveRefused": "the boundary's refusal of a build context",
    "ReferenceError": "a bad image reference: a schema fault or a refusal",
    "ShapeError": "checks.daemon turns it into a DaemonError naming the request",
    "CheckFailed": "the pytest plugin's failed check, shown as its hint",
    "_NotSave": "checks.lab.archives: not an image archive",
    "_NoReference": "checks.lab.archives: an archive without the tag asked for",
    "Gone": "checks.kinds.judging: a container removed while it was read, caught by checks.kinds.container",
    "TimeoutExpired": "checks.prefork: a forked run's wait, as subprocess.Popen.wait raises it; checks.batch catches it",
    "ValueError": "checks.reads.provide: a kind's read under a name already read, a bug refused as the kind is imported",
    "LauncherGone": "checks.launcher: the run's launcher stopped answering; checks.submission gives the line a sandbox of its own",
    "OSError": "sockets and streams: each caller turns it into its own error",
    "TimeoutError": "checks.probe: a port that does not answer is a probe's result",
    "KeyError": "checks.messages: a message key not in the catalog is a bug (test_messages)",
    "KeyboardInterrupt": "checks.signals: SIGTERM as Ctrl-C, turned into Interrupted by each front end",
    "InvalidURL": "checks.probe: a path it will not send, a probe's result",
    "ArgumentTypeError": "argparse's: a bad option value, a UsageError",
    "CollectError": "pytest's own: the plugin's exercise file that does not load, a collection error",
}


def grader_errors() -> list[type[GraderError]]:
    found, todo = [], [GraderError]
    while todo:
        for subclass in todo.pop().__subclasses__():
            found.append(subclass)
            todo.append(subclass)
    return found


def readme_exit_codes() -> dict[int, str]:
    """``**N** meaning`` from the paragraph of exit codes: the README's (or, should it move, a doc's under docs/)."""
    text = next(text for path in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
                if "Exit codes, for `check`" in (text := path.read_text()))
    paragraph = text[text.index("Exit codes, for `check`"):]
    paragraph = paragraph[:paragraph.index("\n\n")]
    return {int(code): " ".join(words.split()) for code, words in re.findall(r"\*\*(\d+)\*\* ([^,(]+?)\s*(?:[,(]|$)", paragraph)}


def test_the_readme_table_is_read_whole():
    assert readme_exit_codes() == {0: "every check passed", 1: "a check failed", 2: "bad input", 3: "daemon not reachable",
                                   4: "the lab could not start", 5: "no check failed but some could not tell", 130: "interrupted"}


def test_every_grader_error_says_its_documented_exit_code_in_its_own_class():
    documented = readme_exit_codes()
    classes = grader_errors()
    assert sorted(cls.__name__ for cls in classes) == sorted(DOCUMENTED)
    drawn = dict(re.findall(r"── (\w+)\s+(\d+)", errors.__doc__))  # the hierarchy errors.py's docstring draws
    for cls in classes:
        assert cls.__module__ == "checks.errors", f"{cls.__name__} is outside the hierarchy's module"
        assert "exit_code" in vars(cls), f"{cls.__name__} does not say its exit code"
        assert documented.get(cls.exit_code) == DOCUMENTED[cls.__name__], cls.__name__
        assert int(drawn[cls.__name__]) == cls.exit_code, cls.__name__
    # Distinct: two classes share a code only when the README gives them the same meaning.
    meanings = {DOCUMENTED[cls.__name__]: set() for cls in classes}
    for cls in classes:
        meanings[DOCUMENTED[cls.__name__]].add(cls.exit_code)
    assert all(len(codes) == 1 for codes in meanings.values()), meanings


def example(cls: type[GraderError]) -> GraderError:
    if cls is errors.ExerciseError:
        return cls([Fault("ex.yaml", 1, "$", msg("exercise.unreadable", reason="test"))])
    return cls(msg("usage.option", reason="test"))


@pytest.mark.parametrize("cls", grader_errors(), ids=lambda cls: cls.__name__)
def test_an_error_maps_to_its_class_exit_code_and_to_a_report_of_it(cls):
    error = example(cls)
    assert errors.exit_code(error) == cls.exit_code
    report = stopped(error)
    assert report.exit_code == cls.exit_code and report.error == error.message and not report.passed


def test_an_interrupt_no_run_turned_into_an_error_is_130():
    assert errors.exit_code(KeyboardInterrupt()) == errors.Interrupted.exit_code == 130


def raised_and_caught() -> tuple[dict[str, str], set[str], list[str]]:
    """Under checks/: the classes raised (name → where), the names caught, and the exception classes defined outside errors.py."""
    raised, caught, defined = {}, set(), []
    for path in sorted((ROOT / "checks").rglob("*.py")):
        tree = ast.parse(path.read_text(), str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call):
                name = ast.unparse(node.exc.func).rsplit(".", 1)[-1]
                if name.lstrip("_")[:1].isupper():  # lower case: a function that makes the error (`lab_error`)
                    raised.setdefault(name, f"{path.relative_to(ROOT)}:{node.lineno}")
            elif isinstance(node, ast.Raise) and isinstance(node.exc, (ast.Name, ast.Attribute)):
                name = ast.unparse(node.exc).rsplit(".", 1)[-1]
                if name.lstrip("_")[:1].isupper():  # a class raised bare (`raise _Gone`); lower case: an error made elsewhere
                    raised.setdefault(name, f"{path.relative_to(ROOT)}:{node.lineno}")
            elif isinstance(node, ast.ExceptHandler) and node.type is not None:
                kinds = node.type.elts if isinstance(node.type, ast.Tuple) else [node.type]
                caught |= {ast.unparse(kind).rsplit(".", 1)[-1] for kind in kinds}
            elif isinstance(node, ast.ClassDef) and path.name != "errors.py":
                if any(ast.unparse(base).endswith(("Exception", "Error")) for base in node.bases):
                    defined.append(node.name)
    return raised, caught, defined


def test_what_checks_raises_is_a_grader_error_or_caught_before_a_front_end():
    raised, caught, defined = raised_and_caught()
    hierarchy = {cls.__name__ for cls in grader_errors()}
    unknown = {name: where for name, where in raised.items() if name not in hierarchy and name not in INTERNAL}
    assert unknown == {}, "raised outside the hierarchy: make it a GraderError in checks/errors.py, or catch it and list it in INTERNAL"
    builtin = {name for name in INTERNAL if hasattr(builtins, name) or name in ("InvalidURL", "ArgumentTypeError", "CollectError")}
    assert sorted(set(defined) - set(INTERNAL)) == []  # a grader's exception class outside errors.py: list it, or move it
    for name in sorted(set(INTERNAL) - builtin - {"CheckFailed"}):  # CheckFailed: pytest catches it, repr_failure shows it
        assert name in caught, f"{name} is raised, and caught nowhere under checks/"
    assert sorted(set(INTERNAL) - set(raised)) == [], "listed in INTERNAL but raised nowhere"


# ---- each front end, the same fault: the same exit code, the same report ---------------------------------

FRONT_ENDS = {  # the faults each front end can meet
    "bad-exercise": ("check", "watch", "run", "run-jobs", "pytest"),
    "unknown-exercise": ("check", "watch", "run", "run-jobs", "pytest"),
    "daemon-down": ("check", "watch", "pytest"),
    "damaged-start": ("check", "watch", "pytest"),
}
EXIT = {"bad-exercise": EXIT_BAD_INPUT, "unknown-exercise": EXIT_BAD_INPUT, "daemon-down": EXIT_DAEMON, "damaged-start": EXIT_BAD_INPUT}
WANTED = {"unknown-exercise": "pull-alpin"}  # the exercise asked for (--exercise, --grader-exercise); else all


@dataclass(frozen=True)
class Made:
    """A fault made real: the exercises folder and the daemon address every front end is given."""

    name: str
    folder: Path
    host: str


@pytest.fixture
def fault(request, tmp_path, monkeypatch, capsys):
    name = request.param
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))  # the start point: this test's own
    folder = tmp_path / "exercises"
    shutil.copytree(EXERCISES, folder)
    host = f"unix://{tmp_path}/none.sock"
    if name == "bad-exercise":
        (folder / "broken.yaml").write_text("id: broken\n")
    elif name == "damaged-start":
        host = request.getfixturevalue("lab").host
        assert cli.main(["start", "--host", host, "--exercises", str(folder), "--lang", "en"]) == 0
        [saved] = [path for path in (tmp_path / "state" / "docker-grader").glob("*.json") if not path.name.endswith(".progress.json")]
        saved.write_text('{"daemon_id": ')  # cut short
    capsys.readouterr()
    return Made(name, folder, host)


def through_cli(command: str, fault: Made, out: Path, capsys) -> tuple[int, dict, Counter]:
    """``check``, ``watch`` or ``run`` given the fault: its exit code, its JSON document and its JUnit's outcomes."""
    where = [str(out / "submission")] if command == "run" else ["--host", fault.host]
    (out / "submission").mkdir(parents=True, exist_ok=True)
    code = cli.main([command, *where, "--exercises", str(fault.folder), *wanted(fault, "--exercise"), "--lang", "en", "--format", "json",
                     "--output", str(out / "report.json"), "--report", f"junit={out / 'report.xml'}"])
    capsys.readouterr()
    return code, json.loads((out / "report.json").read_text()), outcomes(out / "report.xml")


def through_jobs(fault: Made, out: Path, capsys) -> tuple[int, dict, None]:
    """``run --jobs``: the batch's exit code, the summary's for the one run, and that run's JSON document."""
    (out / "class" / "alice").mkdir(parents=True)
    code = cli.main(["run", str(out / "class"), "--jobs", "1", "--exercises", str(fault.folder), *wanted(fault, "--exercise"),
                     "--lang", "en", "--results", str(out / "results")])
    capsys.readouterr()
    [line] = json.loads((out / "results" / "summary.json").read_text())
    assert line["exit_code"] == code and line["status"] == "error"
    return code, json.loads((out / "results" / "alice" / "result.json").read_text()), None


def wanted(fault: Made, option: str) -> list[str]:
    return [option, WANTED[fault.name]] if fault.name in WANTED else []


def through_pytest(fault: Made, out: Path, pytester) -> tuple[int, None, Counter | None]:
    """``pytest --grader``: its exit code, and its JUnit's outcomes when it reached the checks: an
    unknown exercise id ends it before any (pytest.exit), and pytest writes no test case for that."""
    pytester.makeini("[pytest]\n")
    pytester.makeconftest('pytest_plugins = ["checks.pytest_plugin"]')
    result = pytester.runpytest("--grader-exercises", str(fault.folder), *wanted(fault, "--grader-exercise"), "--grader-host", fault.host,
                                "--grader-lang", "en", f"--junitxml={out / 'pytest.xml'}", "-p", "no:cacheprovider")
    if fault.name in WANTED:
        assert "unknown exercise: pull-alpin; closest: pull-alpine" in result.stdout.str()
        return result.ret, None, None
    return result.ret, None, outcomes(out / "pytest.xml")


CASES = [pytest.param(name, front, id=f"{name}-{front}") for name, fronts in FRONT_ENDS.items() for front in fronts]


@pytest.mark.parametrize("fault, front_end", [case.values for case in CASES], ids=[case.id for case in CASES], indirect=["fault"])
def test_each_front_end_turns_the_same_fault_into_the_same_exit_code_and_report(fault, front_end, tmp_path, capsys, pytester, monkeypatch):
    monkeypatch.setenv("PYTHONPATH", str(ROOT))
    code, document, junit = through_cli("check", fault, tmp_path / "check", capsys)  # what `check` says of it
    assert code == EXIT[fault.name]
    assert document["status"] == "error" and document["error"] and document["score"] == 0
    if front_end == "check":
        return
    if front_end == "pytest":
        seen = through_pytest(fault, tmp_path / "pytest", pytester)
    elif front_end == "run-jobs":
        seen = through_jobs(fault, tmp_path / "jobs", capsys)
    else:
        seen = through_cli(front_end, fault, tmp_path / front_end, capsys)
    assert seen[0] == code
    if seen[1] is not None:
        assert seen[1] == document
    if seen[2] is not None:
        assert seen[2] == junit
