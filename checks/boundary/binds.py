"""Binds of the submission's own files: `-v ./site:/usr/share/nginx/html`, compose's `./app:/app`.

The docker CLI and compose send such a source as an absolute path of the sandbox (`/work/site`,
the CLI's cwd being the copy of the submission, checks.sandbox). The boundary allows it only when
it names something inside that copy, and hands dockerd the copy's real path on the host instead.
Every other path stays refused.

Resolving is done on the host side, component by component from the copy's root: no `.`, `..`
or empty component, no component that is a symbolic link (a container or `docker cp` can plant
one), and the real path must still lie under the copy's real root. What does not exist yet is
allowed (dockerd creates a missing source folder, as on any Docker host), inside the copy.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path

MODES = {"ro", "rw", "private", "rprivate", "consistent", "cached", "delegated"}  # `-v SRC:DST:MODE`, comma-separated


@dataclass(frozen=True)
class SubmissionCopy:
    """The copy of the submission a run's commands see: ``inside`` is its path in the sandbox, ``root`` on the host."""

    root: Path
    inside: str = "/work"

    def resolve(self, source: str) -> str | None:
        """The host path for a bind source of the sandbox, or None when it is not inside the copy."""
        if not isinstance(source, str) or "\0" in source or not source.startswith("/"):
            return None
        if source != self.inside and not source.startswith(self.inside + "/"):
            return None
        parts = source[len(self.inside):].split("/")[1:]
        if source.endswith("/"):
            parts = parts[:-1]  # `-v /work/site/:/x`: the folder itself
        if any(part in ("", ".", "..") for part in parts):
            return None
        try:
            root = os.path.realpath(self.root, strict=True)
        except OSError:
            return None
        path = root
        for part in parts:
            path = os.path.join(path, part)
            try:
                mode = os.lstat(path).st_mode
            except FileNotFoundError:
                break  # from here on, dockerd creates folders: no link can be on the way yet
            except OSError:
                return None
            if stat.S_ISLNK(mode):
                return None
        full = os.path.join(root, *parts)
        real = os.path.realpath(full)
        if real != root and not real.startswith(root + "/"):
            return None
        return full


def split_bind(entry: str) -> tuple[str, str, str]:
    """`SRC:DST[:MODE]` as (source, target, mode); a volume's or anonymous entry has a source without `/`."""
    source, _, rest = entry.partition(":")
    target, _, mode = rest.partition(":")
    return source, target, mode


def modes_allowed(mode: str) -> bool:
    return all(option in MODES for option in mode.split(",") if option)
