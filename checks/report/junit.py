"""JUnit XML: a testsuite per exercise, a testcase per check, its points as properties.

The same ``score`` and ``max_score`` properties that ``pytest exercises --junitxml`` records.
"""

from __future__ import annotations

from itertools import groupby
from xml.etree import ElementTree as ET

from checks.report.rows import Row, Sheet, points


def _properties(parent: ET.Element, score: float, max_score: float) -> None:
    properties = ET.SubElement(parent, "properties")
    ET.SubElement(properties, "property", name="score", value=points(score))
    ET.SubElement(properties, "property", name="max_score", value=points(max_score))


def _counts(element: ET.Element, group: list[Row]) -> None:
    element.set("tests", str(len(group)))
    element.set("failures", str(sum(row.status == "failed" for row in group)))
    element.set("errors", str(sum(row.status == "error" for row in group)))
    element.set("skipped", "0")


def write(sheet: Sheet, color: bool = False) -> str:
    flat = sheet.rows
    root = ET.Element("testsuites", name="docker-grader", time=f"{sheet.seconds:.3f}")
    _counts(root, flat)
    for exercise, group in groupby(flat, key=lambda row: row.exercise):
        group = list(group)
        suite = ET.SubElement(root, "testsuite", name=exercise or "docker-grader", time="0")
        _counts(suite, group)
        _properties(suite, sum(r.score for r in group), sum(r.max_score for r in group))
        for row in group:
            name = f"{row.check} {row.number}" if row.hidden else row.check
            case = ET.SubElement(suite, "testcase", classname=exercise or "docker-grader", name=name, time="0")
            _properties(case, row.score, row.max_score)
            if row.status != "passed":
                ET.SubElement(case, "failure" if row.status == "failed" else "error", message=row.detail).text = row.detail
            else:
                ET.SubElement(case, "system-out").text = row.detail
    ET.indent(root)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
