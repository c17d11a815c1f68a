"""What a line of the student's command file printed, and how it exited (``run`` only).

The line is chosen by a pattern over its text, as written in the file (``*`` is any text,
every other character itself, spaces collapsed): ``docker exec * cat /etc/os-release``.
A ``docker run`` or ``docker exec`` line is matched as the CLI reads it (``checks.docker_lines``),
with the image or container and the command the daemon recorded for that line (its ``create`` or
``exec_create`` event, and the container's Cmd while it exists): the text of the line alone never
makes an image's output (``docker run alpine echo ID=ubuntu ubuntu:20.04 cat /etc/os-release`` is
alpine's ``echo``, not ubuntu's ``cat``).
With neither ``contains`` nor ``exit_code``, a line like it that ran (to its end) passes. Its output is stdout and stderr
together, as the terminal showed them (the first 64 KiB). Under ``check`` no command is
known: the check cannot tell (0 of 0 points) and says it is graded by ``run`` only.
"""

from __future__ import annotations

import re
from typing import Mapping

from checks import docker_lines
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
    "output.no_record": {
        "pt-BR": "o registro de eventos do daemon está incompleto: não dá para saber que container a linha {line} (`{text}`) rodou",
        "en": "the daemon's record of events is incomplete: which container line {line} (`{text}`) ran cannot be told",
    },
    # --- keys of issue 22: output that must not be there ---
    "output.unwanted_text": {
        "pt-BR": "a saída da linha {line} (`{text}`) contém {unwanted!r}, que não deveria estar lá",
        "en": "the output of line {line} (`{text}`) contains {unwanted!r}, which should not be there",
    },
    "output.timed_out": {
        "pt-BR": "linha {line} (`{text}`) não terminou no tempo limite",
        "en": "line {line} (`{text}`) did not end within its time limit",
    },
}
register(MESSAGES)

# Lazy reads beyond the two lists every snapshot has (the commands come with the snapshot in `run`):
# the events, to tie a run or exec line to what the daemon did, and a container's inspect, for its Cmd.
READS = ("commands", "events", "inspect")
# One text, or a list of texts: what `contains` and `not_contains` take.
TEXTS = {"type": ["string", "array"], "minLength": 1, "items": {"type": "string", "minLength": 1}, "minItems": 1}

SCHEMA = {
    "properties": {
        "command": {
            "type": "string",
            "minLength": 1,
            "maxLength": 1000,
            "description": "Which lines of the command file: a pattern over the line's text, `*` standing for any text "
            "and every other character for itself (spaces collapsed, case counts). For `docker run` and `docker exec`, the "
            "image (or container) and the command are those the daemon recorded for the line: a word `*` may stand for "
            "options and the image, and the words after it match the command from its first word.",
            "examples": ["docker exec * cat /etc/os-release", "docker ps --filter name=*"],
        },
        "contains": {
            **TEXTS,
            "description": "Text the line's output (stdout and stderr) contains; a list: every one of them.",
            "examples": ["ID=alpine", ["NAMES", "web"]],
        },
        "not_contains": {
            **TEXTS,
            "description": "Text the line's output (stdout and stderr) must not contain; a list: none of them.",
            "examples": ["Error", ["exited", "Restarting"]],
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
    if snapshot.read("commands") is None:  # not the student's failure: `check` cannot know what their commands printed
        return Result(False, msg("output.only_in_run"), unknown=True)
    pattern = _pattern(spec["command"])
    words = docker_lines.words(spec["command"])
    lines, untold = [], []
    for run in snapshot.read("commands"):
        if run.refused is not None:
            continue
        line = docker_lines.read(run.text)
        if line is None:
            if pattern.fullmatch(_collapse(run.text)):
                lines.append(run)
        elif docker_lines.matches(words, line, lambda word: True):  # like the pattern by its text: ask the record
            tied = _recorded_slot(line, run, snapshot)
            if tied is _UNTOLD:
                untold.append(run)
            elif tied is not _DISAGREES and docker_lines.matches(words, line, tied):
                lines.append(run)
    if not lines and untold:  # not the student's failure: the record that ties lines to containers is incomplete
        return Result(False, msg("output.no_record", line=untold[0].line, text=_short(untold[0].text)), unknown=True)
    if not lines:
        return Result(False, msg("output.no_line", pattern=spec["command"]))
    quantifier = spec.get("match", "any")
    if quantifier == "last":
        lines = lines[-1:]
    verdicts = [_verdict(spec, run) for run in lines]
    failures = [found for found in verdicts if found is not None]
    if quantifier == "any" and len(failures) < len(verdicts):
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
    unwanted = spec.get("not_contains", [])
    for piece in [unwanted] if isinstance(unwanted, str) else unwanted:
        if piece in run.output:
            return msg("output.unwanted_text", line=run.line, text=text, unwanted=piece)
    return None


_UNTOLD, _DISAGREES = object(), object()


def _nothing_ran(word: str) -> bool:
    """The slot of a line the daemon made nothing for: no word names it (a `*` word still takes it in)."""
    return False


def _recorded_slot(line: docker_lines.Line, run, snapshot: Snapshot):
    """How a pattern word is matched against what the daemon recorded for this line: a function of
    the word; ``_UNTOLD`` without a complete record; ``_DISAGREES`` when the record contradicts the
    line (then the line is not like any pattern of the kind)."""
    log = snapshot.read("events")
    if log is None or not log.complete:
        return _UNTOLD
    during = [e for e in log.events if e.type == "container" and (not run.began or run.began <= e.time <= run.ended)]
    if line.verb == "exec":
        recorded = [e for e in during if e.action == "exec_create" and (e.name == line.slot or e.id.startswith(line.slot))]
        if not recorded:
            return _nothing_ran  # no exec was made: no container's output
        if all(e.detail != " ".join(line.command) for e in recorded):
            return _DISAGREES
        name = recorded[0].name
        return lambda word: docker_lines.glob(word).fullmatch(name) is not None
    created = [e for e in during if e.action == "create" and e.image == line.slot]
    if not created:
        return _nothing_ran  # no container was made: nothing ran in an image
    container = next((c for c in snapshot.containers if c.id == created[0].id), None)
    if container is not None and line.command:
        cmd = ((snapshot.read("inspect", container.id) or {}).get("Config") or {}).get("Cmd") or []
        if list(cmd) != list(line.command):
            return _DISAGREES
    image = created[0].image
    return lambda word: docker_lines.image_word_matches(word, image)


def _pattern(command: str) -> re.Pattern:
    """``*`` is any text; every other character stands for itself (a `[` or `?` in a docker line is literal)."""
    return re.compile(".*".join(map(re.escape, _collapse(command).split("*"))), re.DOTALL)


def _collapse(text: str) -> str:
    return re.sub(r"\s+", " ", text.strip())


def _short(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."
