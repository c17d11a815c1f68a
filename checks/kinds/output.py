"""What a line of the student's command file printed, and how it exited (``run`` only).

The line is chosen by a pattern over its text, as written in the file (``*`` is any text,
every other character itself, spaces collapsed): ``docker exec * cat /etc/os-release``.
With neither ``contains`` nor ``exit_code``, a line like it that ran (to its end) passes. Its output is stdout and stderr
together, as the terminal showed them (the first 64 KiB). Under ``check`` no command is
known: the check cannot tell (0 of 0 points) and says it is graded by ``run`` only.
"""

from __future__ import annotations

import re
from typing import Mapping

from checks.messages import msg, register
from checks.results import Result
from checks.snapshot import Snapshot

# What this kind tells the student it found, in pt-BR and en.
MESSAGES = {
    "output.only_in_run": {
        "pt-BR": "esta verificação lê a saída dos seus comandos: só é corrigida por `docker-grader run`",
        "en": "this check reads your commands' output: only `docker-grader run` grades it",
    },
    "output.no_line": {
        "pt-BR": "nenhuma linha do seu arquivo de comandos que rodou é como `{pattern}`",
        "en": "no line of your command file that ran is like `{pattern}`",
    },
    "output.ok": {
        "pt-BR": "linha {line} (`{text}`): saída e código de saída como esperado",
        "en": "line {line} (`{text}`): output and exit code as expected",
    },
    "output.exit_code": {
        "pt-BR": "linha {line} (`{text}`) saiu com código {found}, esperado {expected}",
        "en": "line {line} (`{text}`) exited with code {found}, expected {expected}",
    },
    "output.missing_text": {
        "pt-BR": "a saída da linha {line} (`{text}`) não contém {wanted!r}",
        "en": "the output of line {line} (`{text}`) does not contain {wanted!r}",
    },
    "output.timed_out": {
        "pt-BR": "linha {line} (`{text}`) não terminou no tempo limite",
        "en": "line {line} (`{text}`) did not end within its time limit",
    },
}
register(MESSAGES)

# Lazy reads beyond the two lists every snapshot has: none, the commands come with the snapshot in `run`.
READS: tuple[str, ...] = ()

SCHEMA = {
    "properties": {
        "command": {
            "type": "string",
            "minLength": 1,
            "maxLength": 1000,
            "description": "Which lines of the command file: a pattern over the line's text, `*` standing for any text "
            "and every other character for itself (spaces collapsed, case counts).",
            "examples": ["docker exec * cat /etc/os-release", "docker ps --filter name=*"],
        },
        "contains": {
            "type": ["string", "array"],
            "minLength": 1,
            "items": {"type": "string", "minLength": 1},
            "minItems": 1,
            "description": "Text the line's output (stdout and stderr) contains; a list: every one of them.",
            "examples": ["ID=alpine", ["NAMES", "web"]],
        },
        "exit_code": {"type": "integer", "description": "The line exited with this code.", "examples": [0]},
        "match": {
            "enum": ["any", "all", "last"],
            "default": "any",
            "description": "Of the lines like the pattern: any one of them passes, all of them, or the last one run.",
        },
    },
    "required": ["command"],
}


def evaluate(spec: Mapping, snapshot: Snapshot) -> Result:
    if snapshot.commands is None:  # not the student's failure: `check` cannot know what their commands printed
        return Result(False, msg("output.only_in_run"), unknown=True)
    pattern = _pattern(spec["command"])
    lines = [run for run in snapshot.commands if run.refused is None and pattern.fullmatch(_collapse(run.text))]
    if not lines:
        return Result(False, msg("output.no_line", pattern=spec["command"]))
    if spec.get("match", "any") == "last":
        lines = lines[-1:]
    verdicts = [_verdict(spec, run) for run in lines]
    failures = [found for found in verdicts if found is not None]
    if spec.get("match", "any") == "any" and len(failures) < len(verdicts):
        run = lines[verdicts.index(None)]
        return Result(True, msg("output.ok", line=run.line, text=_short(run.text)))
    if not failures:
        return Result(True, msg("output.ok", line=lines[-1].line, text=_short(lines[-1].text)))
    return Result(False, failures[0])


def _verdict(spec: Mapping, run):
    """None when this line printed and exited as the check wants; else what it did instead."""
    text = _short(run.text)
    if run.timed_out:
        return msg("output.timed_out", line=run.line, text=text)
    if "exit_code" in spec and run.exit_code != spec["exit_code"]:
        return msg("output.exit_code", line=run.line, text=text, found=run.exit_code, expected=spec["exit_code"])
    wanted = spec.get("contains", [])
    for piece in [wanted] if isinstance(wanted, str) else wanted:
        if piece not in run.output:
            return msg("output.missing_text", line=run.line, text=text, wanted=piece)
    return None


def _pattern(command: str) -> re.Pattern:
    """``*`` is any text; every other character stands for itself (a `[` or `?` in a docker line is literal)."""
    return re.compile(".*".join(map(re.escape, _collapse(command).split("*"))), re.DOTALL)


def _collapse(text: str) -> str:
    return re.sub(r"\s+", " ", text.strip())


def _short(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."
