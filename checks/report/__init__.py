"""Output formats, picked by name from ``WRITERS``.

Every format reads the same model: a ``Sheet`` (``checks.report.rows``), built once from a Report in
the student's language. A format is a module with ``write(sheet, color=False) -> str`` (the
``Writer`` protocol) and one line in ``WRITERS``; CONTRIBUTING.md has the steps.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from checks.report import classroom, gradescope, json, junit, markdown, text, trybe
from checks.report.rows import Sheet
from checks.results import Report


@runtime_checkable
class Writer(Protocol):
    """What a format module provides: the whole document for one sheet (``color``: the terminal's)."""

    def write(self, sheet: Sheet, color: bool = False) -> str: ...


@dataclass(frozen=True)
class Format:
    """A format as ``--format`` and ``--report`` pick it: called with a Report, it writes the report's sheet."""

    writer: Writer

    def __call__(self, report: Report, lang: str, color: bool = False) -> str:
        return self.writer.write(Sheet.of(report, lang), color=color)


WRITERS: dict[str, Format] = {
    "text": Format(text),
    "json": Format(json),
    "gradescope": Format(gradescope),
    "classroom": Format(classroom),
    "trybe": Format(trybe),
    "markdown": Format(markdown),
    "junit": Format(junit),
}
