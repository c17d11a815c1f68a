"""``docker-grader watch``: the lesson's progress live, graded again after each change on the daemon.

    grade once → follow GET /events (one streaming request) → a burst of relevant events
    → wait until the daemon has been quiet QUIET seconds (MAX_WAIT at most) → grade again → ...

Each grading is the engine's (checks.grading.DaemonGrading): the start point, progress, notes
and "cannot tell" as ``check`` has them, and the passes it sees recorded as ``check`` records
them. So a state that lasts a second between two commands is seen without a ``check``. A burst
of events costs one snapshot, however many events it holds. A health check's ``exec_*`` events
change nothing a check reads, and start no grading.

The stream is followed with ``checks.events.Recorder``, on the daemon's local socket.
"""

from __future__ import annotations

import time
from typing import Callable, Iterable

from checks import events
from checks.daemon import DaemonClient, connect
from checks.errors import DaemonError, UsageError
from checks.grading import DaemonGrading
from checks.messages import Message, msg, register
from checks.model import Exercise
from checks.results import Report

MESSAGES = {
    "watch.started": {
        "pt-BR": "acompanhando o daemon em {endpoint}: cada mudança é corrigida; Ctrl-C termina com o resumo",
        "en": "watching the daemon at {endpoint}: each change is graded; Ctrl-C ends with the summary",
    },
    "watch.passed": {
        "pt-BR": "✔ {id} — {title} ({points} pontos)",
        "en": "✔ {id} — {title} ({points} points)",
    },
    "watch.next": {
        "pt-BR": "→ próximo: {id} — {title}; dica: {hint}",
        "en": "→ next: {id} — {title}; hint: {hint}",
    },
    "watch.all_done": {
        "pt-BR": "todos os exercícios passaram: {score}/{max_score} pontos. Ctrl-C termina",
        "en": "every exercise passed: {score}/{max_score} points. Ctrl-C ends",
    },
    "watch.local_only": {
        "pt-BR": "`watch` acompanha só um daemon local (unix://...), não {endpoint}; use `docker-grader check`",
        "en": "`watch` follows a local daemon only (unix://...), not {endpoint}; use `docker-grader check`",
    },
}
register(MESSAGES)

QUIET = 0.3  # seconds without a relevant event that end a burst
MAX_WAIT = 3.0  # seconds a burst may last before it is graded anyway (a daemon that never goes quiet)
IGNORED_ACTIONS = ("exec_create", "exec_start", "exec_die")  # a health check's, every interval


def relevant(event: events.Event) -> bool:
    """An event that may change a verdict: a container, image, volume or network changed."""
    return event.type in ("container", "image", "volume", "network") and event.action not in IGNORED_ACTIONS


class Watch:
    """Follows one daemon; ``last`` is the latest report, for the summary when the student stops."""

    def __init__(self, exercises: Iterable[Exercise], lang: str, host: str | None = None, context: str | None = None,
                 show: Callable[[Message], None] = lambda message: None):
        self.exercises = list(exercises)
        self.lang = lang
        self.host, self.context = host, context
        self.show = show
        self.last: Report | None = None
        self._shown: tuple = ()

    def grade(self, client: DaemonClient) -> DaemonGrading:
        grading = DaemonGrading(client, self.exercises)
        self.last = grading.report()
        self._tell(self.last, grading.progress.waiting)
        return grading

    def _tell(self, report: Report, waiting: frozenset[str]) -> None:
        """Each exercise as it is reached, and the next one with its hint; only what changed. One
        that passed already at start is not reached yet (checks.progress): removing images, on a
        daemon that has none."""
        reached = [outcome.passed and outcome.exercise.id not in waiting for outcome in report.exercises]
        passed = tuple(outcome.exercise.id for outcome, done in zip(report.exercises, reached) if done)
        following = next((outcome for outcome, done in zip(report.exercises, reached) if not done), None)
        failing = None
        if following is not None:  # its first check not passed (all pass, but it passed at start already: its first)
            failing = next((check for check in following.checks if not check.passed), following.checks[0])
        shown = (passed, following.exercise.id if following else None, failing.check.name if failing else None)
        if shown == self._shown:
            return  # nothing new: a student sees a line only when something changed
        before = set(self._shown[0]) if self._shown else set()
        for outcome in report.exercises:
            if outcome.exercise.id in passed and outcome.exercise.id not in before:
                self.show(msg("watch.passed", id=outcome.exercise.id, title=outcome.exercise.title[self.lang], points=f"{outcome.score:g}"))
        if following is None:
            self.show(msg("watch.all_done", score=f"{report.score:g}", max_score=f"{report.max_score:g}"))
        else:
            hint = failing.check.hint[self.lang] if failing.check.visibility != "hidden" else msg("report.hidden")
            self.show(msg("watch.next", id=following.exercise.id, title=following.exercise.title[self.lang], hint=hint))
        self._shown = shown

    def follow(self) -> None:
        """Grades, then again after each burst, until Ctrl-C (KeyboardInterrupt) or the daemon goes (DaemonError)."""
        with connect(self.host, context=self.context) as client:
            scheme, _, path = client.endpoint.host.partition("://")
            if scheme != "unix":
                raise UsageError(msg("watch.local_only", endpoint=client.endpoint.host))
            grading = self.grade(client)
            try:
                recorder = events.Recorder(path, grading.now, client.api_version)
            except OSError as error:
                raise DaemonError(msg("daemon.lost", endpoint=client.endpoint.host, reason=error.strerror or error)) from None
            self.show(msg("watch.started", endpoint=client.endpoint.host))
            with recorder:
                seen = 0
                try:
                    while True:
                        count = recorder.wait(seen, None)
                        if not any(relevant(event) for event in recorder.events[seen:count]):
                            seen = count
                            continue
                        seen = self._burst(recorder, count)
                        self.grade(client)
                except OSError as error:  # the stream ended: the daemon stopped, or was stopped
                    raise DaemonError(msg("daemon.lost", endpoint=client.endpoint.host, reason=str(error))) from None

    @staticmethod
    def _burst(recorder: events.Recorder, count: int) -> int:
        """Waits for the burst to end: QUIET seconds without an event, MAX_WAIT at most."""
        ends = time.monotonic() + MAX_WAIT
        while (left := ends - time.monotonic()) > 0:
            more = recorder.wait(count, min(QUIET, left))
            if more == count:
                break
            count = more
        return count
