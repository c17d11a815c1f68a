"""The user's language, and the command line's own words in it.

The language comes from ``--lang``, then ``LANGUAGE`` (a colon-separated list, as GNU gettext reads
it; the first language of the list the grader speaks), then the first of ``LC_ALL``, ``LC_MESSAGES``
and ``LANG`` that is set, then the course's own
default (its ``course.yaml``). ``C``, ``POSIX`` and ``C.UTF-8`` name no language, so they fall to
the course's default, as does a language the grader does not speak.

``--help`` and argparse's own messages go through gettext: argparse already calls ``gettext`` for
its words, and ``using(lang)`` points those calls, and the CLI's help texts (``_``), at the compiled
catalog shipped in ``checks/locale/`` (``docker-grader.po``, compiled by ``scripts/msgfmt.py``).
"""

from __future__ import annotations

import argparse
import contextlib
import gettext as gettext_module
from pathlib import Path
from typing import Mapping

from checks.messages import DEFAULT_LANG, LANGS, detect_lang

DOMAIN = "docker-grader"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"
LOCALE_OF = {"pt-BR": "pt_BR", "en": "en"}

_current: gettext_module.NullTranslations = gettext_module.NullTranslations()


def choose(explicit: str | None = None, course_default: str | None = None, environ: Mapping[str, str] | None = None) -> str:
    """--lang, else the environment, else the course's default, else pt-BR."""
    if explicit in LANGS:
        return explicit
    return detect_lang(environ, course_default if course_default in LANGS else DEFAULT_LANG)


@contextlib.contextmanager
def using(lang: str):
    """Within it, argparse's words and ``_`` come from the catalog of ``lang`` (English needs none);
    after it, argparse has its own gettext back, for whatever else parses arguments in this process."""
    global _current
    saved = _current, argparse._, argparse.ngettext
    _current = gettext_module.translation(DOMAIN, LOCALE_DIR, [LOCALE_OF[lang]], fallback=True)
    argparse._ = _current.gettext  # argparse looks its gettext up by name on every call
    argparse.ngettext = _current.ngettext
    try:
        yield
    finally:
        _current, argparse._, argparse.ngettext = saved


def _(text: str) -> str:
    """A help text of the CLI, in the language ``use`` chose."""
    return _current.gettext(text)
