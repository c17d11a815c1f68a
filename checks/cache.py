"""Work kept on disk between runs, keyed by what it was made from: built image layers, validated exercise files.

An entry is one file named by its key, written to a temporary file beside it and renamed, so a
reader (another run at the same time) sees a whole entry or none. A cache that cannot be read or
written only costs the work again. The folder is DOCKER_GRADER_CACHE, else
/var/cache/docker-grader for root, else $XDG_CACHE_HOME/docker-grader (~/.cache/docker-grader).
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path


def directory() -> Path:
    if os.environ.get("DOCKER_GRADER_CACHE"):
        return Path(os.environ["DOCKER_GRADER_CACHE"])
    if os.geteuid() == 0:
        return Path("/var/cache/docker-grader")
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "docker-grader"


def read(section: str, key: str) -> bytes | None:
    try:
        return (directory() / section / key).read_bytes()
    except OSError:
        return None


def write(section: str, key: str, data: bytes) -> None:
    import tempfile  # only on a miss: a run that reads its entries does not pay for it

    folder = directory() / section
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        with tempfile.NamedTemporaryFile(dir=folder, prefix=f".{key}.", delete=False) as tmp:
            tmp.write(data)
    except OSError:
        return
    try:
        os.replace(tmp.name, folder / key)
    except OSError:
        with contextlib.suppress(OSError):
            os.unlink(tmp.name)
