"""``docker-grader start``: what a student's daemon held when the lesson began, so that ``check``
grades only what came since.

A baseline holds the IDs of the containers and images present, the daemon's time (``SystemTime``
of GET /info) and its event cursor: the last event it had buffered then. It is a JSON file at
``$XDG_STATE_HOME/docker-grader/<daemon>.json`` (``~/.local/state`` when XDG_STATE_HOME is
unset), named by what identifies the daemon in GET /info (``identity``): the same daemon reached
by another address finds it, and another daemon does not, even one that shares its ID.

With a baseline, ``check``:

- hides the containers that were there at start from every check: container IDs are never
  reused, so a student's older containers change no count. Images stay: an image is content,
  and a student who already had alpine:3.14 has the very image the lesson pulls; image checks
  name references, and what was done to them since start is what event checks tell.
- reads the events since start with one bounded GET (``checks.events.read_window``). When the
  cursor event is no longer among them, dockerd dropped some (it keeps 256): the record is
  incomplete, and event checks are unknown, never passed.

Without any baseline file, ``check`` sends no request more than before.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import asdict, dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Mapping

from checks.daemon import DaemonClient, read_snapshot
from checks.errors import DaemonError, UsageError
from checks.events import BUFFER, EventLog, event_from_api, read_window
from checks.kinds import KINDS
from checks.messages import msg, register
from checks.snapshot import Snapshot
from checks.state_folder import any_start_point, path_for  # noqa: F401 - callers name path_for from here

MESSAGES = {
    "baseline.saved": {
        "pt-BR": "início registrado para o daemon {daemon} em {time}: {containers} container(s) e {images} imagem(ns) "
        "já existentes não contam; agora faça os exercícios e rode `docker-grader check` ({path})",
        "en": "start recorded for daemon {daemon} at {time}: {containers} container(s) and {images} image(s) already "
        "there do not count; now do the exercises and run `docker-grader check` ({path})",
    },
    "baseline.used": {
        "pt-BR": "corrigindo o que mudou desde `docker-grader start` em {time} ({containers} container(s) anteriores ignorados)",
        "en": "grading what changed since `docker-grader start` at {time} ({containers} earlier container(s) ignored)",
    },
    "baseline.none": {
        "pt-BR": "sem `docker-grader start` para este daemon: o estado é corrigido como está, e o que o Docker viu "
        "acontecer não pode ser conferido; rode `docker-grader start` antes de começar a lição",
        "en": "no `docker-grader start` for this daemon: the state is graded as it is, and what the daemon saw happen "
        "cannot be checked; run `docker-grader start` before the lesson",
    },
    "baseline.unreadable": {
        "pt-BR": "o arquivo de início {path} está ilegível ({reason}); rode `docker-grader start` de novo",
        "en": "the start file {path} is unreadable ({reason}); run `docker-grader start` again",
    },
    "baseline.no_time": {
        "pt-BR": "o daemon em {endpoint} não informou sua hora (SystemTime em GET /info): {value!r}",
        "en": "the daemon at {endpoint} did not give its time (SystemTime of GET /info): {value!r}",
    },
}
register(MESSAGES)

_TIME = re.compile(r"^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?(Z|[+-]\d\d:\d\d)$")


@dataclass(frozen=True)
class Baseline:
    daemon_id: str
    host: str
    time: int  # the daemon's SystemTime at start, in nanoseconds since the epoch
    cursor: tuple | None  # the last buffered event then, as (timeNano, type, action, id); None if none
    containers: tuple[str, ...]
    images: tuple[str, ...]

    def shown_time(self) -> str:
        return datetime.fromtimestamp(self.time / 10**9).astimezone().strftime("%Y-%m-%d %H:%M:%S %Z")


def parse_time(text: object) -> int | None:
    """RFC 3339 with nanoseconds, as dockerd writes SystemTime, to nanoseconds since the epoch."""
    match = _TIME.match(text) if isinstance(text, str) else None
    if match is None:
        return None
    base, fraction, zone = match.groups()
    seconds = int(datetime.fromisoformat(base + ("+00:00" if zone == "Z" else zone)).timestamp())
    return seconds * 10**9 + int((fraction or "").ljust(9, "0"))


def identity(info: Mapping) -> str:
    """What names one daemon: its ID, and a digest of its data-root and host name.

    The ID alone is not enough: dockerd 20.10 takes it from /etc/docker/key.json, which every
    daemon of a machine shares (a lab and the system's daemon report the same one). Two daemons
    that run at once cannot share a data-root (``DockerRootDir``: each locks and owns its own), and
    a copied key.json on another machine (a cloned VM image) comes with another host name
    (``Name``). All three are the daemon's own answer, so the same daemon reached by another
    address (a socket, tcp, ssh, a context) has the same identity. Nothing is written to the
    daemon for it: grading never changes a student's daemon."""
    own = "\0".join(str(info.get(key) or "") for key in ("ID", "DockerRootDir", "Name"))
    return f"{info.get('ID')}@{hashlib.sha256(own.encode()).hexdigest()[:16]}"


def _info(client: DaemonClient) -> tuple[str, int]:
    """The daemon's identity and its time now: one GET /info."""
    info = client.get_json("/info")
    info = info if isinstance(info, dict) else {}
    now = parse_time(info.get("SystemTime"))
    if now is None or not info.get("ID"):
        raise DaemonError(msg("baseline.no_time", endpoint=client.endpoint.host, value=info.get("SystemTime")))
    return identity(info), now


def take(client: DaemonClient) -> Baseline:
    """What the daemon holds now: GET /info, the two lists, and the events it has buffered."""
    return observed(client)[0]


def observed(client: DaemonClient) -> tuple[Baseline, Snapshot]:
    """The baseline, and the daemon at that moment as ``check`` grades it since start: its
    containers hidden, no event yet. The same requests as ``take``, no more."""
    daemon_id, now = _info(client)
    listed = read_snapshot(client)  # the two lists, their shape checked as for any run
    buffered = [e for e in map(event_from_api, read_window(client, 1, now)) if e is not None]
    at_start = replace(listed, containers=())
    return _baseline(client, daemon_id, now, buffered, listed), at_start.with_reads(events=lambda: EventLog((), origin="start"))


def _baseline(client: DaemonClient, daemon_id: str, now: int, buffered: list, listed: Snapshot) -> Baseline:
    return Baseline(
        daemon_id=daemon_id,
        host=client.endpoint.host,
        time=now,
        cursor=buffered[-1].key if buffered else None,
        containers=tuple(sorted(container.id for container in listed.containers)),
        images=tuple(sorted(image.id for image in listed.images)),
    )


def save(baseline: Baseline, environ: Mapping[str, str] | None = None) -> Path:
    path = path_for(baseline.daemon_id, environ)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f".{path.name}.tmp")
        temporary.write_text(json.dumps(asdict(baseline), indent=1) + "\n", encoding="utf-8")
        os.replace(temporary, path)
    except OSError as error:
        raise UsageError(msg("usage.output", path=str(path), reason=error.strerror or error)) from None
    return path


