"""The flat rows every report writer shows, from hand-built reports: exact values, no daemon."""

from __future__ import annotations

import checks.kinds.image  # noqa: F401 - registers image.missing, which SEEN says
from checks.model import Check, Exercise
from checks.messages import msg
from checks.report import rows
from checks.report.rows import Row, Sheet
from checks.results import CheckOutcome, ExerciseOutcome, Report, Result

HINT = {"pt-BR": "Rode `docker pull alpine:3.14`.", "en": "Run `docker pull alpine:3.14`."}
SEEN = msg("image.missing", ref="alpine:3.14")


def check(name: str, points: float = 1, visibility: str = "visible") -> Check:
    return Check(name, "image", {"image": "alpine:3.14"}, points, HINT, visibility)


def exercise(id_: str, *checks: Check) -> Exercise:
    return Exercise(id_, "lesson", 1, {"pt-BR": f"Título {id_}", "en": f"Title {id_}"}, {"pt-BR": "d", "en": "d"}, checks)


def outcome(ex: Exercise, *passed: bool, error=None) -> ExerciseOutcome:
    return ExerciseOutcome(ex, tuple(CheckOutcome(c, Result(p, SEEN)) for c, p in zip(ex.checks, passed)), error=error)


def sheet_rows(report: Report, lang: str) -> list[Row]:
    """The flat rows every format reads, as the Sheet gives them."""
    return list(Sheet.of(report, lang).rows)


PULL = exercise("pull", check("pulled", 2), check("secret", 1, "hidden"))
RUN = exercise("run", check("ran", 0.5))


def test_rows_of_a_graded_run_in_order():
    report = Report((outcome(PULL, True, False), outcome(RUN, False)))
    assert sheet_rows(report, "en") == [
        Row("1.1", "pull", "Title pull", "pulled", "passed", 2, 2, "found: image alpine:3.14 is not present"),
        Row("1.2", "pull", "Title pull", "hidden check", "failed", 0, 1, "hidden check", hidden=True, secret_check="secret",
            secret_message="Run `docker pull alpine:3.14`. (found: image alpine:3.14 is not present)"),
        Row("2.1", "run", "Title run", "ran", "failed", 0, 0.5, "Run `docker pull alpine:3.14`. (found: image alpine:3.14 is not present)",
            hint="Run `docker pull alpine:3.14`."),  # the course's own text, which Markdown keeps as it is
    ]


def test_rows_in_portuguese():
    (first, second) = sheet_rows(Report((outcome(PULL, False, True),)), "pt-BR")
    assert first.title == "Título pull"
    assert first.message == "Rode `docker pull alpine:3.14`. (encontrado: a imagem alpine:3.14 não está presente)"
    assert second.check == "verificação oculta" and second.message == "verificação oculta"
    assert second.secret_message == "encontrado: a imagem alpine:3.14 não está presente"


def test_a_visible_row_has_no_secrets():
    (row,) = sheet_rows(Report((outcome(RUN, True),)), "en")
    assert (row.hidden, row.secret_check, row.secret_message) == (False, "", "")
    assert row.passed and row.label == "1.1 run: ran"


def test_an_exercise_not_graded_notes_why_on_its_failed_visible_checks():
    why = msg("submission.timeout", line=2, seconds=60)
    report = Report((outcome(PULL, False, False, error=why),))
    first, second = sheet_rows(report, "en")
    note = " — not graded: line 2 ran past the 60 s limit and was stopped"
    assert first.detail == "Run `docker pull alpine:3.14`. (found: image alpine:3.14 is not present)" + note
    assert second.message == "hidden check" and note not in second.secret_message
    passed = sheet_rows(Report((outcome(PULL, True, True, error=why),)), "en")
    assert [row.detail for row in passed] == ["found: image alpine:3.14 is not present", "hidden check"]


def test_planned_exercises_that_were_not_graded_are_error_rows():
    error = msg("daemon.lost", endpoint="unix:///x.sock", reason="gone")
    report = Report((outcome(PULL, True, True),), error=error, planned=(PULL, RUN))
    assert sheet_rows(report, "en")[2] == Row(
        "2.1", "run", "Title run", "ran", "error", 0, 0.5,
        "not graded: the Docker daemon at unix:///x.sock stopped answering during grading (gone)",
    )


