"""A ``docker run`` or ``docker exec`` line read as the docker CLI reads it, and patterns over such lines.

The CLI stops reading options at the first word that is not one: that word is the image (``run``)
or the container (``exec``), and the rest is the command. So a line splits into a head
(``docker run --rm -it``), a slot (the image or container) and a command. The ``output`` kind
matches a pattern over these parts with the slot and the command *as the daemon recorded them*,
so text that only looks like an image (``docker run alpine echo ubuntu:20.04 ...``) is command,
not image.

A pattern is split into words like a line. A word ``*`` stands for any words, and may take in the
slot, but then it stops there: words after it must match the command from its first word (only a
``*`` that ends the pattern runs on into the command). Any other word matches one word, a ``*``
inside it standing for any text.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass
from functools import lru_cache

from checks import refs

# Options of `docker run`/`docker create` (docker 28) that take a value; every other option is a switch.
RUN_VALUED = frozenset(
    "add-host annotation attach blkio-weight blkio-weight-device cap-add cap-drop cgroup-parent cgroupns cidfile "
    "cpu-count cpu-percent cpu-period cpu-quota cpu-rt-period cpu-rt-runtime cpu-shares cpus cpuset-cpus "
    "cpuset-mems detach-keys device device-cgroup-rule device-read-bps device-read-iops device-write-bps "
    "device-write-iops dns dns-option dns-opt dns-search domainname entrypoint env env-file expose gpus group-add "
    "health-cmd health-interval health-retries health-start-interval health-start-period health-timeout hostname "
    "io-maxbandwidth io-maxiops ip ip6 ipc isolation kernel-memory label label-file link link-local-ip log-driver "
    "log-opt mac-address memory memory-reservation memory-swap memory-swappiness mount name net net-alias network "
    "network-alias oom-score-adj pid pids-limit platform publish pull restart runtime security-opt shm-size "
    "stop-signal stop-timeout storage-opt sysctl tmpfs ulimit user userns uts volume volume-driver volumes-from "
    "workdir".split()
)
RUN_SHORT_VALUED = frozenset("acehlmpuvw")
EXEC_VALUED = frozenset({"detach-keys", "env", "env-file", "user", "workdir"})
# The docker CLI's own options, before the command (`docker --debug run ...`).
GLOBAL_VALUED = frozenset({"config", "context", "host", "log-level", "tlscacert", "tlscert", "tlskey"})
GLOBAL_SHORT_VALUED = frozenset("cHl")
EXEC_SHORT_VALUED = frozenset("euw")
VERBS = {("run",): "run", ("container", "run"): "run", ("exec",): "exec", ("container", "exec"): "exec"}


@dataclass(frozen=True)
class Line:
    """A ``run`` or ``exec`` line in three parts: ``head`` up to the options' end, ``slot`` the
    image or container as typed, ``command`` what follows it."""

    verb: str  # run | exec
    head: tuple[str, ...]
    slot: str
    command: tuple[str, ...]


def words(text: str) -> tuple[str, ...]:
    """Words as a shell would split the line (quotes removed); plain spaces where quoting is broken."""
    try:
        return tuple(shlex.split(text))
    except ValueError:
        return tuple(text.split())


def read(text: str) -> Line | None:
    """The line's parts when it is ``docker [container] run|exec``; None for any other line, or one
    with no image or container."""
    argv = words(text)
    if len(argv) < 2 or argv[0] != "docker":
        return None
    first = 1
    while first < len(argv) and argv[first].startswith("-"):  # the CLI's own options: `docker --debug run ...`
        first += 1 + _takes_next(argv[first], GLOBAL_VALUED, GLOBAL_SHORT_VALUED)
    for verb_words, verb in VERBS.items():
        if argv[first : first + len(verb_words)] == verb_words:
            start = first + len(verb_words)
            break
    else:
        return None
    valued, short_valued = (RUN_VALUED, RUN_SHORT_VALUED) if verb == "run" else (EXEC_VALUED, EXEC_SHORT_VALUED)
    index = start
    while index < len(argv):
        word = argv[index]
        if word == "--":
            index += 1
            break
        if not word.startswith("-") or word == "-":
            break
        index += 1 + _takes_next(word, valued, short_valued)
    if index >= len(argv):
        return None
    return Line(verb, argv[:index], argv[index], argv[index + 1 :])


def _takes_next(word: str, valued: frozenset, short_valued: frozenset) -> bool:
    """Whether an option word takes the next word as its value (pflag's rules)."""
    if word.startswith("--"):
        return "=" not in word and word[2:] in valued
    for position, letter in enumerate(word[1:], start=1):
        if letter in short_valued:
            return position == len(word) - 1  # `-p8080:80` holds its value; `-p` takes the next word
    return False


def matches(pattern: tuple[str, ...], line: Line, slot_matches) -> bool:
    """Whether pattern words match the line's head, its slot (``slot_matches(word)`` decides, from
    what the daemon recorded) and its command."""
    target = line.head + (None,) + line.command  # None: the slot
    slot = len(line.head)

    @lru_cache(maxsize=None)
    def match(p: int, t: int) -> bool:
        if p == len(pattern):
            return t == len(target)
        word = pattern[p]
        if word == "*":
            for end in range(t, len(target) + 1):
                if t <= slot < end - 1 and p < len(pattern) - 1:
                    break  # a `*` that took in the slot stops there: the command is matched from its start
                if match(p + 1, end):
                    return True
            return False
        if t >= len(target):
            return False
        fits = slot_matches(word) if t == slot else glob(word).fullmatch(target[t]) is not None
        return fits and match(p + 1, t + 1)

    return match(0, 0)


@lru_cache(maxsize=256)
def glob(word: str) -> re.Pattern:
    """``*`` any text, every other character itself."""
    return re.compile(".*".join(map(re.escape, word.split("*"))), re.DOTALL)


def image_word_matches(word: str, recorded: str) -> bool:
    """Whether a pattern word names the image the daemon recorded (as typed at creation):
    ``ubuntu``, ``ubuntu:latest`` and ``docker.io/library/ubuntu:latest`` are one image."""
    if word == "*" or glob(word).fullmatch(recorded):
        return True
    if "*" in word:
        parsed = refs.try_parse(recorded)
        return parsed is not None and any(glob(word).fullmatch(form) for form in (str(parsed), parsed.familiar))
    a, b = refs.try_parse(word), refs.try_parse(recorded)
    return a is not None and a == b
