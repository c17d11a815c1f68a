"""The result GitHub Classroom's autograding runners exchange: ``{"version": 1, "status", "max_score", "tests"}``.

The grading reporter totals a result twice: the points sent to Classroom are the sum of the tests'
scores, and the table in the log is passed tests / all tests × max_score. The two agree only when
every test is worth the same, so each check is written as as many tests as it holds units of
points (the greatest common divisor of all the checks' points): a check of 2 points among checks of
1 point is two tests of 1 point, both passed or both failed.
"""

from __future__ import annotations

import base64
import json
import math
from fractions import Fraction

from checks.report.rows import Row, Sheet
from checks.results import Report

STATUS = {"passed": "pass", "failed": "fail", "error": "error"}


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
    return _document(Sheet.of(report, lang))


def _document(sheet: Sheet) -> dict:
    flat = sheet.rows
    size = unit([row.max_score for row in flat])
    tests = []
    for row in flat:
        parts = max(1, int(Fraction(row.max_score).limit_denominator(1000) / size))
        for part in range(1, parts + 1):
            tests.append(_test(row, part, parts, size if row.max_score else Fraction(0)))
    return {"version": 1, "status": STATUS[sheet.status], "max_score": sheet.max_score, "tests": tests}


def _test(row: Row, part: int, parts: int, size: Fraction) -> dict:
    return {
        "name": row.label if parts == 1 else f"{row.label} [{part}/{parts}]",
        "status": STATUS[row.status],
        "score": number(size) if row.passed else 0,
        "message": row.detail,
        "test_code": row.number,
        "filename": row.exercise,
        "line_no": 0,
        "duration": 0,
    }


def write(sheet: Sheet, color: bool = False) -> str:
    return json.dumps(_document(sheet), indent=2, ensure_ascii=False) + "\n"


def encoded(report: Report, lang: str) -> str:
    """The result as the reporter reads it from a step output: compact JSON, base64."""
    compact = json.dumps(document(report, lang), ensure_ascii=False, separators=(",", ":"))
    return base64.b64encode(compact.encode("utf-8")).decode("ascii")
