"""The result GitHub Classroom's autograding runners exchange: ``{"version": 1, "status", "max_score", "tests"}``.

The grading reporter totals a result twice: the points sent to Classroom are the sum of the tests'
scores, and the table in the log is passed tests / all tests × max_score. The two agree only when
every test is worth the same, so each check is written as as many tests as it holds units of
points (the greatest common divisor of all the checks' points): a check of 2 points among checks of
1 point is two tests of 1 point, both passed or both failed.

What the reporter prints (src/console-results.js): a test's name and mark; its ``message`` only for
status ``error``; then "Test code:" and ``test_code`` whenever that is not empty. So a failed check's
hint, what was found and, on the exercise's first failed check, its commands and the end of their
output go in ``test_code``; a passed check has none, and prints nothing more than its name.

The reporter prints those texts into the job's log, where the runner reads workflow commands and
terminal escapes: every text of a test goes through ``escape.terminal`` (lines kept) and
``escape.workflow_inert``.

The document travels base64-encoded in a step output, which GitHub limits to 1 MB: it is written at
the most detailed level that fits, and says what it left out.
"""

from __future__ import annotations

import base64
import json
import math
from fractions import Fraction

from checks.report.escape import terminal, workflow_inert
from checks.report.feedback import LEVELS, Detail, command_block, cut_note
from checks.report.rows import Row, Sheet
from checks.results import Report

STATUS = {"passed": "pass", "failed": "fail", "error": "error"}
LIMIT = 1_000_000  # bytes: GitHub's limit for one job output, which carries this document in base64
PLATFORM = "GitHub (job output)"


def unit(values: list[float]) -> Fraction:
    """The largest value that divides every one of ``values`` a whole number of times."""
    fractions = [Fraction(value).limit_denominator(1000) for value in values if value > 0]
    if not fractions:
        return Fraction(1)
    denominator = math.lcm(*(f.denominator for f in fractions))
    return Fraction(math.gcd(*(int(f * denominator) for f in fractions)), denominator)


def number(value: Fraction) -> int | float:
    return int(value) if value.denominator == 1 else float(value)


def document(report: Report, lang: str) -> dict:
    return _fitted(Sheet.of(report, lang))


def _fitted(sheet: Sheet) -> dict:
    """The most detailed document whose step output (``result=`` and base64) stays under GitHub's limit."""
    for level in range(LEVELS):
        document = _document(sheet, Detail(level))
        if len(_compact(document)) * 4 // 3 + 16 <= LIMIT:
            break
    return document


def _compact(document: dict) -> bytes:
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _document(sheet: Sheet, detail: Detail = Detail()) -> dict:
    size = unit([row.max_score for row in sheet.rows])
    tests = []
    sections = sheet.sections or (None,)
    for section in sections:
        rows = section.rows if section is not None else sheet.rows
        shown = False
        for row in rows:
            parts = max(1, int(Fraction(row.max_score).limit_denominator(1000) / size))
            for part in range(1, parts + 1):
                code = ""
                if row.status == "failed" and part == 1:  # the reporter prints test_code, and a message only for errors
                    code = detail.shorten(row.detail)
                    if section is not None and not shown:
                        code = "\n".join([code, *command_block(sheet, section, detail)])
                        shown = True
                tests.append(_test(row, part, parts, size if row.max_score else Fraction(0), code, detail))
    note = cut_note(sheet, detail, PLATFORM, LIMIT)
    if note:
        tests[0]["test_code"] = logged(f"{note}\n{tests[0]['test_code']}".rstrip("\n"))
    return {"version": 1, "status": STATUS[sheet.status], "max_score": sheet.max_score, "tests": tests}


def logged(text: str) -> str:
    """Text as the reporter may print it into the job's log: escapes shown, no workflow command."""
    return workflow_inert(terminal(text, keep="\t\n"))


def _test(row: Row, part: int, parts: int, size: Fraction, code: str, detail: Detail) -> dict:
    return {
        "name": logged(row.label if parts == 1 else f"{row.label} [{part}/{parts}]"),
        "status": STATUS[row.status],
        "score": number(size) if row.passed else 0,
        "message": logged(detail.shorten(row.detail)) if not row.passed or detail.passed_messages else "",
        "test_code": logged(code),
        "filename": row.exercise,
        "line_no": 0,
        "duration": 0,
    }


def write(sheet: Sheet, color: bool = False) -> str:
    return json.dumps(_fitted(sheet), indent=2, ensure_ascii=False) + "\n"


def encoded(report: Report, lang: str) -> str:
    """The result as the reporter reads it from a step output: compact JSON, base64."""
    return base64.b64encode(_compact(document(report, lang))).decode("ascii")
