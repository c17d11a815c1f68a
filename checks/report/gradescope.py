"""Gradescope's ``results.json``: one test per check, numbered "exercise.check".

A hidden check keeps its name and hint but is ``after_due_date``: Gradescope itself hides it from
students until the due date, while instructors see it at once.
"""

from __future__ import annotations

import json
import math

from checks.messages import msg
from checks.report.rows import points, rows
from checks.results import Report


def document(report: Report, lang: str) -> dict:
    tests = []
    for row in rows(report, lang):
        check, message = (row.secret_check, row.secret_message) if row.hidden else (row.check, row.message)
        name = f"{row.exercise}: {check}" if row.exercise else check
        tests.append(
            {
                "name": name,
                "number": row.number,
                "score": row.score,
                "max_score": row.max_score,
                "status": "passed" if row.passed else "failed",
                "output": message,
                "tags": [row.exercise] if row.exercise else [],
                "visibility": "after_due_date" if row.hidden else "visible",
            }
        )
    total = msg("report.total", score=points(report.score), max_score=points(report.max_score)).render(lang)
    output = msg("report.error", error=report.error).render(lang) + "\n" + total if report.error else total
    return {
        "score": report.score,
        "execution_time": math.ceil(report.seconds),
        "output": output,
        "visibility": "visible",
        "stdout_visibility": "hidden",
        "tests": tests,
    }


def write(report: Report, lang: str, color: bool = False) -> str:
    return json.dumps(document(report, lang), indent=2, ensure_ascii=False) + "\n"
