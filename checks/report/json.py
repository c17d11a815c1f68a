"""The grader's own JSON: scores per exercise and check, with the message a student reads.

When the run could not finish, the exercises it planned and did not grade are listed too, each check
not passed, 0 points, its message saying why.
"""

from __future__ import annotations

import json

from checks.report.rows import Section, Sheet


def document(sheet: Sheet) -> dict:
    return {
        "status": sheet.status,
        "score": sheet.score,
        "max_score": sheet.max_score,
        "error": sheet.error,
        "exercises": [_exercise(section) for section in sheet.sections],
    }


def _exercise(section: Section) -> dict:
    data = {
        "id": section.id,
        "title": section.title,
        "score": section.score,
        "max_score": section.max_score,
        "passed_at": section.passed_at or None,  # passed earlier since `docker-grader start`; null: graded now
        "checks": [
            {"name": row.check, "passed": row.passed, "score": row.score, "max_score": row.max_score, "message": row.message}
            for row in section.rows
        ],
    }
    if section.error:
        data["error"] = section.error
    if section.commands:
        data["commands"] = [
            {
                "line": run.line,
                "command": run.text,
                "exit_code": run.exit_code,
                "timed_out": run.timed_out,
                "refused": run.refused,
                "output": run.output,
            }
            for run in section.commands
        ]
    return data


def write(sheet: Sheet, color: bool = False) -> str:
    return json.dumps(document(sheet), indent=2, ensure_ascii=False) + "\n"
