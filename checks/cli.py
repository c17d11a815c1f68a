"""``docker-grader``: parses, calls the engine, prints, maps the grader's own errors to exit codes.

Exit codes: 0 every check passed, 1 a check failed, 2 bad input (file, id, option),
3 daemon not reachable, 4 the lab could not start, 5 no check failed but some could not tell
(checks.results.Result.unknown), 130 interrupted.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Sequence

from checks import courses, grading
from checks import exercises as exercise_files
from checks import colors
from checks import lang as language
from checks.errors import EXIT_BAD_INPUT, EXIT_INTERRUPTED, GraderError, LabError, UsageError, exit_code
from checks.lang import _
from checks.messages import LANGS, closest, msg
from checks.report import WRITERS
from checks.report.escape import printed, terminal
from checks.result_files import write_file
from checks.results import Report, stopped


def default_exercises() -> Path:
    """DOCKER_GRADER_EXERCISES, else ./exercises, else the bundled course (checks.courses)."""
    return courses.exercises_folder()


class Formatter(argparse.HelpFormatter):
    """argparse's help layout, given the terminal's width as shutil.get_terminal_size finds it, so
    that building the parser (every run, help shown or not) does not import shutil, bz2 and lzma."""

    def __init__(self, prog: str, indent_increment: int = 2, max_help_position: int = 24, width: int | None = None):
        super().__init__(prog, indent_increment, max_help_position, width if width is not None else _columns() - 2)


def _columns() -> int:
    try:
        columns = int(os.environ["COLUMNS"])
    except (KeyError, ValueError):
        columns = 0
    if columns <= 0:
        try:
            columns = os.get_terminal_size(sys.__stdout__.fileno()).columns
        except (AttributeError, ValueError, OSError):
            columns = 0
    return columns if columns > 0 else 80


class Parser(argparse.ArgumentParser):
    """argparse that reports a bad option as a UsageError (exit 2) in the user's language."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("formatter_class", Formatter)
        super().__init__(*args, **kwargs)

    def error(self, message: str):  # noqa: D401 - argparse's hook
        raise UsageError(msg("usage.option", reason=message))


