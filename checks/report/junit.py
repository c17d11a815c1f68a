"""JUnit XML that validates against the Jenkins xunit plugin's JUnit schema (junit-10.xsd, vendored
in tests/schemas/ and checked by a test).

A ``testsuite`` per exercise (``file``: its exercise file, ``time``: its commands and grading), a
``testcase`` per check (``time``: its evaluation), a ``failure type="check"`` with the hint for a
failed check, an ``error type="not-graded"`` for one that could not be graded. The schema allows
``properties`` only in a ``testsuite``, so the points are there: ``score`` and ``max_score`` for the
exercise, and ``<exercise-id>::<check>.score`` / ``.max_score`` for each check, as
``pytest exercises --junitxml`` records them too (``record_points``). The student's commands, how each ended and the end
of its output are the suite's ``system-out``.
"""

from __future__ import annotations

import os
import re
from xml.etree import ElementTree as ET

from checks.report.feedback import Detail, command_block
from checks.report.rows import Row, Sheet, points


_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def clean(text: str) -> str:
    """Text XML 1.0 can hold: a character it cannot (an escape code in a command's output) is shown as
    \\xNN. ElementTree escapes the rest (``<``, ``&``, quotes); this is the one function every text goes through."""
    return _NOT_XML.sub(lambda match: f"\\x{ord(match.group()):02x}", text)


def seconds(value: float) -> str:
    return f"{value:.3f}"


def property_name(check: str, field: str) -> str:
    """The name of a check's points property, ``pull-alpine::alpine-pulled.score``: the check as pytest
    names it (``<exercise-id>::<check>``), then the field."""
    return f"{check}.{field}"


def record_points(config, check: str, score: float, max_score: float) -> None:
    """``pytest --junitxml``: a check's points as properties of the suite, under the same names as the
    ``junit`` format's (the JUnit schema allows no properties in a testcase). Nothing without --junitxml."""
    try:
        from _pytest.junitxml import xml_key  # what pytest's own record_testsuite_property fixture uses
    except ImportError:  # pragma: no cover - a pytest without it writes no JUnit properties
        return
    xml = config.stash.get(xml_key, None)
    if xml is not None:
        xml.add_global_property(property_name(check, "score"), points(score))
        xml.add_global_property(property_name(check, "max_score"), points(max_score))


def _counts(element: ET.Element, group: list[Row]) -> None:
    element.set("tests", str(len(group)))
    element.set("failures", str(sum(row.status == "failed" for row in group)))
    element.set("errors", str(sum(row.status == "error" for row in group)))


def _file(path: str) -> str:
    """An exercise file as CI tools show it: relative to the current folder when it is under it."""
    if not path:
        return ""
    try:
        relative = os.path.relpath(path)
    except ValueError:
        return path
    return path if relative.startswith("..") else relative


def _case_name(row: Row) -> str:
    return f"{row.check} {row.number}" if row.hidden else row.check


def write(sheet: Sheet, color: bool = False) -> str:
    root = ET.Element("testsuites", name="docker-grader", time=seconds(sheet.seconds))
    _counts(root, list(sheet.rows))
    sections = [(section.id, section.rows, section) for section in sheet.sections] or [("docker-grader", sheet.rows, None)]
    for name, rows, section in sections:
        suite = ET.SubElement(root, "testsuite", name=name)
        _counts(suite, list(rows))
        suite.set("skipped", "0")
        suite.set("time", seconds(section.seconds if section is not None else sheet.seconds))
        if section is not None and _file(section.path):
            suite.set("file", _file(section.path))
        properties = ET.SubElement(suite, "properties")
        ET.SubElement(properties, "property", name="score", value=points(sum(r.score for r in rows)))
        ET.SubElement(properties, "property", name="max_score", value=points(sum(r.max_score for r in rows)))
        for row in rows:
            check = f"{name}::{_case_name(row)}"
            ET.SubElement(properties, "property", name=property_name(check, "score"), value=points(row.score))
            ET.SubElement(properties, "property", name=property_name(check, "max_score"), value=points(row.max_score))
        for row in rows:
            case = ET.SubElement(suite, "testcase", classname=name, name=_case_name(row), time=seconds(row.seconds))
            if row.status == "failed":
                ET.SubElement(case, "failure", type="check", message=clean(row.message)).text = clean(row.detail)
            elif row.status == "error":
                ET.SubElement(case, "error", type="not-graded", message=clean(row.detail)).text = clean(row.detail)
            else:
                ET.SubElement(case, "system-out").text = clean(row.detail)
        if section is not None:
            block = command_block(sheet, section, Detail())  # why it was not graded is in each testcase
            if block:
                ET.SubElement(suite, "system-out").text = clean("\n".join(block))
    ET.indent(root)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
