"""The lazy reads a kind may ask of a snapshot, by name, and how the daemon answers each.

A kind lists in ``READS`` the names it asks for and asks with ``snapshot.read(name, *args)``; the
snapshot asks its source once per snapshot and arguments (``checks.snapshot.Source``). ``DAEMON``
holds the daemon's providers: each a function of the client and the read's arguments, one GET
request (``http``: GET requests to a published port, ``checks.probe``). ``RUN`` names the reads
only a run's context answers (``checks.runner``; ``events`` also ``check`` since ``docker-grader
start``, ``checks.baseline``); elsewhere they read as None.

A read that several kinds ask for is one provider here and one line in ``DAEMON``. A read of one
kind's own lives in that kind's module, which registers it as it is imported (``provide``): a kind
is imported before any check of it is graded, so its read is there before it is asked.
"""

from __future__ import annotations

import io
import weakref
from typing import Any, Callable

from checks.errors import DaemonError
from checks.messages import msg
from checks.snapshot import (FileRead, HttpProbe, ShapeError, container_inspect_shaped, history_shaped, image_inspect_shaped,
                             networks_shaped, volumes_shaped)
from checks.transport import Response, TransportError

FILE_LIMIT = 64 * 1024  # bytes of a file's content read for a check; the rest is not fetched
HASH_LIMIT = 64 * 1024 * 1024  # bytes of a file hashed for a `sha256` check (files kind); a larger one is not read


def inspect(client, container_id: str) -> dict | None:
    """GET /containers/{id}/json, its shape checked; None when the container is gone."""
    answer = client.get_json(f"/containers/{container_id}/json")
    return shaped(client, f"GET /containers/{container_id}/json", container_inspect_shaped, answer)


def image_inspect(client, image_id: str) -> dict | None:
    """GET /images/{id}/json, its shape checked; None when the image is gone."""
    answer = client.get_json(f"/images/{image_id}/json")
    return shaped(client, f"GET /images/{image_id}/json", image_inspect_shaped, answer)


def history(client, image_id: str) -> list | None:
    """GET /images/{id}/history: the layers, newest first, their shape checked; None when the image is gone."""
    answer = client.get_json(f"/images/{image_id}/history")
    return shaped(client, f"GET /images/{image_id}/history", history_shaped, answer)


def volumes(client) -> list:
    """GET /volumes: its Volumes, their shape checked."""
    return shaped(client, "GET /volumes", volumes_shaped, client.get_json("/volumes"))


def networks(client) -> list:
    """GET /networks, its shape checked."""
    return shaped(client, "GET /networks", networks_shaped, client.get_json("/networks"))


def logs(client, container_id: str, text: str) -> bool:
    """Whether the container's logs hold ``text``: streamed, stopping at the first match, so memory
    stays bounded by the chunk size; False when the container is gone."""
    needle = text.encode()
    chunks = client.stream_logs(container_id)
    if chunks is None:
        return False
    tail = b""
    for chunk in chunks:
        window = tail + chunk
        if needle in window:
            chunks.close()
            return True
        tail = window[-(len(needle) - 1) :] if len(needle) > 1 else b""
    return False


def archive(client, container_id: str, path: str) -> FileRead | None:
    """The first entry of GET /containers/{id}/archive?path=: the path itself, not what a directory
    holds, without following a final symlink; at most FILE_LIMIT bytes of a file's content are read,
    then the stream is closed. None when the container or the path does not exist."""
    response = client._get(f"/containers/{container_id}/archive", {"path": path}, stream=True)
    try:
        if response.status in (404, 409):
            return None
        if response.status >= 400 and b"not a directory" in response.read(4096):
            return None  # a path through a file (/file/x, /file/): no such path; dockerd answers 500
        if response.status >= 400:
            raise DaemonError(msg("daemon.bad_answer", endpoint=client.endpoint.host, request="GET archive", reason=response.status))
        return _first_entry(response, path, FILE_LIMIT)
    except TransportError as error:
        raise DaemonError(msg("daemon.lost", endpoint=client.endpoint.host, reason=error.reason)) from error
    finally:
        response.close()