def build_parser() -> Parser:
    common = Parser(add_help=False)
    common.add_argument("--lang", choices=LANGS, help=_("language of messages (default: LANGUAGE, LC_ALL, LC_MESSAGES, LANG, else the course's own)"))
    common.add_argument(
        "--exercises", metavar=_("FOLDER_OR_COURSE"),
        help=_("folder of exercise files, or an installed course's name (default: $DOCKER_GRADER_EXERCISES, ./exercises, the installed course)"),
    )
    output = Parser(add_help=False)
    output.add_argument("--format", choices=sorted(WRITERS), default="text", help=_("output format (default: text)"))
    output.add_argument("--output", type=Path, help=_("write the result to this file instead of stdout"))
    output.add_argument(
        "--report", action="append", default=[], type=report_target, metavar="FORMAT=FILE",
        help=_("also write the result in another format to a file (repeatable), e.g. markdown=\"$GITHUB_STEP_SUMMARY\""),
    )
    output.add_argument(
        "--github-output", action="store_true",
        help=_("also append the GitHub Classroom result, base64-encoded, to $GITHUB_OUTPUT as `result`"),
    )

    daemon = Parser(add_help=False)
    daemon.add_argument("-H", "--host", help=_("daemon address, as docker -H (default: DOCKER_HOST, the docker context, the default socket)"))
    daemon.add_argument("--context", help=_("docker context to use, as docker --context (default: DOCKER_CONTEXT, then `docker context use`)"))

    parser = Parser(prog="docker-grader", description=_("Grades Docker course exercises on a real daemon."), parents=[common])
    parser.add_argument("--version", action=_Version, help=_("print the version and exit"))
    commands = parser.add_subparsers(dest="command", parser_class=Parser)  # none given: main prints the help

    listing = Parser(add_help=False)
    listing.add_argument("--format", choices=["json", "text"], default="text", help=_("output format (default: text)"))
    commands.add_parser("list", parents=[common, listing], help=_("list the exercises"))
    validate = commands.add_parser("validate", parents=[common], help=_("validate exercise files"))
    validate.add_argument("paths", nargs="*", type=Path, help=_("files or folders (default: the exercises folder)"))
    check = commands.add_parser("check", parents=[common, daemon, output], help=_("grade a daemon's state"))
    check.add_argument("ids", nargs="*", metavar="ID", help=_("exercises to grade (default: all)"))
    check.add_argument("--exercise", action="append", default=[], metavar="ID", help=_("grade only this exercise (repeatable)"))
    commands.add_parser("start", parents=[common, daemon], help=_("record a daemon's state and events now: `check` then grades what comes after"))
    watch = commands.add_parser("watch", parents=[common, daemon, output], help=_("grade again after each change on the daemon, live; Ctrl-C prints the summary"))
    watch.add_argument("ids", nargs="*", metavar="ID", help=_("exercises to grade (default: all)"))
    watch.add_argument("--exercise", action="append", default=[], metavar="ID", help=_("grade only this exercise (repeatable)"))
    show = commands.add_parser("show", parents=[common], help=_("print an exercise's title, instructions and points"))
    show.add_argument("id", metavar="ID", help=_("the exercise (see `docker-grader list`)"))
    run = commands.add_parser("run", parents=[common, output], help=_("grade a submission's command files in a fresh lab"))
    run.add_argument("submission", type=Path, help=_("folder with one command file per exercise, named by its id"))
    run.add_argument("ids", nargs="*", metavar="ID", help=_("exercises to grade (default: all)"))
    run.add_argument("--exercise", action="append", default=[], metavar="ID", help=_("grade only this exercise (repeatable)"))
    run.add_argument("--timeout", type=seconds, default=60.0, help=_("seconds each command may take (default: 60)"))
    run.add_argument("--exercise-timeout", type=seconds, default=300.0, help=_("seconds an exercise's commands may take together (default: 300)"))
    run.add_argument("--run-timeout", type=seconds, default=1200.0, help=_("seconds the whole run's commands may take (default: 1200)"))
    run.add_argument("--jobs", metavar="N", help=_("grade a class: SUBMISSION holds one subfolder per submission, graded N at a time, each in its own lab; auto: as many as suit the machine's cores and memory"))
    run.add_argument("--results", type=Path, default=Path("results"), help=_("with --jobs: folder for each submission's reports and the class summary (default: ./results)"))
    run.add_argument("--shard", metavar="K/N", help=_("with --jobs: grade only shard K of N, the submissions whose name hashes to it; `docker-grader merge` joins the shards' results"))
    run.add_argument("--resume", action="store_true", help=_("with --jobs: keep the results of submissions an earlier batch graded to the end, if their files and the options are unchanged"))

    merge = commands.add_parser("merge", parents=[common], help=_("join the results folders of a class graded in shards (run --shard K/N) into one summary"))
    merge.add_argument("folders", nargs="+", type=Path, metavar="RESULTS", help=_("each shard's --results folder"))
    merge.add_argument("--output", type=Path, default=Path("results"), help=_("folder for the merged summary.csv and summary.json (default: ./results)"))
    lab = commands.add_parser("lab", parents=[common], help=_("the offline lab: a registry and a dockerd of the grader's own"))
    lab_commands = lab.add_subparsers(dest="lab_command", required=True, parser_class=Parser)
    for name, text in (("up", _("start a lab")), ("down", _("stop a lab and remove its files")), ("env", _("print export DOCKER_HOST=... for eval")), ("status", _("list the labs"))):
        sub = lab_commands.add_parser(name, parents=[common], help=text)
        if name != "status":
            sub.add_argument("--name", default="default", help=_("lab name (default: default)"))
            sub.add_argument("--dir", type=Path, help=_("the lab's folder (default: under DOCKER_GRADER_LABS)"))
        if name == "down":
            sub.add_argument("--all", action="store_true", help=_("every lab, and all that runs killed by SIGKILL left: their labs, sandboxes, cgroups and scratch folders"))

    requirements = commands.add_parser("requirements", parents=[common], help=_("write .trybe/requirements.json for Trybe-style evaluation"))
    requirements.add_argument("--output", type=Path, default=Path(".trybe/requirements.json"), help=_("file to write, - for stdout (default: .trybe/requirements.json)"))

    commands.add_parser("doctor", parents=[common, daemon], help=_("what this machine can do: the daemon check grades, the lab, the sandbox, the tools"))

    show_schema = commands.add_parser("schema", parents=[common], help=_("print the exercise JSON Schema"))
    show_schema.add_argument("--write", action="store_true", help=_("write it to exercise.schema.json in the package"))
    show_schema.add_argument("--path", action="store_true", help=_("print the path of the installed schema file, for an editor's settings"))
    show_schema.add_argument("--course", action="store_true", help=_("the schema of course.yaml instead of the exercise files'"))
    show_schema.add_argument("--output", type=Path, metavar="FILE", help=_("write it to this file (a copy in the course's folder, for editors)"))
    commands.add_parser("courses", parents=[common, listing], help=_("list the installed courses by name"))
    return parser