def test_a_planned_hidden_check_not_graded_keeps_its_secret_name():
    report = Report((), error=msg("none"), planned=(PULL,))
    hidden = sheet_rows(report, "en")[1]
    assert hidden == Row("1.2", "pull", "Title pull", "hidden check", "error", 0, 1, "not graded: none",
                         hidden=True, secret_check="secret", secret_message="not graded: none")


def test_a_planned_exercise_without_an_error_says_none():
    report = Report((), planned=(RUN,))
    assert [row.message for row in sheet_rows(report, "en")] == ["not graded: none"]
    assert [row.number for row in sheet_rows(Report((), planned=(PULL,)), "en")] == ["1.1", "1.2"]


def test_graded_exercises_not_planned_come_after_the_planned_ones():
    report = Report((outcome(RUN, True), outcome(PULL, True, True)), planned=(PULL,))
    assert [(row.number, row.exercise) for row in sheet_rows(report, "en")] == [("1.1", "pull"), ("1.2", "pull"), ("2.1", "run")]


def test_a_run_that_knew_no_exercise_is_one_error_row():
    report = Report((), error=msg("daemon.lost", endpoint="unix:///x.sock", reason="gone"))
    assert sheet_rows(report, "en") == [
        Row("0", "", "", "docker-grader", "error", 0, 0, "ERROR: the Docker daemon at unix:///x.sock stopped answering during grading (gone)"),
    ]
    assert sheet_rows(report, "en")[0].label == "docker-grader"
    assert sheet_rows(Report(()), "en") == []


def test_status_of_a_run():
    assert Sheet.of(Report((outcome(RUN, True),)), "en").status == "passed"
    assert Sheet.of(Report((outcome(RUN, False),)), "en").status == "failed"
    assert Sheet.of(Report((outcome(RUN, True),), error=msg("none")), "en").status == "error"


def test_name_and_message_of_one_check():
    hidden = CheckOutcome(check("secret", visibility="hidden"), Result(False, SEEN))
    visible = CheckOutcome(check("pulled"), Result(False, SEEN))
    names = [row.check for row in sheet_rows(Report((ExerciseOutcome(PULL, (hidden, visible)),)), "en")]
    assert names == ["hidden check", "pulled"]
    assert rows.message(hidden, "en") == "hidden check"
    assert rows.message(hidden, "en", reveal=True) == "Run `docker pull alpine:3.14`. (found: image alpine:3.14 is not present)"
    assert rows.message(visible, "pt-BR") == "Rode `docker pull alpine:3.14`. (encontrado: a imagem alpine:3.14 não está presente)"


def test_a_sections_commands_as_the_student_ran_them():
    from checks.report.rows import Command
    from checks.results import CommandRun

    runs = (CommandRun(1, "docker run hello-world", 0, "Hello from Docker!\n"),
            CommandRun(3, "docker ps -a", None, "", timed_out=True),
            CommandRun(4, "rm -rf /", refused=msg("policy.program", program="rm")))
    report = Report((ExerciseOutcome(RUN, (CheckOutcome(RUN.checks[0], Result(True, SEEN)),), commands=runs),))
    (section,) = Sheet.of(report, "en").sections
    assert section.commands == (
        Command(1, "docker run hello-world", 0, False, None, "Hello from Docker!\n"),
        Command(3, "docker ps -a", None, True, None, ""),
        Command(4, "rm -rf /", None, False, "'rm' is not docker: only `docker ...` and `docker-compose ...` commands are run", ""),
    )
    assert (section.number, section.graded, section.error) == (1, True, "")


def test_sections_are_numbered_in_run_order_graded_or_not():
    why = msg("submission.timeout", line=2, seconds=60)
    report = Report((outcome(PULL, False, False, error=why),), error=msg("none"), planned=(PULL, RUN))
    graded, planned = Sheet.of(report, "en").sections
    assert (graded.number, graded.graded, planned.number, planned.graded) == (1, True, 2, False)
    assert graded.error == "line 2 ran past the 60 s limit and was stopped"
    hidden = graded.rows[1]
    assert hidden.hidden and hidden.note == "" and graded.rows[0].note.startswith("not graded: ")
