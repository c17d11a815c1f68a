"""Exercise files fuzzed with hypothesis: whatever an instructor's file holds, `docker-grader validate`
answers with exit 0 or exit 2 and a located fault (FILE:LINE: $.path: reason), never a traceback."""

from __future__ import annotations

import ast
import copy
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from checks import cli
from checks import exercises as exercise_files
from checks.messages import msg

from conftest import EXERCISES, ROOT

FAULT = re.compile(r'^(?P<file>.+?):(?P<line>\d+): \$(?:\.[A-Za-z_][\w-]*|\[\d+\]|\["(?:[^"\\]|\\.)*"\])*: \S.*$', re.ASCII)
# CI replays the same examples on every run (derandomize), so a landing never hinges on luck; runs
# elsewhere draw new ones each time and keep what failed in .hypothesis/ to replay it first.
settings.register_profile("ci", derandomize=True, database=None)
if os.environ.get("CI"):
    settings.load_profile("ci")
SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
VALID = yaml.safe_load((EXERCISES / "two-containers-one-image.yaml").read_text())
KEYS = ["id", "lesson", "order", "title", "description", "checks", "start", "images", "name", "kind", "image",
        "points", "hint", "select", "count", "min", "max", "match", "state", "pulled", "visibility", "pt-BR", "en"]

scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30) | st.sampled_from(KEYS)
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.sampled_from(KEYS) | st.text(max_size=10), inner, max_size=5),
    max_leaves=30,
)


def validate(files: dict[str, bytes], lang: str = "en") -> tuple[int, list[str]]:
    """Writes the files in a fresh folder, runs `docker-grader validate` on it, checks that every
    fault line is located in one of those files, and removes the folder."""
    folder = Path(tempfile.mkdtemp(prefix="dg-fuzz-"))
    try:
        for name, data in files.items():
            (folder / name).write_bytes(data)
        err, out = io.StringIO(), io.StringIO()
        with redirect_stderr(err), redirect_stdout(out):
            code = cli.main(["validate", str(folder), "--lang", lang])
        lines = err.getvalue().splitlines()
        assert_located(code, lines, folder)
        return code, lines
    finally:
        shutil.rmtree(folder)


def assert_located(code: int, lines: list[str], folder: Path) -> None:
    assert code in (0, 2), (code, lines)
    if code == 0:
        assert lines == []
        return
    assert lines, "exit 2 without a word"
    for line in lines:
        match = FAULT.match(line)
        assert match, line
        assert Path(match["file"]).parent == folder and int(match["line"]) >= 1, line


def dump(document, as_json: bool) -> bytes:
    text = json.dumps(document, ensure_ascii=False) if as_json else yaml.safe_dump(document, allow_unicode=True)
    return text.encode()


@SETTINGS
@given(document=values, as_json=st.booleans(), lang=st.sampled_from(["pt-BR", "en"]))
def test_any_document(document, as_json, lang):
    validate({"fuzz.yaml": dump(document, as_json)}, lang)


@SETTINGS
@given(data=st.data(), as_json=st.booleans())
def test_a_valid_exercise_with_random_changes(data, as_json):
    """Wrong types, unknown keys and missing keys, anywhere in a real exercise."""
    document = copy.deepcopy(VALID)
    for _ in range(data.draw(st.integers(1, 4))):
        node, key = document, None
        while True:  # walk down to a random place: a key of ``node``, or ``node`` itself when empty
            keys = list(node) if isinstance(node, dict) else list(range(len(node)))
            key = data.draw(st.sampled_from(keys)) if keys else None
            child = node[key] if keys else None
            if isinstance(child, (dict, list)) and child and data.draw(st.booleans()):
                node = child
                continue
            break
        action = data.draw(st.sampled_from(["replace", "delete", "add"]))
        if isinstance(node, dict) and action == "add":
            node[data.draw(st.sampled_from(KEYS) | st.text(min_size=1, max_size=8))] = data.draw(values)
        elif key is not None and action == "delete" and isinstance(node, dict):
            del node[key]
        elif key is not None:
            node[key] = data.draw(values)
    validate({"fuzz.yaml": dump(document, as_json)})


@SETTINGS
@given(text=st.text(max_size=300))
def test_any_text(text):
    validate({"fuzz.yaml": text.encode("utf-8", "surrogatepass")})


@SETTINGS
@given(data=st.binary(max_size=300))
def test_any_bytes(data):
    validate({"fuzz.yaml": data})


@settings(max_examples=25, deadline=None)
@given(depth=st.integers(10, 200_000), flow=st.booleans())
def test_deep_nesting(depth, flow):
    text = "[" * depth + "]" * depth if flow else "".join(f"{' ' * i}- \n" for i in range(min(depth, 5000)))
    validate({"deep.yaml": text.encode()})


@settings(max_examples=10, deadline=None)
@given(size=st.integers(900_000, 3_000_000), where=st.sampled_from(["id", "hint", "key"]))
def test_huge_strings(size, where):
    document = copy.deepcopy(VALID)
    huge = "x" * size
    if where == "id":
        document["id"] = huge
    elif where == "hint":
        document["checks"][0]["hint"]["en"] = huge
    else:
        document[huge] = 1
    data = dump(document, False)
    code, lines = validate({"huge.yaml": data})
    assert code == 2 and len(lines) == 1
    if len(data) > exercise_files.MAX_BYTES:  # refused by its size, before YAML reads a byte of it
        too_large = msg("exercise.too_large", size=len(data), limit=exercise_files.MAX_BYTES).render("en")
        assert lines[0].endswith(f"huge.yaml:1: $: {too_large}"), lines[0][:300]
    else:  # read, and refused by the schema's maximum lengths
        assert "too long" in lines[0] or "unknown key" in lines[0], lines[0][:300]


def test_ci_replays_the_same_examples():
    """With CI set (.ci/run sets CI=true), the fuzz tests are derandomized and keep no database; elsewhere not."""
    probe = (
        "import test_fuzz as t; from hypothesis import settings as s; "
        "print([(s.default.derandomize, s.default.database is None), (t.SETTINGS.derandomize, t.SETTINGS.database is None)])"
    )
    for ci, derandomized in (("true", True), (None, False)):
        environ = {key: value for key, value in os.environ.items() if key != "CI"}
        environ |= {"PYTHONPATH": f"{ROOT / 'tests'}{os.pathsep}{ROOT}"} | ({"CI": ci} if ci else {})
        done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=environ, cwd=ROOT / "tests", timeout=120)
        assert done.returncode == 0, done.stderr
        for derandomize, no_database in ast.literal_eval(done.stdout):
            assert derandomize is derandomized and no_database is derandomized, ci


@settings(max_examples=20, deadline=None)
@given(copies=st.integers(2, 4), lang=st.sampled_from(["pt-BR", "en"]))
def test_duplicate_ids(copies, lang):
    files = {f"copy-{i}.yaml": dump(VALID, i % 2 == 0) for i in range(copies)}
    code, lines = validate(files, lang)
    assert code == 2 and len(lines) == copies - 1
    assert all(VALID["id"] in line for line in lines)