def file_sha256(client, container_id: str, path: str) -> str | None:
    """The sha256 (hex) of a regular file's whole content, streamed from GET /containers/{id}/archive
    (HASH_LIMIT bytes at most: "" for a larger one); None when the container or file is gone."""
    response = client._get(f"/containers/{container_id}/archive", {"path": path}, stream=True)
    try:
        if response.status >= 400:
            return None
        return _file_digest(response, HASH_LIMIT)
    except TransportError as error:
        raise DaemonError(msg("daemon.lost", endpoint=client.endpoint.host, reason=error.reason)) from error
    finally:
        response.close()


def http(client, host_port: int, path: str, attempts: int) -> HttpProbe:
    """GET ``path`` on a published port of the daemon's host, retried while nothing or a 5xx answers."""
    return prober(client).probe(host_port, path, attempts)


_PROBERS: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


def prober(client):
    """The one ``checks.probe.Prober`` of a client (where its http reads go, chosen from the daemon's
    address; its ``sent`` lists them)."""
    if client not in _PROBERS:
        from checks import probe  # only for an http check: not on every run

        _PROBERS[client] = probe.for_host(client.endpoint.host)
    return _PROBERS[client]


# The daemon's reads, by the name a kind lists in READS.
DAEMON: dict[str, Callable[..., Any]] = {
    "inspect": inspect,
    "logs": logs,
    "image_inspect": image_inspect,
    "history": history,
    "archive": archive,
    "file_sha256": file_sha256,
    "volumes": volumes,
    "networks": networks,
    "http": http,
}

# The reads only a run's context answers: its record of events (checks.events.EventLog), which
# containers are the exercise's work (checks.events.Provenance), a compose project's declared
# depends_on (checks.compose_files), the exercise's command lines as they ran (results.CommandRun).
RUN = ("events", "provenance", "project_file", "commands")

NAMES: tuple[str, ...] = (*DAEMON, *RUN)  # the reads of this module: a kind's own are added by provide


def provide(name: str, provider: Callable[..., Any]) -> None:
    """Registers a kind's own read: ``provider(client, *args)``, GET requests only, None when the
    object is gone. A name already provided by another function is a bug, refused at import."""
    known = DAEMON.get(name, provider)
    if name in RUN or (known.__module__, known.__qualname__) != (provider.__module__, provider.__qualname__):
        raise ValueError(f"the read {name!r} is provided already")  # the same function again: a module imported twice
    DAEMON[name] = provider


def names() -> tuple[str, ...]:
    """Every read a kind may list in READS now: this module's and those the kinds imported so far provide."""
    return (*DAEMON, *RUN)


def shaped(client, request: str, read, answer):
    """``read(answer)``; an answer of the wrong shape is a DaemonError (exit 3) naming the request and the field."""
    try:
        return read(answer)
    except ShapeError as error:
        raise DaemonError(msg("daemon.bad_shape", endpoint=client.endpoint.host, request=request, where=error.where,
                              expected=msg(f"shape.{error.expected}"))) from None


class _Reader(io.RawIOBase):
    """A Response as a file object for tarfile's stream mode."""

    def __init__(self, response: Response):
        self._response = response

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        chunk = self._response.read(len(buffer))
        buffer[: len(chunk)] = chunk
        return len(chunk)


def _first_entry(response: Response, path: str, limit: int) -> FileRead | None:
    import tarfile  # only for a check that reads a path: not on every run

    try:
        with tarfile.open(fileobj=io.BufferedReader(_Reader(response)), mode="r|") as archive:
            member = archive.next()
            if member is None:
                return None
            if member.issym() or member.islnk():
                return FileRead(path, "symlink", mode=member.mode, target=member.linkname)
            if member.isdir():
                return FileRead(path, "dir", mode=member.mode)
            if not member.isfile():
                return FileRead(path, "other", mode=member.mode)
            content = archive.extractfile(member).read(limit) if member.size else b""
            return FileRead(path, "file", member.size, member.mode, content=content, truncated=member.size > limit)
    except tarfile.TarError:
        return None


def _file_digest(response: Response, limit: int) -> str | None:
    import hashlib
    import tarfile

    try:
        with tarfile.open(fileobj=io.BufferedReader(_Reader(response)), mode="r|") as archive:
            member = archive.next()
            if member is None or not member.isfile():
                return None
            if member.size > limit:
                return ""
            digest, content = hashlib.sha256(), archive.extractfile(member)
            while chunk := content.read(1024 * 1024):
                digest.update(chunk)
            return digest.hexdigest()
    except tarfile.TarError:
        return None
