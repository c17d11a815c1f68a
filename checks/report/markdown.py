"""A Markdown summary for ``$GITHUB_STEP_SUMMARY``: a row per exercise, each failed check and its
hint, why an exercise was not graded (once), then each exercise's commands with how they ended and
the end of their output.

GitHub takes at most 1 MiB of summary per step: a longer one is not shown at all. So the summary is
written at the most detailed level that fits (``feedback.fit``) and says what it left out.

A browser renders this document: every text from the sheet goes through ``escape.markdown`` (after
it is shortened) but a failed check's hint, the course's own Markdown (``escape.markdown_after``);
the commands go through ``escape.markdown_block`` inside a fence longer than any backtick run in
them. So no image, link or HTML tag a submission writes can render.
"""

from __future__ import annotations

from checks.report.escape import fence, markdown_after, markdown_block
from checks.report.escape import markdown as cell
from checks.report.feedback import Detail, command_block, cut_note, fit
from checks.report.rows import Sheet, points

MARK = {"passed": "✅", "failed": "❌", "error": "⚠️"}
LIMIT = 1024 * 1024  # bytes: GitHub's limit for one step's summary
PLATFORM = "GitHub (step summary)"


def write(sheet: Sheet, color: bool = False) -> str:
    return fit(lambda detail: _write(sheet, detail), LIMIT)


def _write(sheet: Sheet, detail: Detail) -> str:
    say = sheet.say
    lines = [f"## {say('report.heading', score=points(sheet.score), max_score=points(sheet.max_score))}", ""]
    note = cut_note(sheet, detail, PLATFORM, LIMIT)
    if note:
        lines += [f"> ✂️ {note}", ""]  # the grader's own words and numbers
    if sheet.error is not None:
        lines += [f"> ⚠️ {cell(detail.shorten(say('report.error', error=sheet.error)))}", ""]
    lines += [f"| | {say('report.col_exercise')} | {say('report.col_points')} | {say('report.col_checks')} |", "|:-:|---|--:|--:|"]
    for section in sheet.sections:
        if not section.rows:
            continue
        score = f"{points(section.score)}/{points(section.max_score)}"
        passed = f"{sum(row.passed for row in section.rows)}/{len(section.rows)}"
        lines.append(f"| {MARK[section.status]} | `{section.id}` {cell(detail.shorten(section.title))} | {score} | {passed} |")
    failed = [row for row in sheet.rows if row.status == "failed"]
    if failed:
        lines += ["", f"### {say('report.failed_checks')}", ""]
    elif sheet.status == "passed":
        lines += ["", say("report.all_passed")]
    for section in sheet.sections:
        rows = [row for row in section.rows if row.status == "failed"]
        if section.error and rows:  # why none of its commands counted: once per exercise
            lines.append(f"- ⚠️ `{section.id}`: {cell(say('report.not_graded', error=detail.shorten(section.error)))}")
        for row in rows:
            lines.append(f"- **{row.exercise} › {row.check}** ({points(row.score)}/{points(row.max_score)}): {markdown_after(row.hint, detail.shorten(row.message))}")
    blocks = [(section, command_block(sheet, section, detail)) for section in sheet.sections]
    if any(block for _, block in blocks):
        lines += ["", f"### {say('report.commands')}", ""]
    for section, block in blocks:
        if not block:
            continue
        text = markdown_block("\n".join(block))
        marker = fence(text)
        opened = " open" if section.status != "passed" else ""
        lines += [f"<details{opened}><summary>{MARK[section.status]} <code>{section.id}</code></summary>", "", f"{marker}text", text, marker, "", "</details>", ""]
    return "\n".join(lines).rstrip() + "\n"
