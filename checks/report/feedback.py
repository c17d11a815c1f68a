"""What every format shows of a student's commands, and how a format stays under its platform's size.

Each command is shown with how it ended (exit code, timed out, refused) and the last lines of its
output (``tail``: at most TAIL_LINES lines and TAIL_CHARS characters, saying how much was left
out). A file refused as a whole has its reason once, in its exercise's error; its lines show only
"refused".

``fit`` writes a document at the most detailed level that fits a platform's limit, in bytes of
UTF-8: level 0 is everything; each next level drops more (see ``Detail``), and the document then
says what it left out (``cut_note``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from checks.messages import register
from checks.report.rows import Command, Section, Sheet

TAIL_LINES = 10
TAIL_CHARS = 1500

MESSAGES = {
    "report.commands": {"pt-BR": "Seus comandos", "en": "Your commands"},
    "report.command_exit": {"pt-BR": "código de saída {code}", "en": "exit code {code}"},
    "report.command_timeout": {"pt-BR": "excedeu o tempo", "en": "timed out"},
    "report.command_refused": {"pt-BR": "recusado", "en": "refused"},
    "report.output_cut": {
        "pt-BR": "[... {count} caractere(s) anteriores da saída omitidos]",
        "en": "[... {count} earlier character(s) of output left out]",
    },
    "report.cut": {
        "pt-BR": "Relatório reduzido para caber no limite de {limit} bytes de {platform}: {what}. O relatório completo está no JSON (--report json=ARQUIVO).",
        "en": "Report shortened to fit {platform}'s limit of {limit} bytes: {what}. The whole report is in the JSON (--report json=FILE).",
    },
    "report.cut_outputs": {"pt-BR": "saídas dos comandos omitidas", "en": "command outputs left out"},
    "report.cut_commands": {"pt-BR": "comandos omitidos", "en": "commands left out"},
    "report.cut_messages": {"pt-BR": "mensagens encurtadas", "en": "messages shortened"},
    "report.cut_passed": {
        "pt-BR": "só as verificações que falharam têm mensagem",
        "en": "only failed checks keep a message",
    },
}
register(MESSAGES)


@dataclass(frozen=True)
class Detail:
    """How much a document holds; ``fit`` lowers it level by level until the document fits."""

    level: int = 0

    @property
    def outputs(self) -> bool:  # the tails of command outputs
        return self.level < 1

    @property
    def commands(self) -> bool:  # the command lines themselves
        return self.level < 2

    @property
    def message_chars(self) -> int | None:  # messages cut to this many characters
        return {0: None, 1: None, 2: 5000, 3: 2000, 4: 300, 5: 80}.get(self.level, 0)

    @property
    def passed_messages(self) -> bool:  # a passed check's "found: ..."
        return self.level < 4

    def shorten(self, text: str) -> str:
        limit = self.message_chars
        if limit is None or len(text) <= limit:
            return text
        if not limit:
            return ""
        kept = text[: max(limit - 2, 0)]
        return kept + ("`…" if kept.count("`") % 2 else "…")  # a code span cut open is closed


LEVELS = 7  # 0..6; level 6 keeps names, statuses and points only


def cut_note(sheet: Sheet, detail: Detail, platform: str, limit: int) -> str:
    """One line that says what was left out, or "" when nothing was."""
    cuts = []
    commands = [command for section in sheet.sections for command in section.commands]
    if not detail.outputs and any(command.output.strip() for command in commands):
        cuts.append(sheet.say("report.cut_outputs"))
    if not detail.commands and commands:
        cuts.append(sheet.say("report.cut_commands"))
    if detail.message_chars is not None:
        cuts.append(sheet.say("report.cut_messages"))
    if not detail.passed_messages:
        cuts.append(sheet.say("report.cut_passed"))
    if not cuts:
        return ""
    return sheet.say("report.cut", platform=platform, limit=f"{limit:,}", what="; ".join(cuts))


def fit(write: Callable[[Detail], str], limit: int) -> str:
    """The most detailed document that is at most ``limit`` bytes; the least detailed one otherwise."""
    for level in range(LEVELS):
        text = write(Detail(level))
        if len(text.encode("utf-8")) <= limit:
            return text
    return text


def tail(output: str) -> tuple[str, int]:
    """The end of a command's output: at most TAIL_LINES lines and TAIL_CHARS characters, and how many
    characters were left out before it."""
    text = output.rstrip("\n")
    lines = text.splitlines()
    kept = "\n".join(lines[-TAIL_LINES:])
    if len(kept) > TAIL_CHARS:
        kept = kept[-TAIL_CHARS:]
    return kept, len(text) - len(kept)


def ending(sheet: Sheet, command: Command, section: Section) -> str:
    """How a command ended, in the sheet's language; a refusal's reason only when the exercise's
    error does not already say it (a file refused as a whole)."""
    if command.refused is not None:
        if command.refused in section.error:
            return sheet.say("report.command_refused")
        return f"{sheet.say('report.command_refused')}: {command.refused}"
    if command.timed_out:
        return sheet.say("report.command_timeout")
    return sheet.say("report.command_exit", code=command.exit_code)


def command_block(sheet: Sheet, section: Section, detail: Detail, indent: str = "") -> list[str]:
    """The section's commands as plain lines: ``$ command  (exit code 0)`` and the tail of the output under it."""
    if not section.commands or not detail.commands:
        return []
    lines = []
    for command in section.commands:
        lines.append(f"{indent}$ {command.text}  ({ending(sheet, command, section)})")
        if detail.outputs and command.output.strip():
            text, dropped = tail(command.output)
            if dropped:
                lines.append(f"{indent}  {sheet.say('report.output_cut', count=dropped)}")
            lines += [f"{indent}  {line}" for line in text.splitlines()]
    return lines
