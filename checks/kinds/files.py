"""A path in the selected containers' filesystems: it exists or not, is a file, a directory or a
symbolic link (to a target), and a file contains a text.

Containers are chosen as the ``containers`` kind chooses them (same selector). Each path is read
with GET /containers/{id}/archive, a GET, so grading stays read-only; only the first 64 KiB of a
file's content are read, and a text not found in them is reported as such.

A symbolic link is the path itself: ``type`` and ``target`` see the link, never silently what it
points to. ``contains`` is about what a program reading the path gets, so it follows the link
(each hop one more read, at most LINK_HOPS) and the message names the link.

In ``run``, a path that must be present is looked for only in containers the exercise made,
started or worked on (or its starting state set up): a container planted in an earlier exercise
and kept does not count (checks.events.Provenance).

Files of an image: grading never creates a container, so they are read from an existing container
of that image (``select: {image: ...}``; `docker create IMAGE` makes one without running it). A
container's filesystem starts as its image's, plus what its own processes changed.
"""

from __future__ import annotations

import posixpath
from typing import Mapping

from checks.kinds import containers
from checks.messages import Message, msg, register
from checks.results import Result
from checks.snapshot import Container, FileRead, Snapshot

MESSAGES = {
    "files.is": {"pt-BR": "em {name}, {path} é um {kind}", "en": "in {name}, {path} is a {kind}"},
    "files.is_link": {
        "pt-BR": "em {name}, {path} é um link simbólico para {target}",
        "en": "in {name}, {path} is a symbolic link to {target}",
    },
    "files.missing": {"pt-BR": "em {name}, {path} não existe", "en": "in {name}, {path} does not exist"},
    "files.absent": {"pt-BR": "em {name}, {path} não existe, como esperado", "en": "in {name}, {path} does not exist, as expected"},
    "files.present": {
        "pt-BR": "em {name}, {path} ainda existe ({kind}); remova-o",
        "en": "in {name}, {path} still exists ({kind}); remove it",
    },
    "files.wrong_type": {
        "pt-BR": "em {name}, {path} é um {kind}, não um {expected}",
        "en": "in {name}, {path} is a {kind}, not a {expected}",
    },
    "files.link_not": {
        "pt-BR": "em {name}, {path} é um link simbólico para {target}, não um {expected}",
        "en": "in {name}, {path} is a symbolic link to {target}, not a {expected}",
    },
    "files.wrong_target": {
        "pt-BR": "em {name}, {path} é um link simbólico para {target}, não para {expected}",
        "en": "in {name}, {path} is a symbolic link to {target}, not to {expected}",
    },
    "files.contains": {"pt-BR": "em {name}, {path} contém {text!r}", "en": "in {name}, {path} contains {text!r}"},
    "files.contains_link": {
        "pt-BR": "em {name}, {path} (link simbólico para {target}) contém {text!r}",
        "en": "in {name}, {path} (a symbolic link to {target}) contains {text!r}",
    },
    "files.lacks": {"pt-BR": "em {name}, {path} não contém {text!r}", "en": "in {name}, {path} does not contain {text!r}"},
    "files.lacks_truncated": {
        "pt-BR": "em {name}, os primeiros {limit} KiB de {path} ({size} bytes) não contêm {text!r}",
        "en": "in {name}, the first {limit} KiB of {path} ({size} bytes) do not contain {text!r}",
    },
    "files.not_a_file": {
        "pt-BR": "em {name}, {path} é um {kind}: só o conteúdo de um arquivo pode conter um texto",
        "en": "in {name}, {path} is a {kind}: only a file's content can contain a text",
    },
    "files.dangling": {
        "pt-BR": "em {name}, {path} é um link simbólico para {target}, que não existe",
        "en": "in {name}, {path} is a symbolic link to {target}, which does not exist",
    },
    "files.too_many_links": {
        "pt-BR": "em {name}, {path} passa por mais de {limit} links simbólicos",
        "en": "in {name}, {path} goes through more than {limit} symbolic links",
    },
    # --- keys of issue 22: a file's checksum ---
    "files.sha256": {
        "pt-BR": "em {name}, o sha256 de {path} é {found}, esperado {expected}",
        "en": "in {name}, the sha256 of {path} is {found}, expected {expected}",
    },
    "files.sha256_ok": {
        "pt-BR": "em {name}, {path} tem o sha256 esperado ({found})",
        "en": "in {name}, {path} has the expected sha256 ({found})",
    },
    "files.too_large_to_hash": {
        "pt-BR": "em {name}, {path} tem {size} bytes, grande demais para conferir o sha256",
        "en": "in {name}, {path} has {size} bytes, too large to check its sha256",
    },
    "files.gone": {
        "pt-BR": "o container {name} foi removido durante a correção",
        "en": "container {name} was removed during grading",
    },
    "files.kind.file": {"pt-BR": "arquivo", "en": "file"},
    "files.kind.dir": {"pt-BR": "diretório", "en": "directory"},
    "files.kind.symlink": {"pt-BR": "link simbólico", "en": "symbolic link"},
    "files.kind.other": {"pt-BR": "arquivo especial", "en": "special file"},
}
register(MESSAGES)

