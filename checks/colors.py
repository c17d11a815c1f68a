"""Whether to colour terminal output: the conventions of no-color.org and force-color.org, and TERM=dumb.

In order, as CPython 3.13 decides it for its own tracebacks: ``NO_COLOR`` set and not empty turns
colour off; else ``FORCE_COLOR`` set and not empty turns it on, even into a file or a pipe; else
``TERM=dumb`` turns it off; else colour goes only to a terminal.
"""

from __future__ import annotations

import os
from typing import Mapping, TextIO


def wanted(stream: TextIO, environ: Mapping[str, str] | None = None) -> bool:
    environ = os.environ if environ is None else environ
    if environ.get("NO_COLOR"):
        return False
    if environ.get("FORCE_COLOR"):
        return True
    if environ.get("TERM") == "dumb":
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())
