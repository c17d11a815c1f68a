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
import fcntl
import os
import pty
import re
import selectors
import shlex
import signal
import struct
import subprocess
import termios
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from checks.errors import UsageError
from checks.model import Exercise
from checks.messages import Message, closest, msg, register
from checks.results import CommandRun
from checks.launcher import LauncherGone, Session
from checks.sandbox import PROGRAMS, Sandbox, no_follow, program_path

COMMAND_SUFFIXES = ("", ".dc", ".txt")
MAX_LINES = 200
MAX_FILE = 1024 * 1024  # bytes of a command file that are read
MAX_OUTPUT = 64 * 1024  # kept per command; the rest is read and dropped
DEFAULT_TIMEOUT = 60.0
END_INPUT = 5  # Ctrl-D sent to a terminal line, at most
POLL = 0.1  # seconds between looks at a terminal's mode
GLOBAL_FLAGS_ELSEWHERE = {"-H", "--host", "-c", "--context", "--config", "--tls", "--tlscacert", "--tlscert", "--tlskey", "--tlsverify"}
EXPANSION = re.compile(r"\$[({A-Za-z_]|`")
TERMINAL_CODES = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]")  # CSI sequences: cursor moves, erasing, colours


# A line given a terminal: what it can and cannot do, said when it runs out of time.
register({
    "submission.timeout_terminal": {
        "pt-BR": "a linha {line} pediu um terminal (-t) e passou do limite de {seconds} s: num arquivo de comandos ninguém "
        "digita nele; com -i a entrada termina logo (como um Ctrl-D), sem -i nada chega ao container. Passe o comando "
        "ao container (`docker run -it alpine:3.14 cat /etc/os-release`) ou use -d",
        "en": "line {line} asked for a terminal (-t) and ran past the {seconds} s limit: in a command file nobody types "
        "into it; with -i its input ends at once (like Ctrl-D), without -i nothing reaches the container. Give the "
        "container its command (`docker run -it alpine:3.14 cat /etc/os-release`) or use -d",
    },
})


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


def run(command_file: CommandFile, sandbox: Sandbox, timeout: float, deadline: float,
        on_line: Callable[[tuple[str, ...]], None] | None = None) -> tuple[CommandRun, ...]:
    """Runs each command in turn, each within ``timeout`` and all before ``deadline`` (monotonic).
    ``on_line`` is told each line's words as it starts, and () once it has ended (the API boundary's rules read it)."""
    if command_file.refused:
        return command_file.refused
    runs = []
    for command in command_file.commands:
        left = deadline - time.monotonic()
        if left <= 0:
            runs.append(CommandRun(command.line, command.text, refused=msg("submission.budget")))
            continue
        if on_line:
            on_line(command.argv)
        try:
            runs.append(_run_one(command, sandbox, min(timeout, left)))
        finally:
            if on_line:
                on_line(())
    return tuple(runs)


def _run_one(command: Command, sandbox: Sandbox, timeout: float) -> CommandRun:
    started = time.monotonic()
    began = time.time_ns()
    terminal = wants_terminal(command.argv)
    session = sandbox.session()
    try:
        if session is not None:
            process, reading = _launch(command.argv, sandbox, session, terminal)
        elif terminal:
            process, reading = _start_on_terminal(sandbox.command(command.argv))
        else:
            process = subprocess.Popen(
                sandbox.command(command.argv), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                start_new_session=True, cwd="/", env={"PATH": "/usr/sbin:/usr/bin:/sbin:/bin"},
            )
            reading = process.stdout.fileno()
    except LauncherGone:  # before the line started: it gets a sandbox of its own, as the rest of the run's lines
        sandbox.lost_session()
        return _run_one(command, sandbox, timeout)
    except OSError as error:
        return CommandRun(command.line, command.text, refused=msg("policy.cannot_run", reason=error.strerror or error))
    output, dropped, timed_out = _collect(process, reading, started + timeout, end_input=terminal)
    if isinstance(process, _Launched) and process.lost is not None:
        sandbox.lost_session()
        return CommandRun(command.line, command.text, refused=msg("policy.cannot_run", reason=process.lost))
    text = output.decode("utf-8", errors="replace")
    if terminal:
        text = as_shown(text)
    if dropped:
        text += f"\n[... {dropped} bytes more]"
    return CommandRun(command.line, command.text, None if timed_out else process.returncode, text, timed_out=timed_out,
                      began=began, ended=time.time_ns())


class _Launched:
    """A line started by the sandbox's launcher, as ``_collect`` handles a process: ``kill``, ``wait``, ``returncode``."""

    stdout = None

    def __init__(self, session: Session):
        self.session = session
        self.returncode: int | None = None
        self.lost: str | None = None  # why the launcher did not answer, when it did not

    def kill(self) -> None:
        self.session.kill()

    def wait(self) -> int | None:
        try:
            self.returncode = self.session.wait()
        except LauncherGone as error:
            self.lost = str(error)
        return self.returncode


