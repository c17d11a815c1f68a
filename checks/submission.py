"""A student's command files: read, given a friendly first look, and run confined in a lab.

A submission is a folder with one file per exercise, named by the exercise id
(``pull-alpine``, ``pull-alpine.dc`` or ``pull-alpine.txt``), one docker command
per line; blank lines and lines starting with # are skipped. Commands run without
a shell, each inside the CLI sandbox (``checks.sandbox``), whose only daemon is the
lab behind the API boundary (``checks.boundary``).

The line policy here is not a barrier: the sandbox and the boundary hold whatever a
line says. It only refuses early, with a clearer message, what could never work:
shell syntax, programs other than docker, and options that point at another daemon.
A file with one refused line runs none of its lines, and its exercise scores 0.
"""

from __future__ import annotations

import difflib
import os
import re
import selectors
import shlex
import signal
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from checks.errors import UsageError
from checks.model import Exercise
from checks.messages import Message, closest, msg
from checks.results import CommandRun
from checks.sandbox import PROGRAMS, Sandbox, no_follow

COMMAND_SUFFIXES = ("", ".dc", ".txt")
MAX_LINES = 200
MAX_FILE = 1024 * 1024  # bytes of a command file that are read
MAX_OUTPUT = 64 * 1024  # kept per command; the rest is read and dropped
DEFAULT_TIMEOUT = 60.0
GLOBAL_FLAGS_ELSEWHERE = {"-H", "--host", "-c", "--context", "--config", "--tls", "--tlscacert", "--tlscert", "--tlskey", "--tlsverify"}
EXPANSION = re.compile(r"\$[({A-Za-z_]|`")


@dataclass(frozen=True)
class Command:
    line: int
    text: str
    argv: tuple[str, ...]


@dataclass(frozen=True)
class CommandFile:
    path: Path
    commands: tuple[Command, ...]
    refused: tuple[CommandRun, ...] = ()  # the lines refused, with why; none of the file runs then


def command_files(folder: Path, exercises: list[Exercise]) -> dict[str, Path]:
    """The command file of each exercise. Other files are the submission's own (a Dockerfile, a
    compose file, a script), but a ``.dc`` file or a name that looks like a misspelt exercise id
    is a UsageError, so that a typo does not silently score 0."""
    if not folder.is_dir():
        raise UsageError(msg("submission.not_folder", path=str(folder)))
    ids = {exercise.id for exercise in exercises}
    found: dict[str, Path] = {}
    for path in sorted(folder.iterdir()):
        if path.name.startswith(".") or path.is_symlink() or not path.is_file() or path.suffix not in COMMAND_SUFFIXES:
            continue
        stem = path.name[: -len(path.suffix)] if path.suffix else path.name
        if stem not in ids:
            if path.suffix != ".dc" and not difflib.get_close_matches(stem, ids, n=1, cutoff=0.8):
                continue
            raise UsageError(msg("submission.unknown_file", path=str(path), closest=", ".join(closest(stem, ids))))
        if stem in found:
            raise UsageError(msg("submission.two_files", id=stem, first=str(found[stem]), second=str(path)))
        found[stem] = path
    return found


def read_file(path: Path) -> CommandFile:
    try:
        with open(path, "rb", opener=no_follow) as opened:
            data = opened.read(MAX_FILE + 1)
    except OSError as error:
        raise UsageError(msg("submission.unreadable", path=str(path), reason=error.strerror or error)) from None
    if b"\0" in data:
        return CommandFile(path, (), (CommandRun(1, "", refused=msg("policy.binary")),))
    if len(data) > MAX_FILE:
        return CommandFile(path, (), (CommandRun(1, "", refused=msg("policy.too_large", limit=MAX_FILE)),))
    text = data.decode("utf-8", errors="replace")
    commands, refused = [], []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if len(commands) + len(refused) >= MAX_LINES:
            refused.append(CommandRun(number, line[:200], refused=msg("policy.too_many", limit=MAX_LINES)))
            break
        argv, reason = parse_line(line)
        if reason is not None:
            refused.append(CommandRun(number, line, refused=reason))
        else:
            commands.append(Command(number, line, argv))
    return CommandFile(path, tuple(commands), tuple(refused))


