"""Gradescope's ``results.json``: one test per check, numbered "exercise.check".

Outputs are Markdown (``output_format: md``), escaped as the step summary's are: a failed check's
hint stays the course's Markdown (its `code` shows as code), the rest of a message goes through
``escape.markdown`` after it is shortened, commands through ``escape.markdown_block`` in a long
enough fence; so nothing a submission writes renders as a link, an image or HTML. The first test of
each exercise that students can see also shows the exercise's commands, how each ended and the end
of its output, in a code block.

A hidden check keeps its name and hint but is ``after_due_date``: Gradescope itself hides it from
students until the due date, while instructors see it at once.

Gradescope documents no size limit for results.json; the document is kept under 1 MB as GitHub's
outputs are (``feedback.fit``), and says what it left out.
"""

from __future__ import annotations

import json
import math

from checks.report.escape import fence, markdown, markdown_after, markdown_block
from checks.report.feedback import Detail, command_block, cut_note, fit
from checks.report.rows import Section, Sheet, points

LIMIT = 1_000_000  # bytes
PLATFORM = "Gradescope"


def _commands(sheet: Sheet, section: Section, detail: Detail) -> str:
    block = command_block(sheet, section, detail)
    if not block:
        return ""
    text = markdown_block("\n".join(block))
    marker = fence(text)
    return f"\n\n**{sheet.say('report.commands')}**\n\n{marker}text\n{text}\n{marker}"


def document(sheet: Sheet, detail: Detail = Detail()) -> dict:
    tests = []
    for section in sheet.sections:
        shown = False
        for row in section.rows:
            check, message = (row.secret_check, row.secret_message) if row.hidden else (row.check, row.detail)
            if row.passed and not detail.passed_messages:
                message = ""
            output = markdown_after(row.hint, detail.shorten(message))  # no hint kept for a hidden row
            if not row.hidden and not shown:
                output += _commands(sheet, section, detail)
                shown = True
            tests.append(
                {
                    "name": f"{row.exercise}: {check}",
                    "number": row.number,
                    "score": row.score,
                    "max_score": row.max_score,
                    "status": "passed" if row.passed else "failed",
                    "output": output,
                    "output_format": "md",
                    "tags": [row.exercise],
                    "visibility": "after_due_date" if row.hidden else "visible",
                }
            )
    if not tests:  # no exercise known: the run's error as the one test
        row = sheet.rows[0]
        tests.append({"name": row.check, "number": row.number, "score": 0, "max_score": 0, "status": "failed",
                      "output": markdown(row.detail), "output_format": "md", "tags": [], "visibility": "visible"})
    total = sheet.say("report.total", score=points(sheet.score), max_score=points(sheet.max_score))
    output = markdown(sheet.say("report.error", error=sheet.error)) + "\n\n" + total if sheet.error is not None else total
    note = cut_note(sheet, detail, PLATFORM, LIMIT)  # the grader's own words and numbers
    return {
        "score": sheet.score,
        "execution_time": math.ceil(sheet.seconds),
        "output": f"{note}\n\n{output}" if note else output,
        "output_format": "md",
        "visibility": "visible",
        "stdout_visibility": "hidden",
        "tests": tests,
    }


def write(sheet: Sheet, color: bool = False) -> str:
    return fit(lambda detail: json.dumps(document(sheet, detail), indent=2, ensure_ascii=False) + "\n", LIMIT)
