"""Where the grader keeps what it remembers of a student's daemon: the start point
(checks.baseline) and the progress since (checks.progress), a JSON file each per daemon, under
``$XDG_STATE_HOME/docker-grader`` (``~/.local/state`` when XDG_STATE_HOME is unset).

A module of its own so that ``check`` can tell that no start point was ever saved without
importing the start point's code and the events reader it brings (tests/test_imports.py).
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Mapping


def folder(environ: Mapping[str, str] | None = None) -> Path:
    environ = os.environ if environ is None else environ
    state = environ.get("XDG_STATE_HOME") or str(Path(environ.get("HOME") or Path.home()) / ".local" / "state")
    return Path(state) / "docker-grader"


def path_for(daemon_id: str, environ: Mapping[str, str] | None = None) -> Path:
    """A daemon's start point file, named by its identity (checks.baseline.identity)."""
    return folder(environ) / (re.sub(r"[^A-Za-z0-9_.-]", "-", daemon_id).strip(".") + ".json")


def any_start_point(environ: Mapping[str, str] | None = None) -> bool:
    """Whether a start point of any daemon was saved: without one, ``check`` reads none. A progress
    file (``<daemon>.progress.json``, checks.progress) is no start point: it outlives a removed one."""
    return any(not path.name.endswith(".progress.json") for path in folder(environ).glob("*.json"))
