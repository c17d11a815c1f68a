"""Report rows, found by mutation testing: what each row and section carries that the other row tests
left unasserted (a check's seconds, an exercise's file and when it passed earlier, an exercise's own
error said once, the hint kept only for a failed visible row). Hand-built reports, no daemon."""

from __future__ import annotations

import time
from dataclasses import replace

import checks.kinds.image  # noqa: F401 - registers image.missing, which SEEN says
from checks.messages import msg
from checks.report.rows import Sheet
from checks.results import CheckOutcome, ExerciseOutcome, Report, Result

from test_rows_pure import HINT, PULL, RUN, SEEN, check, exercise

MISSING = msg("submission.missing")  # an exercise's own error, as a refused or missing file gives it


def test_a_checks_seconds_reach_its_row():
    outcomes = (CheckOutcome(PULL.checks[0], Result(True, SEEN), 0.25), CheckOutcome(PULL.checks[1], Result(False, SEEN), 1.5))
    sheet = Sheet.of(Report((ExerciseOutcome(PULL, outcomes),)), "en")
    assert [row.seconds for row in sheet.rows] == [0.25, 1.5]


def test_an_exercises_own_error_found_by_a_check_is_said_once():
    # Every check of an exercise whose file was missing failed with that error: the hint alone, and
    # the error in the note; a hidden check's secret message alike.
    failed = ExerciseOutcome(PULL, tuple(CheckOutcome(c, Result(False, MISSING)) for c in PULL.checks), error=MISSING)
    first, second = Sheet.of(Report((failed,)), "en").rows
    assert first.message == HINT["en"]
    assert first.hint == HINT["en"]
    assert first.note == "not graded: " + MISSING.render("en")
    assert second.message == "hidden check" and second.secret_message == HINT["en"]
    other = ExerciseOutcome(PULL, tuple(CheckOutcome(c, Result(False, SEEN)) for c in PULL.checks), error=MISSING)
    first, second = Sheet.of(Report((other,)), "en").rows
    assert first.message == f"{HINT['en']} (found: image alpine:3.14 is not present)"
    assert second.secret_message == f"{HINT['en']} (found: image alpine:3.14 is not present)"


def test_only_a_failed_visible_row_keeps_its_hint():
    # A hint that is also how what was found begins: a passed row still has no hint of its own.
    echo = check("echo", 1)
    echo = replace(echo, hint={"pt-BR": "encontrado", "en": "found"})
    ex = exercise("echo", echo)
    (passed,) = Sheet.of(Report((ExerciseOutcome(ex, (CheckOutcome(echo, Result(True, SEEN)),)),)), "en").rows
    assert passed.message.startswith("found") and passed.hint == ""
    (unknown,) = Sheet.of(Report((ExerciseOutcome(ex, (CheckOutcome(echo, Result(False, SEEN, unknown=True)),)),)), "en").rows
    assert unknown.status == "error" and unknown.message.startswith("found") and unknown.hint == ""
    (failed,) = Sheet.of(Report((ExerciseOutcome(ex, (CheckOutcome(echo, Result(False, SEEN)),)),)), "en").rows
    assert failed.hint == "found"


def test_a_section_keeps_its_file_graded_or_not():
    pull, run = replace(PULL, path="lessons/images/pull.yaml"), replace(RUN, path="lessons/containers/run.yaml")
    graded, planned = Sheet.of(Report((ExerciseOutcome(pull, ()),), error=MISSING, planned=(pull, run)), "en").sections
    assert (graded.path, graded.graded, graded.passed_at) == ("lessons/images/pull.yaml", True, "")
    assert (planned.path, planned.graded, planned.passed_at) == ("lessons/containers/run.yaml", False, "")


def test_when_an_earlier_grading_saw_it_pass_in_local_time_to_the_second(monkeypatch):
    monkeypatch.setenv("TZ", "America/Sao_Paulo")
    time.tzset()
    try:
        earlier = ExerciseOutcome(RUN, (), passed_at=1_700_000_000_987_654_321)
        (section,) = Sheet.of(Report((earlier,)), "en").sections
        assert section.passed_at == "2023-11-14T19:13:20-03:00"
        (now,) = Sheet.of(Report((ExerciseOutcome(RUN, (), passed_at=None),)), "en").sections
        assert now.passed_at == ""
    finally:
        monkeypatch.undo()
        time.tzset()
