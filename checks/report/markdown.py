"""A Markdown summary for ``$GITHUB_STEP_SUMMARY``: a row per exercise, then each failed check and its hint."""

from __future__ import annotations

from itertools import groupby

from checks.messages import msg
from checks.report.rows import points, rows
from checks.results import Report

MARK = {"passed": "✅", "failed": "❌", "error": "⚠️"}


def cell(text: str) -> str:
    """Text that stays inside one table cell."""
    return " ".join(text.split()).replace("|", "\\|")


def write(report: Report, lang: str, color: bool = False) -> str:
    def say(key: str, **params) -> str:
        return msg(key, **params).render(lang)

    flat = rows(report, lang)
    lines = [f"## {say('report.heading', score=points(report.score), max_score=points(report.max_score))}", ""]
    if report.error:
        lines += [f"> ⚠️ {cell(say('report.error', error=report.error))}", ""]
    lines += [f"| | {say('report.col_exercise')} | {say('report.col_points')} | {say('report.col_checks')} |", "|:-:|---|--:|--:|"]
    for exercise, group in groupby((row for row in flat if row.exercise), key=lambda row: row.exercise):
        group = list(group)
        state = "error" if any(r.status == "error" for r in group) else ("passed" if all(r.passed for r in group) else "failed")
        score = f"{points(sum(r.score for r in group))}/{points(sum(r.max_score for r in group))}"
        passed = f"{sum(r.passed for r in group)}/{len(group)}"
        lines.append(f"| {MARK[state]} | `{exercise}` {cell(group[0].title)} | {score} | {passed} |")
    failed = [row for row in flat if row.status == "failed"]
    if failed:
        lines += ["", f"### {say('report.failed_checks')}", ""]
    elif report.passed:
        lines += ["", say("report.all_passed")]
    for row in failed:
        lines.append(f"- **{cell(row.exercise)} › {cell(row.check)}** ({points(row.score)}/{points(row.max_score)}): {cell(row.message)}")
    return "\n".join(lines).rstrip() + "\n"
