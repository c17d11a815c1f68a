"""What the daemon saw happen: its event stream (GET /events), as values, and the two ways to get it.

dockerd keeps only its last 256 events in memory. So the grader reads them two ways:

- ``run`` owns the lab's daemon: a ``Recorder`` follows the lab's stream from its start to its
  end (one streaming GET on a thread of its own), so no event is lost whatever a submission does,
  and each exercise gets the events between the end of its starting state and the end of its
  commands (``Recorder.window``).
- ``check`` on a student's daemon reads, once, the events since ``docker-grader start`` with one
  bounded GET (``since`` and ``until``, ``until`` in the past: the daemon answers at once and
  closes). When the event ``start`` saw last (its cursor) is no longer among them, some were
  dropped: the record is incomplete and an event check cannot tell (``EventLog.complete``).
"""

from __future__ import annotations

import json
import socket
import threading
from dataclasses import dataclass
from typing import Any, Iterable

from checks.errors import DaemonError, LabError
from checks.messages import msg, register
from checks.snapshot import ShapeError, events_shaped

MESSAGES = {
    "events.recorder": {
        "pt-BR": "não foi possível acompanhar os eventos do laboratório (GET /events em {socket}): {reason}",
        "en": "cannot follow the lab's events (GET /events on {socket}): {reason}",
    },
}
register(MESSAGES)

BUFFER = 256  # events dockerd keeps in memory (daemon/events: eventsLimit)
MAX_RECORDED = 100_000  # events a run keeps; past that its record is incomplete (a flood)
FLUSH_SECONDS = 10.0  # how long a window waits for the stream to deliver its last event


@dataclass(frozen=True)
class Event:
    """One event: ``type`` container, image, network or volume; ``action`` without its detail
    (``exec_start: sh`` is ``exec_start``); ``id`` the object's ID (a pull's is the reference
    pulled); ``name`` and ``image`` its attributes of those names."""

    time: int  # timeNano
    type: str
    action: str
    id: str
    name: str = ""
    image: str = ""
    detail: str = ""  # what follows the action: an exec's command as the daemon recorded it (``exec_create: cat /x``)

    @property
    def key(self) -> tuple:
        return (self.time, self.type, self.action, self.id)

    def shown(self) -> str:
        """``create web``, ``pull alpine:3.14``, ``tag myapp:1``: as a student would recognise it."""
        if self.type == "image":
            subject = self.name if self.action == "tag" else self.id  # a pull's ID is the reference pulled
        else:
            subject = self.name or self.id[:12]
        if subject.startswith("sha256:"):
            subject = subject.removeprefix("sha256:")[:12]
        return f"{self.action} {subject}"


def event_from_api(item: Any) -> Event | None:
    """An event from the Engine API's JSON; None for anything that is not one."""
    if not isinstance(item, dict):
        return None
    actor = item.get("Actor") if isinstance(item.get("Actor"), dict) else {}
    attributes = actor.get("Attributes") if isinstance(actor.get("Attributes"), dict) else {}
    action, _, detail = str(item.get("Action") or item.get("status") or "").partition(":")
    try:
        time = int(item.get("timeNano") or int(item.get("time") or 0) * 10**9)
    except (TypeError, ValueError):
        return None
    return Event(
        time=time,
        type=str(item.get("Type") or ""),
        action=action.strip(),
        detail=detail.strip(),
        id=str(actor.get("ID") or item.get("id") or ""),
        name=str(attributes.get("name") or ""),
        image=str(attributes.get("image") or ""),
    )


@dataclass(frozen=True)
class EventLog:
    """The events of one exercise (``run``) or since ``docker-grader start`` (``check``), oldest first.

    ``complete`` false: some events of that time may be missing, so what did not happen, or how
    many times something did, cannot be told.
    """

    events: tuple[Event, ...]
    complete: bool = True
    origin: str = "run"  # run | start

    @classmethod
    def of(cls, items: Iterable[Any], **kwargs) -> "EventLog":
        return cls(tuple(event for event in map(event_from_api, items) if event is not None), **kwargs)


def ns_param(ns: int) -> str:
    """A time as the events API reads it: seconds.nanoseconds."""
    return f"{ns // 10**9}.{ns % 10**9:09d}"


def read_window(client, since: int, until: int) -> list[dict]:
    """The daemon's buffered events from ``since`` to ``until`` (both included): one GET that
    returns at once, as ``until`` is in the daemon's past. The answer is one JSON object a line."""
    response = client._get("/events", {"since": ns_param(since), "until": ns_param(until)}, stream=True)
    try:
        if response.status >= 400:  # no answer is not "nothing happened"
            raise DaemonError(msg("daemon.bad_answer", endpoint=client.endpoint.host, request="GET /events", reason=response.status))
        body = b""
        while chunk := response.read(64 * 1024):
            body += chunk
            if len(body) > 16 * 1024 * 1024:  # 256 events are far less: a daemon that says more is cut short
                break
    finally:
        response.close()
    items = []
    for line in body.splitlines():
        try:
            items.append(json.loads(line))
        except ValueError:  # the last line of an answer cut short
            continue
    try:
        return events_shaped(items)
    except ShapeError as error:
        raise DaemonError(msg("daemon.bad_shape", endpoint=client.endpoint.host, request="GET /events", where=error.where,
                              expected=msg(f"shape.{error.expected}"))) from None


# Container actions that show an exercise worked on a container: made it, ran it, ran or copied something in it.
WORKED_ON = frozenset({"create", "start", "restart", "exec_create", "exec_start", "extract-to-dir", "attach", "rename", "update"})
COMPOSE_PROGRAMS = (("docker-compose",), ("docker", "compose"))


