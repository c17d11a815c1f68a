"""Gradescope's ``results.json``: one test per check, numbered "exercise.check".

A hidden check keeps its name and hint but is ``after_due_date``: Gradescope itself hides it from
students until the due date, while instructors see it at once.
"""

from __future__ import annotations

import json
import math

from checks.report.rows import Sheet, points


def document(sheet: Sheet) -> dict:
    tests = []
    for row in sheet.rows:
        check, message = (row.secret_check, row.secret_message) if row.hidden else (row.check, row.detail)
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
    total = sheet.say("report.total", score=points(sheet.score), max_score=points(sheet.max_score))
    output = sheet.say("report.error", error=sheet.error) + "\n" + total if sheet.error is not None else total
    return {
        "score": sheet.score,
        "execution_time": math.ceil(sheet.seconds),
        "output": output,
        "visibility": "visible",
        "stdout_visibility": "hidden",
        "tests": tests,
    }


def write(sheet: Sheet, color: bool = False) -> str:
    return json.dumps(document(sheet), indent=2, ensure_ascii=False) + "\n"