def seconds(value: str) -> float:
    """A time limit: a positive, finite number of seconds (``nan``, ``inf``, 0 and below are usage errors)."""
    import math

    try:
        number = float(value)
    except ValueError:
        number = math.nan
    if not (math.isfinite(number) and number > 0):
        raise argparse.ArgumentTypeError(_("%(value)r: expected a positive number of seconds") % {"value": value})
    return number


def report_target(value: str) -> tuple[str, Path]:
    """``FORMAT=FILE`` for --report."""
    fmt, sep, path = value.partition("=")
    if not sep or fmt not in WRITERS or not path:
        raise argparse.ArgumentTypeError(_("%(value)r: expected FORMAT=FILE, FORMAT one of %(formats)s") % {"value": value, "formats": ", ".join(sorted(WRITERS))})
    return fmt, Path(path)


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    lang = _early_lang(argv)
    try:
        with language.using(lang):
            parser = build_parser()
            _known_command(argv)
            args = parser.parse_args(argv)
            if args.command is None:  # bare `docker-grader`: what it can do, rather than a complaint
                parser.print_help()
                return EXIT_BAD_INPUT
        lang = args.lang or lang
        args.exercises = courses.exercises_folder(args.exercises)
        if getattr(args, "github_output", False) and not os.environ.get("GITHUB_OUTPUT"):
            raise UsageError(msg("usage.github_output"))
        return COMMANDS[args.command](args, lang)
    except GraderError as error:
        print(printed(terminal(error.render(lang), keep="\t\n")), file=sys.stderr)
        return exit_code(error)
    except KeyboardInterrupt as interrupt:
        return exit_code(interrupt)


def _known_command(argv: list[str]) -> None:
    """An unknown command is a UsageError naming the closest, as an unknown exercise id is."""
    index = 0
    while index < len(argv):
        arg = argv[index]
        if arg == "--":
            return
        if arg in ("--lang", "--exercises"):
            index += 2  # an option of the main parser, and its value
            continue
        if arg.startswith("-"):
            index += 1
            continue
        if arg not in COMMANDS:
            raise UsageError(msg("usage.unknown_command", command=arg, closest=", ".join(closest(arg, COMMANDS, 1))))
        return


def _early_lang(argv: list[str]) -> str:
    """The language before parsing, so that --help and parse errors are already in it: --lang, the
    environment, then the default language of the course that --exercises (or its default) names."""
    explicit, exercises = _early_option(argv, "--lang"), _early_option(argv, "--exercises")
    if explicit in LANGS:
        return explicit
    try:
        folder = courses.exercises_folder(exercises)
        course_default = courses.default_lang([folder])
    except GraderError:
        course_default = None  # parsing or loading reports it, in the environment's language
    return language.choose(None, course_default)


def _early_option(argv: list[str], name: str) -> str | None:
    for index, arg in enumerate(argv):
        if arg == "--":
            break
        if arg.startswith(name + "="):
            return arg.split("=", 1)[1]
        if arg == name and index + 1 < len(argv):
            return argv[index + 1]
    return None


