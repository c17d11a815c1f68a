"""Image references, normalised as the docker CLI does.

``alpine``, ``alpine:latest`` and ``docker.io/library/alpine:latest`` are one
reference; ``localhost:5000/x:1`` stays itself. The grammar is the one of
github.com/distribution/reference, which the docker CLI and daemon share.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

DEFAULT_DOMAIN = "docker.io"
LEGACY_DOMAIN = "index.docker.io"
OFFICIAL_PREFIX = "library/"

_COMPONENT = re.compile(r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*")
_DOMAIN = re.compile(
    r"(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)(?:\.(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?))*(?::[0-9]+)?"
)
_TAG = re.compile(r"[\w][\w.-]{0,127}")
_DIGEST = re.compile(r"[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[0-9a-fA-F]{32,}")
_ID = re.compile(r"(?:sha256:)?([0-9a-f]{1,64})")


class ReferenceError(ValueError):
    """Text that is not an image reference; the message says why."""


@dataclass(frozen=True)
class Reference:
    """A normalised image reference: domain/path, then a tag and/or a digest."""

    repository: str
    tag: str | None = None
    digest: str | None = None

    def __str__(self) -> str:
        text = self.repository
        if self.tag:
            text += f":{self.tag}"
        if self.digest:
            text += f"@{self.digest}"
        return text

    @property
    def familiar(self) -> str:
        """The short form the docker CLI prints: ``alpine:3.14``, ``user/app:1``."""
        text = familiar_repository(self.repository)
        if self.tag:
            text += f":{self.tag}"
        if self.digest:
            text += f"@{self.digest}"
        return text


def familiar_repository(repository: str) -> str:
    name = repository
    if name.startswith(DEFAULT_DOMAIN + "/"):
        name = name[len(DEFAULT_DOMAIN) + 1 :]
        if name.startswith(OFFICIAL_PREFIX) and name.count("/") == 1:
            name = name[len(OFFICIAL_PREFIX) :]
    return name


def parse(text: str, *, default_tag: bool = True) -> Reference:
    """Parses and normalises a reference; adds ``latest`` when it has neither tag nor digest."""
    if not isinstance(text, str) or not text:
        raise ReferenceError("empty reference")
    name, _, digest = text.partition("@")
    if digest and not _DIGEST.fullmatch(digest):
        raise ReferenceError(f"invalid digest {digest!r}")
    tag = None
    slash = name.rfind("/")
    colon = name.rfind(":")
    if colon > slash:
        name, tag = name[:colon], name[colon + 1 :]
        if not _TAG.fullmatch(tag):
            raise ReferenceError(f"invalid tag {tag!r}")
    repository = normalise_repository(name)
    if tag is None and not digest and default_tag:
        tag = "latest"
    return Reference(repository, tag, digest or None)


def normalise_repository(name: str) -> str:
    """``alpine`` → ``docker.io/library/alpine``; ``localhost:5000/x`` stays itself."""
    if not name:
        raise ReferenceError("empty repository name")
    if re.fullmatch(r"[0-9a-f]{64}", name):  # as the docker CLI: only a bare 64-hex name, not user/<hex>
        raise ReferenceError("a 64-character hex name is an image ID, not a repository")
    first, sep, rest = name.partition("/")
    if sep and ("." in first or ":" in first or first == "localhost"):
        domain, path = first, rest
        if not _DOMAIN.fullmatch(domain):
            raise ReferenceError(f"invalid registry {domain!r}")
    else:
        domain, path = DEFAULT_DOMAIN, name
    if domain == LEGACY_DOMAIN:
        domain = DEFAULT_DOMAIN
    if domain == DEFAULT_DOMAIN and "/" not in path:
        path = OFFICIAL_PREFIX + path
    for component in path.split("/"):
        if not _COMPONENT.fullmatch(component):
            raise ReferenceError(
                f"invalid repository name {name!r}: use lowercase letters, digits and separators (. _ -)"
            )
    return f"{domain}/{path}"


def id_prefix(text: str) -> str | None:
    """``sha256:e04c81...`` or ``e04c81`` → the hex prefix of an image ID; None otherwise."""
    match = _ID.fullmatch(text)
    return match.group(1) if match else None


def try_parse(text: str) -> Reference | None:
    """``parse``, or None."""
    return _parsed(text) if isinstance(text, str) else None


@functools.lru_cache(maxsize=4096)  # a daemon's thousands of containers name a handful of images
def _parsed(text: str) -> Reference | None:
    try:
        return parse(text)
    except ReferenceError:
        return None


# --- patterns -------------------------------------------------------------------------
_GLOB = frozenset("*?[")


@dataclass(frozen=True)
class Pattern:
    """A glob over image references, matched as ``docker images --filter reference=`` does.

    Go's ``path.Match``: ``*`` and ``?`` stop at ``/``, ``[a-z]`` and ``[^0-9]`` match one character
    (escapes are left out: no reference holds a glob character).
    A reference matches when its familiar form (``php:8.2-apache``) or its familiar name
    (``php``) does, as in distribution/reference's FamiliarMatch; the normalised forms
    (``docker.io/library/php:8.2-apache``) match too, for patterns written in full.
    """

    text: str
    regex: re.Pattern

    def matches(self, reference: str) -> bool:
        """Whether a reference (as typed: ``alpine`` is ``alpine:latest``) matches; False for an ID."""
        return _pattern_matches(self, reference)


def is_pattern(text: str) -> bool:
    """Whether the text is meant as a pattern: it holds ``*``, ``?`` or ``[``."""
    return isinstance(text, str) and not _GLOB.isdisjoint(text)


@functools.lru_cache(maxsize=256)  # a check's pattern is compiled once per run, not per container
def pattern(text: str) -> Pattern | None:
    """The compiled pattern, or None when the text has no glob character or is not a valid pattern:
    the syntax below, no digest, and, with each wildcard read as one letter, a reference."""
    if not is_pattern(text) or "@" in text or not _GLOB_SYNTAX.fullmatch(text):
        return None
    example = _GLOB_TOKEN.sub(lambda token: "a" if token[0] in ("*", "?") or token[2] else token[0], text)
    if try_parse(example) is None:
        return None
    try:
        return Pattern(text, re.compile(_GLOB_TOKEN.sub(_regex_of, text)))
    except re.error:  # a bad range such as [z-a]
        return None


# Go's path.Match syntax, less escapes (no reference holds a glob character): a run of *, ?,
# a class ([a-z], [^0-9]) or a character that is not one of * ? [ ].
_GLOB_SYNTAX = re.compile(r"(?:\*|\?|\[\^?[\w.-]+\]|[^*?\[\]])+")
_GLOB_TOKEN = re.compile(r"\*|\?|\[(\^?)([\w.-]+)\]|.")


def _regex_of(token: re.Match) -> str:
    if token[0] == "*":
        return "[^/]*"
    if token[0] == "?":
        return "[^/]"
    if token[2]:  # a class; negated, it still never matches /
        return ("[^/" if token[1] else "[") + token[2] + "]"
    return re.escape(token[0])


@functools.lru_cache(maxsize=65536)  # containers name few distinct references: match each once per pattern
def _pattern_matches(compiled: Pattern, reference: str) -> bool:
    parsed = try_parse(reference)
    if parsed is None or parsed.digest and not parsed.tag:
        return False
    names = (parsed.familiar, familiar_repository(parsed.repository), str(parsed), parsed.repository)
    return any(compiled.regex.fullmatch(name) for name in names)
