"""What a compose project's own file declares, read back for grading in ``run``: each service's ``depends_on``.

docker-compose 1.x writes no ``com.docker.compose.depends_on`` label (compose v2 does), and start
order is no evidence of a dependency (three projects of eight without any ``depends_on`` start
``db`` first too). So in ``run`` the grader reads the files the project was made from, as the
labels ``com.docker.compose.project.config_files`` (paths as typed, relative to the next label)
and ``com.docker.compose.project.working_dir`` name them, in the sandbox's copy of the
submission (``/work``): hostile text, so only regular files inside that copy, at most
``MAX_BYTES``, parsed with the exercise loader's bounded YAML reader. An exercise's own services
(``compose:``), which the grader brings up under ``check`` too, are read from the instructor's
file, and only when the project was made from it.
"""

from __future__ import annotations

import os
import posixpath
from pathlib import Path
from typing import Callable

from checks.errors import ExerciseError

SANDBOX_ROOT = "/work/"  # where the sandbox shows the submission's copy (checks.sandbox)
MAX_BYTES = 1024 * 1024


def depends_on(work: Path, working_dir: str, config_files: str) -> dict[str, set[str]] | None:
    """Each service's dependencies as the project's files declare them (merged, as compose
    merges ``-f a -f b``); None when a file cannot be read or is no compose file."""
    return _declared(working_dir, config_files, lambda path: _services(work, path))


def instructor_depends_on(compose_file: str | Path, working_dir: str, config_files: str) -> dict[str, set[str]] | None:
    """The same, for an exercise's own services (``compose:`` in the exercise, brought up by the
    grader under ``check`` too): only when the project was made from that very file."""
    allowed = os.path.realpath(compose_file)
    return _declared(working_dir, config_files,
                     lambda path: _parsed(allowed) if os.path.realpath(path) == allowed else None)


def _declared(working_dir: str, config_files: str, services_of: Callable[[str], dict | None]) -> dict[str, set[str]] | None:
    declared: dict[str, set[str]] = {}
    paths = [posixpath.join(working_dir, path.strip()) for path in config_files.split(",") if path.strip()]
    if not paths:
        return None
    for path in paths:
        services = services_of(path)
        if services is None:
            return None
        for name, service in services.items():
            wanted = service.get("depends_on") if isinstance(service, dict) else None
            names = wanted if isinstance(wanted, list) else list(wanted) if isinstance(wanted, dict) else []
            declared.setdefault(name, set()).update(str(item) for item in names)
    return declared


def _services(work: Path, path: str) -> dict | None:
    path = posixpath.normpath(path)
    if not path.startswith(SANDBOX_ROOT):
        return None
    root = os.path.realpath(work)
    real = os.path.realpath(os.path.join(root, path[len(SANDBOX_ROOT):]))
    if os.path.commonpath([root, real]) != root:
        return None  # a link out of the copy
    return _parsed(real)


def _parsed(real: str) -> dict | None:
    """The services of a compose file: a regular file of at most MAX_BYTES, bounded YAML."""
    from checks.exercises import parse_yaml  # only when a file is read: importing the loader with services broke pytester runs

    if not os.path.isfile(real):
        return None
    try:
        with open(real, "rb") as opened:
            data = opened.read(MAX_BYTES + 1)
    except OSError:
        return None
    if len(data) > MAX_BYTES:
        return None
    try:
        document, _ = parse_yaml(data.decode("utf-8", errors="replace"), real)
    except ExerciseError:
        return None
    services = document.get("services") if isinstance(document, dict) else None
    if services is None and isinstance(document, dict) and "version" not in document:
        services = document  # the file format of compose 1 (version 1): services at the top
    return services if isinstance(services, dict) else None
