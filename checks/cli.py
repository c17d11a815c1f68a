"""``docker-grader``: parses, calls the engine, prints, maps the grader's own errors to exit codes.

Exit codes: 0 every check passed, 1 a check failed, 2 bad input (file, id, option),
3 daemon not reachable, 4 the lab could not start, 130 interrupted.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path
from typing import Sequence

from checks import exercises as exercise_files
from checks import grading, schema
from checks.errors import EXIT_BAD_INPUT, EXIT_INTERRUPTED, ExerciseError, GraderError, UsageError
from checks.messages import LANGS, detect_lang, msg
from checks.report import WRITERS
from checks.results import Report

DEFAULT_EXERCISES = Path(__file__).resolve().parent.parent / "exercises"


def default_exercises() -> Path:
    """./exercises when the current folder has one, else the course's own folder."""
    local = Path("exercises")
    return local if local.is_dir() else DEFAULT_EXERCISES


class Parser(argparse.ArgumentParser):
    """argparse that reports a bad option as a UsageError (exit 2) in the user's language."""

    def error(self, message: str):  # noqa: D401 - argparse's hook
        raise UsageError(msg("usage.option", reason=message))


def build_parser() -> Parser:
    common = Parser(add_help=False)
    common.add_argument("--lang", choices=LANGS, help="language of messages (default: from LC_ALL/LANG, else pt-BR)")
    common.add_argument("--exercises", type=Path, help="folder of exercise files (default: ./exercises)")
    output = Parser(add_help=False)
    output.add_argument("--format", choices=sorted(WRITERS), default="text", help="output format (default: text)")
    output.add_argument("--output", type=Path, help="write the result to this file instead of stdout")

    parser = Parser(prog="docker-grader", description="Grades Docker course exercises on a real daemon.", parents=[common])
    commands = parser.add_subparsers(dest="command", required=True, parser_class=Parser)

    commands.add_parser("list", parents=[common], help="list the exercises")
    validate = commands.add_parser("validate", parents=[common], help="validate exercise files")
    validate.add_argument("paths", nargs="*", type=Path, help="files or folders (default: the exercises folder)")
    check = commands.add_parser("check", parents=[common, output], help="grade a daemon's state")
    check.add_argument("ids", nargs="*", metavar="ID", help="exercises to grade (default: all)")
    check.add_argument("--host", help="daemon address (default: DOCKER_HOST, the docker context, the default socket)")
    show_schema = commands.add_parser("schema", parents=[common], help="print the exercise JSON Schema")
    show_schema.add_argument("--write", action="store_true", help=f"write it to {schema.SCHEMA_FILE.name} in the package")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    lang = _early_lang(argv)
    try:
        args = build_parser().parse_args(argv)
        lang = args.lang or lang
        args.exercises = args.exercises or default_exercises()
        return COMMANDS[args.command](args, lang)
    except GraderError as error:
        print(error.render(lang), file=sys.stderr)
        return error.exit_code
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED


def _early_lang(argv: list[str]) -> str:
    """--lang before parsing, so that parse errors are already in the right language."""
    for index, arg in enumerate(argv):
        value = arg.split("=", 1)[1] if arg.startswith("--lang=") else (argv[index + 1] if arg == "--lang" and index + 1 < len(argv) else None)
        if value in LANGS:
            return value
    return detect_lang()


def cmd_list(args, lang: str) -> int:
    loaded = exercise_files.load([args.exercises])
    width = max(len(exercise.id) for exercise in loaded)
    for exercise in loaded:
        print(f"{exercise.id.ljust(width)}  {exercise.max_score:>3g}  {exercise.title[lang]}")
    return 0


def cmd_validate(args, lang: str) -> int:
    loaded = exercise_files.load(args.paths or [args.exercises])
    checks = sum(len(exercise.checks) for exercise in loaded)
    print(f"OK: {len(loaded)} exercise(s), {checks} check(s)")
    return 0


def cmd_check(args, lang: str) -> int:
    try:
        chosen = exercise_files.select(exercise_files.load([args.exercises]), args.ids)
    except GraderError as error:
        return emit_error(error, args, lang)
    report = grading.check(chosen, host=args.host)
    if report.error:
        print(report.error.render(lang), file=sys.stderr)
    emit(report, args, lang)
    return report.exit_code


def cmd_schema(args, lang: str) -> int:
    if args.write:
        schema.SCHEMA_FILE.write_text(schema.dumps(), encoding="utf-8")
        print(schema.SCHEMA_FILE)
    else:
        sys.stdout.write(schema.dumps())
    return 0


def emit_error(error: GraderError, args, lang: str) -> int:
    """A run that could not start still gets a complete document in the chosen format."""
    print(error.render(lang), file=sys.stderr)
    emit(Report((), error=error.message, error_exit_code=error.exit_code), args, lang, quiet_text=True)
    return error.exit_code


def emit(report: Report, args, lang: str, quiet_text: bool = False) -> None:
    if quiet_text and args.format == "text" and not args.output:
        return  # the error is on stderr already; a text table of nothing adds no information
    color = args.output is None and sys.stdout.isatty() and "NO_COLOR" not in os.environ
    text = WRITERS[args.format](report, lang, color=color)
    if args.output is None:
        sys.stdout.write(text)
    else:
        write_file(args.output, text)


def write_file(path: Path, text: str) -> None:
    """Writes through a temporary file and a rename, so a reader never sees half a document."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=path.parent, delete=False, prefix=f".{path.name}.") as tmp:
            tmp.write(text)
        os.replace(tmp.name, path)
    except OSError as error:
        raise UsageError(msg("usage.output", path=str(path), reason=error.strerror or error)) from None


COMMANDS = {
    "list": cmd_list,
    "validate": cmd_validate,
    "check": cmd_check,
    "schema": cmd_schema,
}

if __name__ == "__main__":
    sys.exit(main())