def _launch(argv: tuple[str, ...], sandbox: Sandbox, session: Session, terminal: bool) -> tuple[_Launched, int]:
    """The line handed to the run's sandbox (``checks.launcher``), its output on a pipe or a pseudo-terminal."""
    sandbox.reset_docker_config()
    if terminal:
        reading, side = pty.openpty()
        fcntl.ioctl(side, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
        given = (side, side, side)
    else:
        reading, side = os.pipe()
        given = (os.open(os.devnull, os.O_RDONLY | os.O_CLOEXEC), side, side)
    try:
        session.start(program_path(argv[0]), list(argv), *given)
    except BaseException:
        os.close(reading)
        raise
    finally:
        for fd in set(given):
            os.close(fd)
    return _Launched(session), reading


def as_shown(text: str) -> str:
    """A terminal's output as a screen would end up showing it, line by line: no cursor or colour codes,
    and of a line rewritten after a carriage return (a progress bar), its last text."""
    lines = TERMINAL_CODES.sub("", text).split("\n")
    return "\n".join(next((part for part in reversed(line.split("\r")) if part), "") for line in lines)


def wants_terminal(argv: tuple[str, ...]) -> bool:
    """Whether a line asks docker for a terminal (``-t``, ``-it``, ``--tty``): the CLI refuses ``-it``
    without one ("the input device is not a TTY"). A ``t`` in a cluster of flags of the container's
    own command gives it a terminal too, which changes nothing but its line endings."""
    return any(
        arg in ("--tty", "--tty=true") or (re.fullmatch(r"-[a-zA-Z]+", arg) is not None and "t" in arg)
        for arg in argv[1:]
    )


def _start_on_terminal(argv: list[str]) -> tuple[subprocess.Popen, int]:
    """The command with a pseudo-terminal as stdin, stdout and stderr; the grader keeps the other end."""
    main, side = pty.openpty()
    try:
        # A fixed size, so that what a program prints does not depend on the grader's own terminal.
        fcntl.ioctl(side, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
        process = subprocess.Popen(
            argv, stdin=side, stdout=side, stderr=side, start_new_session=True, cwd="/", env={"PATH": "/usr/sbin:/usr/bin:/sbin:/bin"},
        )
    except OSError:
        os.close(main)
        raise
    finally:
        os.close(side)
    return process, main


def _collect(process: subprocess.Popen | _Launched, reading: int, deadline: float, end_input: bool = False) -> tuple[bytes, int, bool]:
    """Reads the output until the process ends or the deadline: keeps MAX_OUTPUT bytes, counts the rest.

    On a terminal (``end_input``), the input ends as if Ctrl-D were typed, once the docker CLI has put the
    terminal in raw mode (so the byte reaches the container's own terminal, where a shell reads it as the
    end of its input), and again each second while the command runs, at most END_INPUT times.
    """
    kept, dropped, timed_out = bytearray(), 0, False
    ends_sent, next_end = 0, 0.0
    with selectors.DefaultSelector() as selector:
        selector.register(reading, selectors.EVENT_READ)
        while True:
            now = time.monotonic()
            left = deadline - now
            if left <= 0:
                timed_out = True
                break
            if end_input and ends_sent < END_INPUT and now >= next_end and _raw(reading):
                _send_end(reading)
                ends_sent, next_end = ends_sent + 1, now + 1.0
            if not selector.select(timeout=min(left, POLL) if end_input else left):
                continue
            try:
                chunk = os.read(reading, 65536)
            except OSError:  # EIO: every holder of the terminal's other end has closed it
                chunk = b""
            if not chunk:
                break
            room = MAX_OUTPUT - len(kept)
            kept += chunk[:room]
            dropped += max(0, len(chunk) - room)
    if timed_out and isinstance(process, _Launched):
        process.kill()  # its process group, then everything left in the sandbox
    elif timed_out:
        try:
            os.killpg(process.pid, signal.SIGKILL)  # bwrap and everything in its namespaces
        except ProcessLookupError:
            pass
    if process.stdout is not None:
        process.stdout.close()
    else:
        os.close(reading)  # the terminal's end that the grader kept
    process.wait()
    return bytes(kept), dropped, timed_out


def _raw(terminal: int) -> bool:
    try:
        return not termios.tcgetattr(terminal)[3] & termios.ICANON
    except termios.error:
        return False


def _send_end(terminal: int) -> None:
    try:
        os.write(terminal, b"\x04")
    except OSError:
        pass