# One archive read per selected container and path (each link followed for `contains` one more),
# and an inspect only when a path is missing: to tell a missing path from a container removed meanwhile.
READS: tuple[str, ...] = ("inspect", "archive", "provenance", "file_sha256")
LINK_HOPS = 8
KINDS = ["file", "dir", "symlink"]

SCHEMA = {
    "properties": {
        "select": {
            **containers.SCHEMA["properties"]["select"],
            "description": "The containers whose filesystem is read, as the containers kind selects them. "
            "For files of an image, select its containers by image: grading never creates one "
            "(`docker create IMAGE` makes one without running it).",
        },
        "path": {
            "type": "string",
            "pattern": "^/[^\\u0000]*$",
            "maxLength": 4096,
            "description": "An absolute path in the container's filesystem.",
            "examples": ["/etc/os-release", "/app/index.html"],
        },
        "state": {"enum": ["present", "absent"], "default": "present", "description": "Whether the path must exist."},
        "type": {
            "enum": KINDS,
            "description": "What the path itself is; a symbolic link is a symlink, whatever it points to.",
        },
        "target": {
            "type": "string",
            "minLength": 1,
            "maxLength": 4096,
            "description": "The path is a symbolic link to exactly this target, as `readlink` prints it.",
            "examples": ["/usr/lib/os-release", "../lib/os-release"],
        },
        "contains": {
            "type": "string",
            "minLength": 1,
            "maxLength": 1000,
            "description": "Text in the file's first 64 KiB. A symbolic link is followed to the file it points to.",
            "examples": ["Alpine Linux", "Hello"],
        },
        "sha256": {
            "type": "string",
            "pattern": "^(sha256:)?[0-9a-fA-F]{64}$",
            "description": "The sha256 of the file's whole content (`sha256sum`), at most 64 MiB; a symbolic link is "
            "followed to the file it points to.",
            "examples": ["e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"],
        },
        "match": {
            "enum": ["all", "any"],
            "default": "all",
            "description": "Every selected container (at least one) must hold the path as described, or any one.",
        },
    },
    "required": ["select", "path"],
}


def evaluate(spec: Mapping, snapshot: Snapshot) -> Result:
    chosen = [c for c in snapshot.containers if containers.selected(spec["select"], c, snapshot)]
    if spec.get("state") != "absent":  # what is present must be this exercise's work, not planted earlier
        chosen, why = containers.this_exercise(chosen, snapshot, spec["select"])
        if why is not None:
            return why
    if not chosen:
        return Result(False, msg("containers.none", selector=containers.describe(spec["select"])))
    quantifier = spec.get("match", "all")
    for container in chosen:
        result = check_path(spec, container, snapshot)
        if result.passed != (quantifier == "all"):
            break  # all: the first failure decides; any: the first success
    return result


