"""The grader's own JSON: scores per exercise and check, with the message a student reads."""

from __future__ import annotations

import json

from checks.report.rows import message, name, status
from checks.results import ExerciseOutcome, Report


def document(report: Report, lang: str) -> dict:
    return {
        "status": status(report),
        "score": report.score,
        "max_score": report.max_score,
        "error": report.error.render(lang) if report.error else None,
        "exercises": [_exercise(outcome, lang) for outcome in report.exercises],
    }


def _exercise(outcome: ExerciseOutcome, lang: str) -> dict:
    data = {
        "id": outcome.exercise.id,
        "title": outcome.exercise.title[lang],
        "score": outcome.score,
        "max_score": outcome.max_score,
        "checks": [
            {
                "name": name(check, lang),
                "passed": check.passed,
                "score": check.score,
                "max_score": check.max_score,
                "message": message(check, lang),
            }
            for check in outcome.checks
        ],
    }
    if outcome.error:
        data["error"] = outcome.error.render(lang)
    if outcome.commands:
        data["commands"] = [
            {
                "line": run.line,
                "command": run.text,
                "exit_code": run.exit_code,
                "timed_out": run.timed_out,
                "refused": run.refused.render(lang) if run.refused else None,
                "output": run.output,
            }
            for run in outcome.commands
        ]
    return data


def write(report: Report, lang: str, color: bool = False) -> str:
    return json.dumps(document(report, lang), indent=2, ensure_ascii=False) + "\n"
