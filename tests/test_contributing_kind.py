"""CONTRIBUTING.md's "Adding a check kind", followed literally: a kind that needs a new daemon read.

In a copy of the package (and of the exercises, the samples and the test helpers), each code block
of that section goes to the file its fence names (```python PATH```: a new file; ``above NAME``:
inserted above the table ``NAME``; ``in NAME``: into it). Then ``schema --write`` runs in the
copy, the files that changed are counted, and the new kind's own tests run in the copy, on this
session's daemon, with the structure tests that grade every sample check.
"""

from __future__ import annotations

import filecmp
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from conftest import ROOT

FENCE = re.compile(r"^( *)```(\w+) (\S+)(?: (above|in) (\w+))?\n(.*?)^\1```", re.M | re.S)
COPIED = ("checks", "exercises", "tests/data/valid")  # what a contributor's change is counted in
HELPERS = ("tests/conftest.py", "tests/apijson.py", "tests/test_structure.py", "tests/import_graph.py", "tests/fast.txt")  # what the copy's tests import

# The copy's tests use this session's lab rather than starting one more (appended to its conftest).
ATTACHED = '''

class _Attached:
    host = os.environ["DGT_LAB_HOST"]

    def environment(self):
        return json.loads(os.environ["DGT_LAB_ENV"])


@pytest.fixture(scope="session")
def lab():
    """The lab of the session that runs tests/test_contributing_kind.py."""
    return _Attached()
'''


def blocks() -> list[tuple[str, str | None, str | None, str]]:
    """(path, placement, table, text) of each code block of the section that names a file."""
    section = (ROOT / "CONTRIBUTING.md").read_text().split("\n## Adding a check kind\n", 1)[1].split("\n## ", 1)[0]
    found = []
    for indent, _language, path, placement, table, body in FENCE.findall(section):
        text = "".join(line[len(indent):] for line in body.splitlines(keepends=True))
        found.append((path, placement or None, table or None, text))
    return found


def apply(root: Path, path: str, placement: str | None, table: str | None, text: str) -> None:
    target = root / path
    if placement is None:
        assert not target.exists(), path
        target.write_text(text)
        return
    lines = target.read_text().splitlines(keepends=True)
    (at,) = [index for index, line in enumerate(lines) if re.match(rf"{table}\b.*=", line)]
    if placement == "in":
        assert lines[at].rstrip().endswith(("{", "(")), lines[at]
        lines[at + 1:at + 1] = [text]
    else:
        while at > 0 and lines[at - 1].startswith("#"):  # above the table's comment too
            at -= 1
        lines[at:at] = [text + ("\n\n" if text.lstrip().startswith("def ") else "")]
    target.write_text("".join(lines))


def changed(original: Path, copy: Path) -> set[str]:
    """The files of COPIED that differ between the two trees, or are in one only."""
    found = set()
    for folder in COPIED:
        for path in sorted((copy / folder).rglob("*")) + sorted((original / folder).rglob("*")):
            relative = path.relative_to(copy if path.is_relative_to(copy) else original)
            if "__pycache__" in relative.parts or path.is_dir():
                continue
            a, b = original / relative, copy / relative
            if not (a.exists() and b.exists() and filecmp.cmp(a, b, shallow=False)):
                found.add(str(relative))
    return found


def test_a_kind_that_needs_a_new_read_as_contributing_says(tmp_path, daemon):
    copy = tmp_path / "repo"
    for folder in COPIED:
        shutil.copytree(ROOT / folder, copy / folder, ignore=shutil.ignore_patterns("__pycache__"))
    for helper in HELPERS:
        shutil.copy(ROOT / helper, copy / helper)
    steps = blocks()
    assert [(path, placement, table) for path, placement, table, _ in steps] == [
        ("checks/kinds/processes.py", None, None),
        ("checks/kinds/__init__.py", "in", "BUILT_IN_NAMES"),
        ("tests/data/valid/processes.yaml", None, None),
        ("tests/test_kind_processes.py", None, None),
    ]
    for step in steps:
        apply(copy, *step)
    env = {**os.environ, "PYTHONPATH": str(copy), "DGT_LAB_HOST": daemon.lab.host, "DGT_LAB_ENV": json.dumps(daemon.lab.environment())}
    written = subprocess.run([sys.executable, "-m", "checks", "schema", "--write"], cwd=copy, env=env, capture_output=True, text=True, timeout=120)
    assert written.returncode == 0, written.stderr

    # The kind's file (with its read's provider), the registry, the sample exercise; the schema is generated.
    assert changed(ROOT, copy) == {"checks/kinds/processes.py", "checks/kinds/__init__.py",
                                   "tests/data/valid/processes.yaml", "checks/exercise.schema.json"}
    assert '"const": "processes"' in (copy / "checks" / "exercise.schema.json").read_text()

    (copy / "tests" / "conftest.py").write_text((copy / "tests" / "conftest.py").read_text() + "\nimport json, os\n" + ATTACHED)
    tests = ["tests/test_kind_processes.py", "tests/test_structure.py::test_every_kind_asks_the_snapshot_only_for_the_reads_it_declares",
             "tests/test_structure.py::test_the_import_graph_has_no_cycle_function_level_imports_included"]
    ran = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-rA", *tests],
                         cwd=copy, env=env, capture_output=True, text=True, timeout=600)
    assert ran.returncode == 0, ran.stdout[-3000:] + ran.stderr[-2000:]
    assert "4 passed" in ran.stdout, ran.stdout[-3000:]
    assert f"PASSED {tests[0]}::test_processes_on_the_daemon" in ran.stdout
    imported = subprocess.run([sys.executable, "-c", "import checks.kinds.processes as m; print(m.__file__)"], cwd=tmp_path,
                              env=env, capture_output=True, text=True, timeout=60)
    assert imported.stdout.strip() == str(copy / "checks" / "kinds" / "processes.py")  # the copy, not the worktree
