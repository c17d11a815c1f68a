"""The pytest entry point of docker-grader (``pytest11``): installing the package adds its options,
and nothing else until a run asks for grading.

A run asks with ``--grader`` (the exercises folder found as the CLI finds it), ``--grader-exercises
FOLDER_OR_COURSE``, or the ``grader_exercises`` ini option. Only then is ``checks.pytest_plugin``
loaded: an unrelated suite, even one with YAML files under ``exercises/`` or a package of its own
named ``checks``, is never touched. This module imports nothing of the grader for that reason.

The options are the CLI's, with a ``grader-`` prefix so as not to clash with other plugins':
``--grader-exercises``, ``--grader-exercise ID``, ``--grader-lang``, ``--grader-host``.
"""

from __future__ import annotations

PLUGIN = "checks.pytest_plugin"
LANGS = ("pt-BR", "en")  # checks.messages.LANGS, repeated so that loading this module loads no grader code


def pytest_addoption(parser) -> None:
    group = parser.getgroup("docker-grader", "grading Docker exercises (docker-grader)")
    group.addoption("--grader", action="store_true", help="grade: collect the exercises folder ($DOCKER_GRADER_EXERCISES, ./exercises, the installed course) when no path is given")
    group.addoption("--grader-exercises", metavar="FOLDER_OR_COURSE", help="grade the exercises in this folder, or of this installed course (as docker-grader --exercises)")
    group.addoption("--grader-exercise", action="append", default=[], metavar="ID", help="grade only this exercise (repeatable; as docker-grader check --exercise)")
    group.addoption("--grader-lang", choices=LANGS, help="language of hints (as docker-grader --lang)")
    group.addoption("--grader-host", "--docker-host", dest="grader_host", metavar="HOST", help="daemon to grade (as docker-grader check --host)")
    parser.addini("grader_exercises", "folder whose YAML files are exercises to grade; setting it turns grading on", default="")


def asked(config) -> bool:
    """Whether this run grades: an option of the grader's, or the ini option, says so."""
    return bool(config.getoption("grader") or config.getoption("grader_exercises") or config.getini("grader_exercises"))


def pytest_configure(config) -> None:
    if asked(config) and not config.pluginmanager.has_plugin(PLUGIN):
        config.pluginmanager.import_plugin(PLUGIN)
