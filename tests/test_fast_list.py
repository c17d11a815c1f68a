"""tests/fast.txt is the one list of fast tests, and it is complete.

`pytest -m fast`, `bash scripts/test.sh --fast` and mutmut's selection (setup.cfg) all read it; the
docs point at it. A test file left out of it is one that needs a daemon (the session's lab, a lab of
its own through `run`) or is slow or needs tools, which NOT_FAST names with the reason.
"""

from __future__ import annotations

import ast
import configparser
import re

from conftest import ROOT, fast_list

TESTS = ROOT / "tests"

# Test files that need no daemon yet are not fast tests: each with why.
NOT_FAST = {
    "tests/test_bench.py": "runs bench/compare.py, which starts a small daemon of its own",
    "tests/test_editor_schema.py": "needs node and yaml-language-server from scripts/setup.sh",
    "tests/test_templates.py": "needs actionlint and shellcheck from scripts/setup.sh",
    "tests/test_fuzz.py": "hypothesis: about 20 seconds",
    "tests/test_full_disk.py": "mounts a small tmpfs to fill: needs root",
}

# What marks a test file as one that reaches a daemon: the session's lab as a fixture, the lab
# package itself, or grading a submission with `run`, which starts a lab.
DAEMON_FIXTURES = {"lab", "daemon"}
RUNS_A_SUBMISSION = re.compile(r"""runner\.run\(|cli\.main\(\[\s*["']run["']""")
STARTS_A_LAB = re.compile(r"runner\.run\(")  # `cli.main(["run", ...])` may stop at a bad option first


def needs_a_daemon(path) -> bool:
    text = path.read_text()
    tree = ast.parse(text)
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            if DAEMON_FIXTURES & {arg.arg for arg in node.args.args}:
                return True
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("checks.lab"):
            return True
        elif isinstance(node, ast.Import) and any(alias.name.startswith("checks.lab") for alias in node.names):
            return True
    return bool(RUNS_A_SUBMISSION.search(text))


def test_every_listed_file_and_test_exists():
    listed, left_out = fast_list()
    for entry in listed + left_out:
        file, _, test = entry.partition("::")
        assert (ROOT / file).is_file(), entry
        if test:
            assert re.search(rf"^def {re.escape(test)}\(", (ROOT / file).read_text(), re.M), entry
    assert all(entry.partition("::")[0] in listed for entry in left_out)  # left out of a listed file


def test_every_pure_test_file_is_a_fast_test():
    """A pure test file left out of the list would leave the mutants it kills alive."""
    listed, _ = fast_list()
    pure = {f"tests/{path.name}" for path in TESTS.glob("test_*_pure.py")}
    assert sorted(pure - set(listed)) == []


def test_every_test_file_that_needs_no_daemon_is_a_fast_test_or_says_why_not():
    listed, _ = fast_list()
    files = {f"tests/{path.name}": path for path in TESTS.glob("test_*.py")}
    unlisted = {name for name, path in files.items()
                if name not in listed and name not in NOT_FAST and not needs_a_daemon(path)}
    assert sorted(unlisted) == []
    assert sorted(name for name in listed if name in NOT_FAST) == []
    assert sorted(set(NOT_FAST) - set(files)) == []


def daemon_fixtures(tree: ast.Module, text: str) -> set[str]:
    """The session's lab fixtures, and the file's own fixtures that run a submission or take them."""
    names = set(DAEMON_FIXTURES)
    fixtures = [node for node in tree.body if isinstance(node, ast.FunctionDef)
                and any("fixture" in ast.unparse(decorator) for decorator in node.decorator_list)]
    for node in fixtures * 2:  # twice: a fixture may take one defined below it
        if STARTS_A_LAB.search(ast.get_source_segment(text, node)) or names & {arg.arg for arg in node.args.args}:
            names.add(node.name)
    return names


def test_every_fast_test_file_needs_no_daemon():
    """A listed file whose tests take the lab, or a fixture that runs a submission, or run one
    themselves, leaves those tests out one by one."""
    listed, left_out = fast_list()
    for name in (entry for entry in listed if "::" not in entry):
        text = (ROOT / name).read_text()
        tree = ast.parse(text)
        daemon = daemon_fixtures(tree, text)
        for node in tree.body:
            if isinstance(node, ast.FunctionDef) and node.name.startswith("test_"):
                needs = daemon & {arg.arg for arg in node.args.args} or STARTS_A_LAB.search(ast.get_source_segment(text, node))
                assert not needs or f"{name}::{node.name}" in left_out, f"{name}::{node.name}"


def test_mutmut_runs_the_fast_list_but_the_tests_that_read_the_source():
    """mutmut rewrites the source with every mutant side by side: tests that read the code as text
    (the message keys, the import graph) would fail on every mutant; so would the tests that run the
    grader in a process of its own from another folder, where the mutated code finds no setup.cfg
    (and mutmut credits such a process with no kill). Only they are left out."""
    config = configparser.ConfigParser()
    config.read(ROOT / "setup.cfg")
    selection = config["mutmut"]["pytest_add_cli_args_test_selection"].split()
    assert selection[:3] == ["tests", "-m", "fast"]
    assert selection[3:] == ["--ignore=tests/test_messages.py", "--ignore=tests/test_structure.py",
                             "--ignore=tests/test_fast_list.py", "--ignore=tests/test_check_cost.py",
                             "--ignore=tests/test_exercise_cache.py"]


def test_the_docs_point_at_the_list_and_do_not_copy_it():
    listed, _ = fast_list()
    for doc in ("docs/testing.md", "CONTRIBUTING.md", "README.md"):
        text = (ROOT / doc).read_text()
        assert "tests/fast.txt" in text or doc == "README.md", doc
        copied = [name for name in listed if "::" not in name and re.search(rf"pytest [^\n`]*{re.escape(name)}", text)]
        assert copied == [], doc
    assert "--fast" in (ROOT / "scripts" / "test.sh").read_text()