def parse_line(line: str) -> tuple[tuple[str, ...], Message | None]:
    """Splits a line as a shell would quote it, and says why it is refused, if it is."""
    if any(EXPANSION.search(part) for part in _outside_single_quotes(line)):
        # A shell would expand these before docker ran; here nothing does, so say so early.
        return (), msg("policy.shell", what="$(...), $VAR, `...`")
    lexer = shlex.shlex(line, posix=True, punctuation_chars=";&|<>()")
    lexer.whitespace_split = True
    lexer.commenters = ""
    try:
        argv = tuple(lexer)
    except ValueError as error:
        return (), msg("policy.quoting", reason=str(error))
    operators = [token for token in argv if token and set(token) <= set(";&|<>()")]
    if operators:
        return (), msg("policy.shell", what=operators[0])
    return argv, policy(argv)


def _outside_single_quotes(line: str) -> list[str]:
    """The parts of a line a shell would expand: all but what single quotes hold."""
    parts, current, quoted, escaped = [], "", False, False
    for char in line:
        if quoted:
            if char == "'":
                quoted = False
                parts.append(current)
                current = ""
            continue
        if char == "'" and not escaped:
            quoted = True
            continue
        escaped = char == "\\" and not escaped
        current += char
    return parts + ([current] if not quoted else [])


def policy(argv: tuple[str, ...]) -> Message | None:
    """Why a line cannot work, said early; None for every line that goes on to the sandbox."""
    if not argv:
        return msg("policy.empty")
    if argv[0] not in PROGRAMS:
        return msg("policy.program", program=argv[0])
    for flag in argv[1:]:
        if not flag.startswith("-"):
            break
        name = flag.split("=", 1)[0]
        if name in GLOBAL_FLAGS_ELSEWHERE or re.fullmatch(r"-[Hc].+", flag):  # -Hunix://..., -cNAME
            return msg("policy.flag", flag=name if name.startswith("--") else name[:2])
    return None


def run(command_file: CommandFile, sandbox: Sandbox, timeout: float, deadline: float) -> tuple[CommandRun, ...]:
    """Runs each command in turn, each within ``timeout`` and all before ``deadline`` (monotonic)."""
    if command_file.refused:
        return command_file.refused
    runs = []
    for command in command_file.commands:
        left = deadline - time.monotonic()
        if left <= 0:
            runs.append(CommandRun(command.line, command.text, refused=msg("submission.budget")))
            continue
        runs.append(_run_one(command, sandbox, min(timeout, left)))
    return tuple(runs)


def _run_one(command: Command, sandbox: Sandbox, timeout: float) -> CommandRun:
    started = time.monotonic()
    try:
        process = subprocess.Popen(
            sandbox.command(command.argv), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            start_new_session=True, cwd="/", env={"PATH": "/usr/sbin:/usr/bin:/sbin:/bin"},
        )
    except OSError as error:
        return CommandRun(command.line, command.text, refused=msg("policy.cannot_run", reason=error.strerror or error))
    output, dropped, timed_out = _collect(process, started + timeout)
    text = output.decode("utf-8", errors="replace")
    if dropped:
        text += f"\n[... {dropped} bytes more]"
    return CommandRun(command.line, command.text, None if timed_out else process.returncode, text, timed_out=timed_out)


def _collect(process: subprocess.Popen, deadline: float) -> tuple[bytes, int, bool]:
    """Reads the output until the process ends or the deadline: keeps MAX_OUTPUT bytes, counts the rest."""
    kept, dropped, timed_out = bytearray(), 0, False
    with selectors.DefaultSelector() as selector:
        selector.register(process.stdout, selectors.EVENT_READ)
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                timed_out = True
                break
            if not selector.select(timeout=left):
                continue
            chunk = os.read(process.stdout.fileno(), 65536)
            if not chunk:
                break
            room = MAX_OUTPUT - len(kept)
            kept += chunk[:room]
            dropped += max(0, len(chunk) - room)
    if timed_out:
        try:
            os.killpg(process.pid, signal.SIGKILL)  # bwrap and everything in its namespaces
        except ProcessLookupError:
            pass
    process.stdout.close()
    process.wait()
    return bytes(kept), dropped, timed_out
