"""A Markdown summary for ``$GITHUB_STEP_SUMMARY``: a row per exercise, then each failed check and its hint."""

from __future__ import annotations

from checks.report.rows import Sheet, points

MARK = {"passed": "✅", "failed": "❌", "error": "⚠️"}


def cell(text: str) -> str:
    """Text that stays inside one table cell."""
    return " ".join(text.split()).replace("|", "\\|")


def write(sheet: Sheet, color: bool = False) -> str:
    say = sheet.say
    lines = [f"## {say('report.heading', score=points(sheet.score), max_score=points(sheet.max_score))}", ""]
    if sheet.error is not None:
        lines += [f"> ⚠️ {cell(say('report.error', error=sheet.error))}", ""]
    lines += [f"| | {say('report.col_exercise')} | {say('report.col_points')} | {say('report.col_checks')} |", "|:-:|---|--:|--:|"]
    for section in sheet.sections:
        if not section.rows:
            continue
        score = f"{points(section.score)}/{points(section.max_score)}"
        passed = f"{sum(row.passed for row in section.rows)}/{len(section.rows)}"
        lines.append(f"| {MARK[section.status]} | `{section.id}` {cell(section.title)} | {score} | {passed} |")
    failed = [row for row in sheet.rows if row.status == "failed"]
    if failed:
        lines += ["", f"### {say('report.failed_checks')}", ""]
    elif sheet.status == "passed":
        lines += ["", say("report.all_passed")]
    for row in failed:
        lines.append(f"- **{cell(row.exercise)} › {cell(row.check)}** ({points(row.score)}/{points(row.max_score)}): {cell(row.detail)}")
    return "\n".join(lines).rstrip() + "\n"