def check_path(spec: Mapping, container: Container, snapshot: Snapshot) -> Result:
    name, path = container.name or container.short_id, spec["path"]
    read = snapshot.read("archive", container.id, path)
    if read is None:
        if not snapshot.read("inspect", container.id):
            return Result(False, msg("files.gone", name=name))
        if spec.get("state") == "absent":
            return Result(True, msg("files.absent", name=name, path=path))
        return Result(False, msg("files.missing", name=name, path=path))
    if spec.get("state") == "absent":
        return Result(False, msg("files.present", name=name, path=path, kind=kind_name(read.kind)))
    wanted = "symlink" if "target" in spec else spec.get("type")
    if wanted and read.kind != wanted:
        if read.kind == "symlink":
            return Result(False, msg("files.link_not", name=name, path=path, target=read.target, expected=kind_name(wanted)))
        return Result(False, msg("files.wrong_type", name=name, path=path, kind=kind_name(read.kind), expected=kind_name(wanted)))
    if "target" in spec and read.target != spec["target"]:
        return Result(False, msg("files.wrong_target", name=name, path=path, target=read.target, expected=spec["target"]))
    if "contains" in spec:
        result = check_content(spec["contains"], read, container, snapshot)
        if not result.passed or "sha256" not in spec:
            return result
    if "sha256" in spec:
        return check_digest(spec["sha256"], read, container, snapshot)
    return Result(True, describe(read, name))


def followed(read: FileRead, container: Container, snapshot: Snapshot) -> FileRead | Result:
    """The regular file a path is, following symbolic links (at most LINK_HOPS); else why not."""
    name, path, final = container.name or container.short_id, read.path, read
    hops = 0
    while final.kind == "symlink":
        if hops == LINK_HOPS:
            return Result(False, msg("files.too_many_links", name=name, path=path, limit=LINK_HOPS))
        target_path = posixpath.normpath(posixpath.join(posixpath.dirname(final.path), final.target))
        target = snapshot.read("archive", container.id, target_path)
        if target is None:
            if not snapshot.read("inspect", container.id):
                return Result(False, msg("files.gone", name=name))
            return Result(False, msg("files.dangling", name=name, path=final.path, target=final.target))
        final, hops = target, hops + 1
    if final.kind != "file":
        return Result(False, msg("files.not_a_file", name=name, path=final.path, kind=kind_name(final.kind)))
    return final


def check_digest(wanted: str, read: FileRead, container: Container, snapshot: Snapshot) -> Result:
    """The file's whole content has this sha256 (one more read, of the whole file: ``Source.HASH_LIMIT`` at most)."""
    final = followed(read, container, snapshot)
    if isinstance(final, Result):
        return final
    name = container.name or container.short_id
    digest = snapshot.read("file_sha256", container.id, final.path)
    if digest is None:
        return Result(False, msg("files.gone", name=name))
    if not digest:
        return Result(False, msg("files.too_large_to_hash", name=name, path=final.path, size=final.size))
    if digest != wanted.lower().removeprefix("sha256:"):
        return Result(False, msg("files.sha256", name=name, path=final.path, found=digest, expected=wanted))
    return Result(True, msg("files.sha256_ok", name=name, path=read.path, found=digest))


def check_content(text: str, read: FileRead, container: Container, snapshot: Snapshot) -> Result:
    name, path = container.name or container.short_id, read.path
    final = followed(read, container, snapshot)
    if isinstance(final, Result):
        return final
    if text.encode() not in final.content:
        if final.truncated:
            return Result(False, msg("files.lacks_truncated", name=name, path=final.path, size=final.size, text=text,
                                     limit=len(final.content) // 1024))
        return Result(False, msg("files.lacks", name=name, path=final.path, text=text))
    if read.kind == "symlink":
        return Result(True, msg("files.contains_link", name=name, path=path, target=read.target, text=text))
    return Result(True, msg("files.contains", name=name, path=path, text=text))


def describe(read: FileRead, name: str) -> Message:
    if read.kind == "symlink":
        return msg("files.is_link", name=name, path=read.path, target=read.target)
    return msg("files.is", name=name, path=read.path, kind=kind_name(read.kind))


def kind_name(kind: str) -> Message:
    return msg(f"files.kind.{kind}")  # FileRead.kind: file, dir, symlink or other
