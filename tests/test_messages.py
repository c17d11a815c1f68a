"""Every message of the grader exists in pt-BR and en, with the same fields; every key used exists."""

from __future__ import annotations

import re

import pytest

from checks.messages import CATALOG, LANGS, detect_lang, placeholders

from conftest import ROOT


@pytest.mark.parametrize("key", sorted(CATALOG))
def test_both_languages_with_the_same_fields(key):
    texts = CATALOG[key]
    assert set(texts) == set(LANGS), f"{key} misses a language"
    assert all(texts[lang].strip() for lang in LANGS)
    assert placeholders(texts["pt-BR"]) == placeholders(texts["en"])


def test_every_key_used_in_the_code_is_in_the_catalog():
    used = set()
    for path in (ROOT / "checks").rglob("*.py"):
        used |= set(re.findall(r'msg\(\s*f?"([a-z_.{}]+)"', path.read_text()))
    literal = {key for key in used if "{" not in key}
    assert literal and literal <= set(CATALOG), literal - set(CATALOG)


@pytest.mark.parametrize("environ, lang", [
    ({}, "pt-BR"),
    ({"LANG": "C.UTF-8"}, "pt-BR"),
    ({"LANG": "en_US.UTF-8"}, "en"),
    ({"LC_ALL": "pt_BR.UTF-8", "LANG": "en_US.UTF-8"}, "pt-BR"),
    ({"LC_ALL": "en_GB", "LANG": "pt_BR"}, "en"),
])
def test_language_from_the_environment(environ, lang):
    assert detect_lang(environ) == lang
