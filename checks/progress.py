"""A student's progress through a lesson since ``docker-grader start``, per daemon.

A lesson undoes its own steps on purpose (the images lesson removes, at the end, the containers
and images its first exercises made), so grading every exercise on the daemon as it is now fails
the first ones by the last step. So once a ``check`` (or ``watch``) has seen an exercise pass, it
stays passed, with the time it passed: a later ``check`` shows it so and grades only the others on
the daemon as it is now. ``start`` again begins afresh.

An exercise whose end state was already there at ``start`` (removing images, on a daemon that has
none) is graded now as any other, but is not remembered until a grading has seen it fail once
since: doing nothing earns nothing for later.

The record is a JSON file beside the start point's (``checks.baseline``), named like it by the
daemon's identity: ``<daemon>.progress.json``. It is the grader's own file; nothing is written to
the daemon. ``check`` is a self-check: a teacher grades with ``run``, which replays the
student's commands in a fresh lab and keeps no progress.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Mapping

from checks import state_folder
from checks.errors import UsageError
from checks.messages import msg, register
from checks.model import Exercise
from checks.results import CheckOutcome, ExerciseOutcome, Result

MESSAGES = {
    "progress.passed_at": {
        "pt-BR": "passou antes, às {time} (desde `docker-grader start` fica valendo)",
        "en": "passed earlier, at {time} (since `docker-grader start` it stays passed)",
    },
    "progress.unreadable": {
        "pt-BR": "o arquivo de progresso {path} está ilegível ({reason}); rode `docker-grader start` de novo",
        "en": "the progress file {path} is unreadable ({reason}); run `docker-grader start` again",
    },
}
register(MESSAGES)


@dataclass(frozen=True)
class Progress:
    passed: Mapping[str, int] = field(default_factory=dict)  # exercise id → daemon time (ns) a grading saw it pass
    waiting: frozenset[str] = frozenset()  # passing at start: remembered only once seen failing since

    def updated(self, outcomes: Iterable[ExerciseOutcome], now: int) -> "Progress":
        """With what a grading at daemon time ``now`` saw: the passes it adds, the waits it ends."""
        passed, waiting = dict(self.passed), set(self.waiting)
        for outcome in outcomes:
            if outcome.passed_at is not None:
                continue  # shown from the record, not graded now
            if not outcome.passed:
                waiting.discard(outcome.exercise.id)
            elif outcome.exercise.id not in waiting:
                passed.setdefault(outcome.exercise.id, now)
        return Progress(passed, frozenset(waiting))


def shown_time(ns: int) -> str:
    from datetime import datetime  # only to show an earlier pass: a check without a start point never does

    return datetime.fromtimestamp(ns / 10**9).astimezone().strftime("%H:%M:%S")


def earlier(exercise: Exercise, at: int) -> ExerciseOutcome:
    """An exercise a grading since start saw pass: every check passed, with that time."""
    found = msg("progress.passed_at", time=shown_time(at))
    return ExerciseOutcome(exercise, tuple(CheckOutcome(check, Result(True, found)) for check in exercise.checks), passed_at=at)


def path_for(daemon_id: str, environ: Mapping[str, str] | None = None) -> Path:
    start = state_folder.path_for(daemon_id, environ)
    return start.with_name(start.name.removesuffix(".json") + ".progress.json")


def load(daemon_id: str, environ: Mapping[str, str] | None = None) -> Progress:
    """The daemon's progress; none yet is an empty one. A damaged file is a UsageError."""
    path = path_for(daemon_id, environ)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return Progress({str(k): int(v) for k, v in data["passed"].items()}, frozenset(map(str, data["waiting"])))
    except FileNotFoundError:
        return Progress()
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as error:
        reason = getattr(error, "strerror", None) or type(error).__name__
        raise UsageError(msg("progress.unreadable", path=str(path), reason=reason)) from None


def save(daemon_id: str, progress: Progress, environ: Mapping[str, str] | None = None) -> Path:
    """Written through a temporary file and a rename: a reader (another ``check``, a ``watch``) never sees half."""
    path = path_for(daemon_id, environ)
    document = {"passed": dict(sorted(progress.passed.items())), "waiting": sorted(progress.waiting)}
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        temporary.write_text(json.dumps(document, indent=1) + "\n", encoding="utf-8")
        os.replace(temporary, path)
    except OSError as error:
        raise UsageError(msg("usage.output", path=str(path), reason=error.strerror or error)) from None
    return path


def record(daemon_id: str, outcomes: Iterable[ExerciseOutcome], now: int, environ: Mapping[str, str] | None = None) -> Progress:
    """Adds a grading's passes to the file as it is now (another process may have added some since it was read)."""
    progress = load(daemon_id, environ).updated(outcomes, now)
    save(daemon_id, progress, environ)
    return progress