def load(path: Path) -> Baseline | None:
    """The baseline in a file; None when there is none. A damaged file is a UsageError."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return Baseline(
            daemon_id=str(data["daemon_id"]),
            host=str(data["host"]),
            time=int(data["time"]),
            cursor=tuple(data["cursor"]) if data["cursor"] else None,
            containers=tuple(map(str, data["containers"])),
            images=tuple(map(str, data["images"])),
        )
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError) as error:
        reason = getattr(error, "strerror", None) or type(error).__name__
        raise UsageError(msg("baseline.unreadable", path=str(path), reason=reason)) from None


def find(client: DaemonClient, environ: Mapping[str, str] | None = None) -> tuple[Baseline | None, int]:
    """This daemon's baseline and its time now. No baseline file at all: (None, 0), no request."""
    if not any_start_point(environ):
        return None, 0
    daemon_id, now = _info(client)
    return load(path_for(daemon_id, environ)), now


def since_start(snapshot: Snapshot, baseline: Baseline, client: DaemonClient, now: int) -> Snapshot:
    """The snapshot without the containers there at start, whose events are those since start."""
    earlier = set(baseline.containers)
    kept = tuple(container for container in snapshot.containers if container.id not in earlier)
    return replace(snapshot, containers=kept).with_reads(events=lambda: events_since(baseline, client, now))


def events_since(baseline: Baseline, client: DaemonClient, now: int) -> EventLog:
    """The events from start to ``now``: one bounded GET. Complete only if the cursor is still there."""
    since = baseline.cursor[0] if baseline.cursor else baseline.time
    events = [e for e in map(event_from_api, read_window(client, since, max(now, since))) if e is not None]
    if baseline.cursor is None:
        return EventLog(tuple(events), complete=len(events) < BUFFER, origin="start")
    keys = [event.key for event in events]
    if tuple(baseline.cursor) not in keys:
        return EventLog(tuple(events), complete=False, origin="start")
    return EventLog(tuple(events[keys.index(tuple(baseline.cursor)) + 1 :]), complete=True, origin="start")


def notes(found: Baseline | None, exercises) -> tuple:
    """What to tell the student about how ``check`` grades: since start, or as it is."""
    if found is not None:
        return (msg("baseline.used", time=found.shown_time(), containers=len(found.containers)),)
    if any(getattr(KINDS.get(check.kind), "NEEDS_START", False) for exercise in exercises for check in exercise.checks):
        return (msg("baseline.none"),)
    return ()


def applied(client: DaemonClient, snapshot: Snapshot, found: Baseline | None, now: int) -> Snapshot:
    """The snapshot ``check`` grades: since start when there is a start point, else as it is."""
    return snapshot if found is None else since_start(snapshot, found, client, now)