class _Version(argparse.Action):
    """--version, with the version looked up only when asked (importlib.metadata is a slow import)."""

    def __init__(self, option_strings, dest=argparse.SUPPRESS, default=argparse.SUPPRESS, help=None):
        super().__init__(option_strings, dest=dest, default=default, nargs=0, help=help)

    def __call__(self, parser, namespace, values, option_string=None):
        print(f"docker-grader {version()}")
        parser.exit()


def version() -> str:
    """The installed distribution's version (the source tree's, from pyproject.toml, when not installed)."""
    from importlib import metadata

    try:
        return metadata.version("docker-grader")
    except metadata.PackageNotFoundError:
        return "0+unknown"


def cmd_courses(args, lang: str) -> int:
    if args.format == "json":
        return _print_json(courses.courses_document(courses.bundled()))
    for course in courses.bundled():
        print(f"{course.name}  {course.lang}  {course.title[lang]}  {course.path}")
    return 0


def _print_json(document: dict) -> int:
    sys.stdout.write(json.dumps(document, indent=2, ensure_ascii=False) + "\n")
    return 0


def cmd_list(args, lang: str) -> int:
    loaded = exercise_files.load([args.exercises])
    if args.format == "json":
        return _print_json(courses.exercises_document(loaded))
    width = max(len(exercise.id) for exercise in loaded)
    for exercise in loaded:
        print(f"{exercise.id.ljust(width)}  {exercise.max_score:>3g}  {exercise.title[lang]}")
    print(msg("list.show").render(lang), file=sys.stderr)  # on stderr: the list itself stays one exercise a line
    return 0


def cmd_show(args, lang: str) -> int:
    """An exercise's title, instructions and points, in the chosen language."""
    import textwrap

    [exercise] = exercise_files.select(exercise_files.load([args.exercises]), [args.id])
    print(f"{exercise.id} — {exercise.title[lang]}\n")
    for paragraph in exercise.description[lang].split("\n"):
        print(textwrap.fill(paragraph, 100) if paragraph.strip() else "")
    print("\n" + msg("show.points", points=f"{exercise.max_score:g}", checks=len(exercise.checks)).render(lang))
    for check in exercise.checks:
        name = msg("report.hidden").render(lang) if check.visibility == "hidden" else check.name
        print(msg("show.check", name=name, points=f"{check.points:g}").render(lang))
    print("\n" + msg("show.how", id=exercise.id).render(lang))
    return 0


def cmd_validate(args, lang: str) -> int:
    from checks.lab import served

    loaded = exercise_files.load(args.paths or [args.exercises])
    for exercise in loaded:  # what no lab can serve: said, but the file is valid (a build may make it)
        for warning in served.warnings(exercise):
            print(warning.render(lang), file=sys.stderr)
    checks = sum(len(exercise.checks) for exercise in loaded)
    print(f"OK: {len(loaded)} exercise(s), {checks} check(s)")
    return 0


def cmd_check(args, lang: str) -> int:
    chosen: list = []
    try:
        chosen = exercise_files.select(exercise_files.load([args.exercises]), args.ids + args.exercise)
        if args.host and args.context:
            raise UsageError(msg("endpoint.both"))
    except GraderError as error:
        return emit_error(error, args, lang, planned=chosen)
    report = grading.grade_daemon(chosen, host=args.host, context=args.context)
    return finish(report, args, lang)


def cmd_start(args, lang: str) -> int:
    taken, path = grading.begin(exercise_files.load([args.exercises]), args.host, args.context)
    daemon = taken.daemon_id[:14]
    print(msg("baseline.saved", daemon=daemon, time=taken.shown_time(), containers=len(taken.containers), images=len(taken.images), path=path).render(lang))
    return 0


def cmd_watch(args, lang: str) -> int:
    """Grades again after each change until Ctrl-C, then prints the summary as ``check`` does."""
    from checks import watch

    chosen: list = []
    following = None
    try:
        chosen = exercise_files.select(exercise_files.load([args.exercises]), args.ids + args.exercise)
        following = watch.Watch(chosen, lang, args.host, args.context, _progress(lang))
        following.follow()
    except GraderError as error:  # as `check` says it: the same document, the same exit code
        return emit_error(error, args, lang, planned=chosen)
    except KeyboardInterrupt:
        print(file=sys.stderr)  # after the terminal's ^C
    if following is None or following.last is None:
        return EXIT_INTERRUPTED  # stopped before the first grading ended: nothing to sum up
    return finish(following.last, args, lang)


