"""Trybe-style evaluation: one evaluation per exercise, grade 3 when all its checks passed, else 1.

The descriptions are the exercise titles, the same ones ``docker-grader requirements`` writes to
``.trybe/requirements.json``, which is how the evaluation service pairs the two; both must be
written in the same language. The student and repository come from GitHub Actions' environment.
"""

from __future__ import annotations

import json
import os
from typing import Mapping

from checks.model import Exercise
from checks.report.rows import Sheet
from checks.results import Report

CORRECT, WRONG = 3, 1


def description(exercise_id: str, title: str) -> str:
    return f"{exercise_id} — {title}" if exercise_id else title


def document(report: Report, lang: str, environ: Mapping[str, str] | None = None) -> dict:
    return _document(Sheet.of(report, lang), environ)


def _document(sheet: Sheet, environ: Mapping[str, str] | None = None) -> dict:
    environ = os.environ if environ is None else environ
    passed: dict[str, bool] = {}
    titles: dict[str, str] = {}
    for row in sheet.rows:
        passed[row.exercise] = passed.get(row.exercise, True) and row.passed
        titles[row.exercise] = row.title or row.detail
    return {
        "github_username": environ.get("GITHUB_ACTOR") or "no_actor",
        "github_repository_name": environ.get("GITHUB_REPOSITORY") or "no_repository",
        "evaluations": [
            {"description": description(exercise, titles[exercise]), "grade": CORRECT if ok else WRONG}
            for exercise, ok in passed.items()
        ],
    }


def requirements(exercises: list[Exercise], lang: str) -> dict:
    """``.trybe/requirements.json``: the exercises, in lesson order, as the evaluations name them."""
    return {
        "requirements": [
            {
                "description": description(exercise.id, exercise.title[lang]),
                "identifier": exercise.id,
                "bonus": False,
                "enabled": True,
                "order": order,
            }
            for order, exercise in enumerate(exercises, 1)
        ]
    }


def write(sheet: Sheet, color: bool = False) -> str:
    return json.dumps(_document(sheet), indent=2, ensure_ascii=False) + "\n"
