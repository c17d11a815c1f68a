"""The default output, for people: a table of checks per exercise, hints under failures, the
student's commands with how each ended and the end of its output, totals.

When the run stopped, each exercise it did not grade gets one line, and the error says why.

Every text from the sheet goes through ``escape.terminal`` (a line of it stays one line, and an
escape code a command printed is shown, not run); the colours are added around it after.
"""

from __future__ import annotations

from checks.report.escape import terminal
from checks.report.feedback import Detail, command_block
from checks.report.rows import Sheet, points

GREEN, RED, BOLD, DIM, RESET = "\033[32m", "\033[31m", "\033[1m", "\033[2m", "\033[0m"


def write(sheet: Sheet, color: bool = False) -> str:
    def paint(code: str, text: str) -> str:
        shown = terminal(text, keep="\t")
        return f"{code}{shown}{RESET}" if color else shown

    lines: list[str] = []
    for section in sheet.sections:
        if not section.graded:
            score = f"0/{points(section.max_score)}"
            lines.append(paint(DIM, f"{section.id} — {section.title}  [{score}]  {sheet.say('report.not_graded', error=sheet.error or '')}"))
            continue
        score = f"{points(section.score)}/{points(section.max_score)}"
        lines.append(paint(BOLD, f"{section.id} — {section.title}") + f"  [{score}]")
        if section.error:
            lines.append("  " + paint(RED, sheet.say("report.not_graded", error=section.error)))
        width = max(len(row.check) for row in section.rows)
        for row in section.rows:
            mark = paint(GREEN, "✔") if row.passed else ("?" if row.status == "error" else paint(RED, "✘"))  # error: cannot tell
            lines.append(f"  {mark} {terminal(row.check).ljust(width)}  {points(row.score)}/{points(row.max_score)}")
            if not row.passed:
                lines.append("      " + paint(DIM, row.message))
        commands = command_block(sheet, section, Detail(), indent="    ")
        if commands:
            lines += [f"  {sheet.say('report.commands')}:"] + [terminal(line, keep="\t") for line in commands]
        lines.append("")
    if any(not section.graded for section in sheet.sections):
        lines.append("")
    if sheet.error is not None:
        lines.append(paint(RED, sheet.say("report.error", error=sheet.error)))
    lines.append(paint(BOLD, sheet.say("report.total", score=points(sheet.score), max_score=points(sheet.max_score))))
    return "\n".join(lines) + "\n"
