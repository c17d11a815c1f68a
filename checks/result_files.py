"""Writing a result file (a report, a class's summary, a batch's records) through a temporary file
and a rename. Its own module, below the command line and the batch that both write such files.
"""

from __future__ import annotations

import os
from pathlib import Path

from checks.errors import UsageError
from checks.messages import msg
from checks.report.escape import printed


def write_file(path: Path, text: str) -> None:
    """Writes a regular file through a temporary file and a rename, so a reader never sees half a
    document. A device or pipe (/dev/stdout, /dev/null, a FIFO) is written to as it is, never replaced."""
    import tempfile

    try:
        if path.exists() and not path.is_file():  # /dev/stdout, a pipe: maybe a CI log, so its edge too
            with open(path, "w", encoding="utf-8", errors="backslashreplace") as stream:
                stream.write(printed(text))
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        # A temporary file is private (0600); the result keeps the mode a new file would get, or
        # the file's own, so that a report written with sudo stays readable (a CI step summary).
        mode = path.stat().st_mode & 0o7777 if path.exists() else 0o666 & ~_umask()
        with tempfile.NamedTemporaryFile("w", encoding="utf-8", errors="backslashreplace", dir=path.parent, delete=False, prefix=f".{path.name}.") as tmp:
            try:
                tmp.write(text)
                tmp.flush()
                os.chmod(tmp.name, mode)
                os.replace(tmp.name, path)
            except OSError:
                os.unlink(tmp.name)  # a full disk: the last result stays, and no half of this one beside it
                raise
    except OSError as error:
        raise UsageError(msg("usage.output", path=str(path), reason=error.strerror or error)) from None


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current