def cmd_run(args, lang: str) -> int:
    from checks import runner  # the lab's modules: only `run` and `lab` need them

    if args.jobs is not None:
        return cmd_run_class(args, lang)
    if args.shard is not None:
        raise UsageError(msg("shard.needs_jobs"))
    chosen: list = []
    try:
        chosen = exercise_files.select(exercise_files.load([args.exercises]), args.ids + args.exercise)
        budget = runner.Budget(command=args.timeout, exercise=args.exercise_timeout, run=args.run_timeout)
        codes: list[int] = []  # the report is written before the lab's teardown, also when interrupted
        report = runner.run(args.submission, chosen, progress=_progress(lang), budget=budget, lang=lang,
                            deliver=lambda report: codes.append(finish(report, args, lang)))
    except GraderError as error:
        return emit_error(error, args, lang, planned=chosen)  # the exercises, when known, listed as not graded
    return codes[0] if codes else finish(report, args, lang)


def cmd_run_class(args, lang: str) -> int:
    """``run --jobs N``: every subfolder graded in a process and a lab of its own; a summary on stdout."""
    from checks import batch

    if args.jobs == "auto":
        jobs = batch.auto_jobs()
    elif args.jobs.isdigit() and int(args.jobs) >= 1:
        jobs = int(args.jobs)
    else:
        raise UsageError(msg("usage.option", reason="--jobs: a number, at least 1, or auto"))
    shard = batch.parse_shard(args.shard) if args.shard is not None else None
    options = ["--lang", lang, "--exercises", str(args.exercises), "--timeout", str(args.timeout),
               "--exercise-timeout", str(args.exercise_timeout), "--run-timeout", str(args.run_timeout)]
    options += [f"--exercise={exercise}" for exercise in args.exercise]
    outcome = batch.grade_class(args.submission, args.results, options, jobs, args.run_timeout + 300, batch.ProgressBar(lang),
                                resume=args.resume, shard=shard)
    graded = outcome.graded
    sys.stdout.write(printed((args.results / "summary.csv").read_text()))  # a folder name may start with ::
    counts = {status: sum(g.status == status for g in graded) for status in ("passed", "failed")}
    print(msg("batch.summary", total=len(graded), passed=counts["passed"], failed=counts["failed"],
              error=len(graded) - counts["passed"] - counts["failed"], csv=args.results / "summary.csv",
              json=args.results / "summary.json").render(lang), file=sys.stderr)
    if outcome.interrupted:
        done = sum(g.status != "interrupted" for g in graded)
        print(msg("batch.interrupted", done=done, total=len(graded)).render(lang), file=sys.stderr)
    return outcome.exit_code


def cmd_merge(args, lang: str) -> int:
    """``merge RESULTS...``: the shards' summaries joined into one, as one batch of the class writes it."""
    from checks import batch

    graded = batch.merge(args.folders, args.output)
    sys.stdout.write(printed((args.output / "summary.csv").read_text()))
    print(msg("merge.done", total=len(graded), count=len(args.folders), csv=args.output / "summary.csv",
              json=args.output / "summary.json").render(lang), file=sys.stderr)
    return batch.exit_code(graded)


def finish(report: Report, args, lang: str) -> int:
    """Prints the report; an error goes to stderr, as one line, whatever the format."""
    if report.error:
        print(printed(terminal(report.error.render(lang), keep="\t\n")), file=sys.stderr)
    for note in report.notes:
        print(printed(terminal(f"[docker-grader] {note.render(lang)}", keep="\t\n")), file=sys.stderr)
    emit(report, args, lang, quiet_text=bool(report.error and not report.exercises))
    return report.exit_code


