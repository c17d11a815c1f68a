"""The default output, for people: a table of checks per exercise, hints under failures, totals."""

from __future__ import annotations

from checks.messages import msg
from checks.report.rows import message, name, points
from checks.results import Report

GREEN, RED, BOLD, DIM, RESET = "\033[32m", "\033[31m", "\033[1m", "\033[2m", "\033[0m"


def write(report: Report, lang: str, color: bool = False) -> str:
    def paint(code: str, text: str) -> str:
        return f"{code}{text}{RESET}" if color else text

    lines: list[str] = []
    for outcome in report.exercises:
        exercise = outcome.exercise
        score = f"{points(outcome.score)}/{points(outcome.max_score)}"
        lines.append(paint(BOLD, f"{exercise.id} — {exercise.title[lang]}") + f"  [{score}]")
        if outcome.error:
            lines.append("  " + paint(RED, msg("report.not_graded", error=outcome.error).render(lang)))
        width = max(len(name(check, lang)) for check in outcome.checks)
        for check in outcome.checks:
            mark = paint(GREEN, "✔") if check.passed else paint(RED, "✘")
            row = f"  {mark} {name(check, lang).ljust(width)}  {points(check.score)}/{points(check.max_score)}"
            lines.append(row)
            if not check.passed:
                lines.append("      " + paint(DIM, message(check, lang)))
        lines.append("")
    if report.error:
        lines.append(paint(RED, msg("report.error", error=report.error).render(lang)))
    total = msg("report.total", score=points(report.score), max_score=points(report.max_score)).render(lang)
    lines.append(paint(BOLD, total))
    return "\n".join(lines) + "\n"
