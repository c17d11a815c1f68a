"""A student's command files, checked against the policy and run in a lab.

A submission is a folder with one file per exercise, named by the exercise id
(``pull-alpine``, ``pull-alpine.dc`` or ``pull-alpine.txt``), one docker command
per line; blank lines and lines starting with # are skipped. Commands run without
a shell, with the lab as their only daemon. A file with one refused line runs none
of its lines, and its exercise scores 0.
"""

from __future__ import annotations

import difflib
import os
import re
import shlex
import signal
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from checks.errors import UsageError
from checks.exercises import Exercise
from checks.messages import Message, msg
from checks.results import CommandRun

SUFFIXES = ("", ".dc", ".txt")
MAX_LINES = 200
MAX_OUTPUT = 64 * 1024
DEFAULT_TIMEOUT = 60.0

PROGRAMS = {"docker", "docker-compose"}
# Subcommands that only touch the daemon; the others read or write the host's files,
# or change where the CLI points (cp, save, load, build, context, login ...).
SUBCOMMANDS = {
    "attach", "commit", "compose", "container", "create", "diff", "events", "exec", "history", "image",
    "images", "info", "inspect", "kill", "logs", "network", "pause", "port", "ps", "pull", "rename",
    "restart", "rm", "rmi", "run", "start", "stats", "stop", "system", "tag", "top", "unpause",
    "version", "volume", "wait",
}
GLOBAL_FLAGS_ELSEWHERE = {"-H", "--host", "-c", "--context", "--config", "--tls", "--tlscacert", "--tlscert", "--tlskey", "--tlsverify"}
# Options that would let a container reach the host running the lab.
HOST_OPTIONS = {"--privileged", "--device", "--cap-add", "--security-opt", "--cgroup-parent", "--volumes-from"}
HOST_NAMESPACES = {"--pid", "--ipc", "--uts", "--userns", "--network", "--net", "--cgroupns"}
SHELL_SYNTAX = re.compile(r"\$[({A-Za-z_]|`")


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


def find_files(folder: Path, exercises: list[Exercise]) -> dict[str, Path]:
    """The command file of each exercise; a file named after no exercise is a UsageError."""
    if not folder.is_dir():
        raise UsageError(msg("submission.not_folder", path=str(folder)))
    ids = {exercise.id for exercise in exercises}
    found: dict[str, Path] = {}
    for path in sorted(folder.iterdir()):
        if path.name.startswith(".") or not path.is_file() or path.suffix not in SUFFIXES:
            continue
        stem = path.name[: -len(path.suffix)] if path.suffix else path.name
        if stem not in ids:
            closest = difflib.get_close_matches(stem, ids, n=3, cutoff=0.3) or sorted(ids)[:3]
            raise UsageError(msg("submission.unknown_file", path=str(path), closest=", ".join(closest)))
        if stem in found:
            raise UsageError(msg("submission.two_files", id=stem, first=str(found[stem]), second=str(path)))
        found[stem] = path
    return found


def read_file(path: Path) -> CommandFile:
    try:
        data = path.read_bytes()
    except OSError as error:
        raise UsageError(msg("submission.unreadable", path=str(path), reason=error.strerror or error)) from None
    if b"\0" in data:
        return CommandFile(path, (), (CommandRun(1, "", refused=msg("policy.binary")),))
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
    if SHELL_SYNTAX.search(line):
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


def policy(argv: tuple[str, ...]) -> Message | None:
    if not argv:
        return msg("policy.empty")
    program = argv[0]
    if program not in PROGRAMS:
        return msg("policy.program", program=program)
    rest = list(argv[1:])
    if program == "docker":
        while rest and rest[0].startswith("-"):
            flag = rest.pop(0)
            if flag.split("=", 1)[0] in GLOBAL_FLAGS_ELSEWHERE:
                return msg("policy.flag", flag=flag.split("=", 1)[0])
            if flag in ("-l", "--log-level") and rest:
                rest.pop(0)
        if not rest:
            return None
        if rest[0] not in SUBCOMMANDS:
            return msg("policy.subcommand", subcommand=rest[0])
    return _host_access(rest)


def _host_access(args: list[str]) -> Message | None:
    for index, arg in enumerate(args):
        name, _, value = arg.partition("=")
        if not value and index + 1 < len(args):
            value = args[index + 1]
        if name in HOST_OPTIONS:
            return msg("policy.host", option=name)
        if name in HOST_NAMESPACES and value.split(":")[0] in ("host", "container"):
            return msg("policy.host", option=f"{name}={value}")
        if name in ("-v", "--volume") and value[:1] in ("/", ".", "~"):
            return msg("policy.host", option=f"{name} {value}")
        if name == "--mount" and "type=bind" in arg + value:
            return msg("policy.host", option="--mount type=bind")
    return None


def run(command_file: CommandFile, environment: dict[str, str], cwd: Path, timeout: float) -> tuple[CommandRun, ...]:
    """Runs each command in turn; a refused file runs nothing."""
    if command_file.refused:
        return command_file.refused
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(cwd), "LANG": "C.UTF-8", "NO_COLOR": "1", **environment}
    return tuple(_run_one(command, env, cwd, timeout) for command in command_file.commands)


def _run_one(command: Command, env: dict[str, str], cwd: Path, timeout: float) -> CommandRun:
    started = time.monotonic()
    try:
        process = subprocess.Popen(
            command.argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            env=env, cwd=cwd, start_new_session=True,
        )
    except OSError as error:
        return CommandRun(command.line, command.text, refused=msg("policy.cannot_run", reason=error.strerror or error))
    try:
        output, _ = process.communicate(timeout=timeout)
        timed_out = False
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)  # the CLI and anything it started
        output, _ = process.communicate()
        timed_out = True
    text = output[:MAX_OUTPUT].decode("utf-8", errors="replace")
    if len(output) > MAX_OUTPUT:
        text += "\n[...]"
    return CommandRun(
        command.line, command.text, None if timed_out else process.returncode, text, timed_out=timed_out,
        seconds=round(time.monotonic() - started, 3),
    )