def cmd_lab(args, lang: str) -> int:
    from checks import lab as lab_module

    if args.lab_command == "status":
        found = lab_module.labs()
        for lab in found:
            state = lab.read_state()
            print(f"{lab.name}  {lab.status()}  {lab.host}  {state.get('registry', '-')}")
        if not found:
            print(msg("lab.none").render(lang))
        return 0
    if getattr(args, "all", False):
        from checks.lab import orphans

        removed_labs, removed_runs = orphans.remove_all()
        print(msg("lab.removed_all", labs=removed_labs, runs=removed_runs).render(lang), file=sys.stderr)
        return 0
    lab = lab_module.Lab(args.name, args.dir)
    if args.lab_command == "up":
        exercises = exercise_files.load([args.exercises])
        lab.up([image for exercise in exercises for image in exercise.images], _progress(lang))
    elif args.lab_command == "down":
        if not lab.down(_progress(lang)):
            print(msg("lab.not_up", name=lab.name, options=lab.options).render(lang), file=sys.stderr)
    elif args.lab_command == "env":
        from shlex import quote

        if lab.status() != "up":
            raise LabError(msg("lab.not_up", name=lab.name, options=lab.options))
        for key, value in lab.environment().items():
            print(f"export {key}={quote(value)}")
    return 0


def _progress(lang: str):
    def show(message) -> None:
        print(printed(terminal(f"[docker-grader] {message.render(lang)}", keep="\t\n")), file=sys.stderr, flush=True)

    return show


def cmd_requirements(args, lang: str) -> int:
    from checks.report import trybe

    document = trybe.requirements(exercise_files.load([args.exercises]), lang)
    text = json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    if str(args.output) == "-":
        sys.stdout.write(text)
    else:
        write_file(args.output, text)
        print(args.output)
    return 0


def cmd_schema(args, lang: str) -> int:
    from checks import schema  # jsonschema: only `schema` (and validating a changed exercise file) needs it

    installed, text, schema_id = ((schema.COURSE_SCHEMA_FILE, schema.course_dumps(), schema.COURSE_SCHEMA_ID) if args.course
                                  else (schema.SCHEMA_FILE, schema.dumps(), schema.SCHEMA_ID))
    if args.path:
        print(installed)
        return 0
    if sys.stdout.isatty() and not (args.write or args.output):
        print(msg("schema.editors", id=schema_id).render(lang), file=sys.stderr)
    if args.write:
        installed.write_text(text, encoding="utf-8")
        print(installed)
    elif args.output:
        write_file(args.output, text)
        print(args.output)
    else:
        sys.stdout.write(text)
    return 0


def cmd_doctor(args, lang: str) -> int:
    from checks import doctor

    lines = doctor.diagnose(args.host, args.context)
    sys.stdout.write(doctor.render(lines, lang))
    return doctor.exit_code(lines)


def emit_error(error: GraderError, args, lang: str, planned=()) -> int:
    """A run that could not start still gets a complete document in the chosen format."""
    return finish(stopped(error, planned), args, lang)


def emit(report: Report, args, lang: str, quiet_text: bool = False) -> None:
    """Writes the report in the chosen format, then each --report, then the --github-output line."""
    for fmt, path in args.report:
        write_file(path, WRITERS[fmt](report, lang))
    if args.github_output:
        with open(os.environ["GITHUB_OUTPUT"], "a", encoding="utf-8") as stream:
            from checks.report import classroom

            stream.write(f"result={classroom.encoded(report, lang)}\n")
    if quiet_text and args.format == "text" and not args.output:
        return  # the error is on stderr already; a text table of nothing adds no information
    color = args.output is None and colors.wanted(sys.stdout)
    text = WRITERS[args.format](report, lang, color=color)
    if args.output is None:
        sys.stdout.write(printed(text))  # the edge of stdout, which a CI runner reads as its log
    else:
        write_file(args.output, text)


COMMANDS = {
    "list": cmd_list,
    "courses": cmd_courses,
    "validate": cmd_validate,
    "check": cmd_check,
    "start": cmd_start,
    "watch": cmd_watch,
    "show": cmd_show,
    "schema": cmd_schema,
    "requirements": cmd_requirements,
    "run": cmd_run,
    "lab": cmd_lab,
    "merge": cmd_merge,
    "doctor": cmd_doctor,
}

if __name__ == "__main__":
    sys.exit(main())
