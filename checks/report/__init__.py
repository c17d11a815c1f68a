"""Output formats, picked by name from ``WRITERS``.

Every format reads the same model: a ``Sheet`` (``checks.report.rows``), built once from a Report in
the student's language. A format is a module with ``write(sheet, color=False) -> str`` (the
``Writer`` protocol) and one line in ``WRITERS``; CONTRIBUTING.md has the steps. A writer passes
the text a submission controls through the function of ``checks.report.escape`` for where its
document is read; tests/test_report_injection.py reads every format in ``WRITERS`` that way.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol, runtime_checkable

if TYPE_CHECKING:
    from checks.report.rows import Sheet
    from checks.results import Report


@runtime_checkable
class Writer(Protocol):
    """What a format module provides: the whole document for one sheet (``color``: the terminal's)."""

    def write(self, sheet: Sheet, color: bool = False) -> str: ...


@dataclass(frozen=True)
class Format:
    """A format as ``--format`` and ``--report`` pick it: called with a Report, it writes the report's sheet.

    ``writer`` is the module, or its name in this package: imported only when the format is used.
    """

    writer: Writer | str

    def __call__(self, report: Report, lang: str, color: bool = False) -> str:
        from checks.report.rows import Sheet

        writer = importlib.import_module(f"checks.report.{self.writer}") if isinstance(self.writer, str) else self.writer
        return writer.write(Sheet.of(report, lang), color=color)


WRITERS: dict[str, Format] = {
    "text": Format("text"),
    "json": Format("json"),
    "gradescope": Format("gradescope"),
    "classroom": Format("classroom"),
    "trybe": Format("trybe"),
    "markdown": Format("markdown"),
    "junit": Format("junit"),
}
