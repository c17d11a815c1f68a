"""The grader's own JSON: scores per exercise and check, with the message a student reads."""

from __future__ import annotations

import json

from checks.messages import msg
from checks.results import CheckOutcome, ExerciseOutcome, Report


def name(outcome: CheckOutcome, lang: str) -> str:
    """A check's name as students see it: hidden checks show no name."""
    return msg("report.hidden").render(lang) if outcome.check.visibility == "hidden" else outcome.check.name


def message(outcome: CheckOutcome, lang: str) -> str:
    """What a student reads for a check: for a failure, the hint and then what was found."""
    if outcome.check.visibility == "hidden":
        return msg("report.hidden").render(lang)
    found = msg("report.found", found=outcome.result.found).render(lang)
    if outcome.passed:
        return found
    return f"{outcome.check.hint[lang]} ({found})"


def document(report: Report, lang: str) -> dict:
    return {
        "status": "error" if report.error else ("passed" if report.passed else "failed"),
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
