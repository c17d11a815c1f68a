"""docker-grader: grades Docker course exercises by inspecting a real daemon.

The flow: ``exercises.load`` → ``daemon.read_snapshot`` → each check kind's
``evaluate`` → ``Report`` → a writer per format. The CLI and the pytest plugin
are thin front ends over ``grading``.
"""

from checks.daemon import DaemonClient, connect, read_snapshot
from checks.errors import DaemonError, ExerciseError, GraderError, LabError, UsageError
from checks.exercises import Check, Exercise, load
from checks.grading import check, grade, grade_exercise
from checks.results import CheckOutcome, ExerciseOutcome, Report, Result
from checks.snapshot import Snapshot

__all__ = [
    "Check",
    "CheckOutcome",
    "DaemonClient",
    "DaemonError",
    "Exercise",
    "ExerciseError",
    "ExerciseOutcome",
    "GraderError",
    "LabError",
    "Report",
    "Result",
    "Snapshot",
    "UsageError",
    "check",
    "connect",
    "grade",
    "grade_exercise",
    "load",
    "read_snapshot",
]