@dataclass(frozen=True)
class Provenance:
    """Which containers may be an exercise's evidence in ``run``, from the run's whole record of events.

    ``exercise``: the containers made, started or worked on (``WORKED_ON``) from the moment its
    starting state began to be set up until it was graded: a container left by an earlier exercise
    and not touched since is not this exercise's work. ``by_compose``: the containers created while
    a compose command line of the student's ran, or while none of the student's lines ran (the
    grader's starting states and an exercise's own services): ``docker run --label
    com.docker.compose.project=...`` makes no compose project. ``complete`` false: the record has
    gaps, so neither set can be trusted.
    """

    exercise: frozenset[str]
    by_compose: frozenset[str]
    complete: bool = True


def provenance(record: Iterable[Event], lines: Iterable, since: int, until: int, complete: bool = True) -> Provenance:
    """The provenance of an exercise graded at ``until`` whose starting state began at ``since``;
    ``lines`` are every command line the run has run so far (``results.CommandRun``, with their times)."""
    windows = [(run.began, run.ended, _is_compose(run.text)) for run in lines if run.began]
    exercise, by_compose = set(), set()
    for event in record:
        if event.type != "container":
            continue
        if since <= event.time <= until and event.action in WORKED_ON:
            exercise.add(event.id)
        if event.action == "create":
            during = [compose for began, ended, compose in windows if began <= event.time <= ended]
            if all(during):  # no student line, or compose lines only
                by_compose.add(event.id)
    return Provenance(frozenset(exercise), frozenset(by_compose), complete)


def _is_compose(text: str) -> bool:
    argv = text.split()
    return any(tuple(argv[: len(program)]) == program for program in COMPOSE_PROGRAMS)


def _http():
    """http.client, for run's recorder only: `check` does not pay for importing it (and the email package)."""
    import http.client

    return http.client


def record(socket_path: str, since: int) -> "Recorder":
    """A Recorder of a lab's daemon; one that cannot start is a LabError."""
    try:
        return Recorder(socket_path, since)
    except (OSError, _http().HTTPException) as error:
        raise LabError(msg("events.recorder", socket=socket_path, reason=getattr(error, "strerror", None) or error)) from None


class Recorder:
    """Follows a local daemon's event stream (a unix socket) from ``since`` until ``close``."""

    def __init__(self, socket_path: str, since: int, api_version: str = "1.41"):
        self.since = since
        self.events: list[Event] = []
        self._keys: set[tuple] = set()  # of the events: a window's wait asks for one after each event
        self.overflow = False
        self.failed = ""
        self._seen = threading.Condition()
        self._connection = _http().HTTPConnection("docker")
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.connect(socket_path)
        self._connection.sock = sock
        self._connection.request("GET", f"/v{api_version}/events?since={ns_param(since)}", headers={"Host": "docker"})
        self._response = self._connection.getresponse()
        if self._response.status != 200:
            self.close()
            raise OSError(f"GET /events: HTTP {self._response.status}")
        self._thread = threading.Thread(target=self._follow, name="docker-grader-events", daemon=True)
        self._thread.start()

    def _follow(self) -> None:
        try:
            while line := self._response.readline():
                try:
                    event = event_from_api(json.loads(line))
                except ValueError:
                    continue
                with self._seen:
                    if event is None:
                        pass
                    elif len(self.events) < MAX_RECORDED:
                        self.events.append(event)
                        self._keys.add(event.key)
                    else:
                        self.overflow = True
                    self._seen.notify_all()
        except (OSError, ValueError, _http().HTTPException) as error:
            self.failed = str(error) or type(error).__name__
        finally:
            with self._seen:
                self.failed = self.failed or "the event stream ended"
                self._seen.notify_all()

    def wait(self, count: int, timeout: float | None) -> int:
        """How many events the stream has brought, once it has brought more than ``count`` (or
        ``timeout`` seconds passed). A stream that ended raises OSError with why."""
        with self._seen:
            self._seen.wait_for(lambda: self.failed or len(self.events) > count, timeout)
            if self.failed:
                raise OSError(self.failed)
            return len(self.events)

    def window(self, client, start: int, end: int) -> EventLog:
        """The events from ``start`` to ``end``. The stream delivers events a little after the
        daemon logs them, so first one bounded read says which event is the window's last, and
        the recorder waits until the stream has brought it (FLUSH_SECONDS at most)."""
        last = [e for e in map(event_from_api, read_window(client, start, end)) if e is not None][-1:]
        with self._seen:
            if last:
                self._seen.wait_for(lambda: self.failed or last[0].key in self._keys, FLUSH_SECONDS)
            delivered = not last or last[0].key in self._keys
            chosen = tuple(e for e in self.events if start <= e.time <= end)
            return EventLog(chosen, complete=delivered and not self.overflow, origin="run")

    def provenance(self, client, lines: Iterable, since: int, until: int) -> Provenance:
        """Which containers an exercise may take as evidence (``Provenance``), from every event recorded so far."""
        window = self.window(client, since, until)  # waits until the stream has brought the last event
        with self._seen:
            record = list(self.events)
        return provenance(record, lines, since, until, complete=window.complete)

    def close(self) -> None:
        sock = self._connection.sock
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)  # wakes the thread blocked in readline
            except OSError:
                pass
        thread = getattr(self, "_thread", None)
        if thread is not None:
            thread.join(5)
        self._connection.close()

    def __enter__(self) -> "Recorder":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
