"""What several kinds compare: one value against the expected one, and key/value pairs such as
labels or environment variables, where a pair may ask for a value, for "set" or for "not set"."""

from __future__ import annotations

from typing import Mapping

from checks.messages import Message, msg, register

MESSAGES = {
    "expected.differs": {"pt-BR": "{field} é {found}, esperado {expected}", "en": "{field} is {found}, expected {expected}"},
    "expected.set": {"pt-BR": "definido", "en": "set"},
    "expected.unset": {"pt-BR": "não definido", "en": "not set"},
}
register(MESSAGES)


# Expected pairs, for a kind's schema to extend with its description and examples.
PAIRS = {
    "type": "object",
    "additionalProperties": {"type": ["string", "boolean"]},
    "minProperties": 1,
}
PAIRS_HELP = " A value of true: set, to anything; false: not set."


def differs(field: str, found, expected) -> Message:
    return msg("expected.differs", field=field, found=found, expected=expected)


def pair_problems(field: str, expected: Mapping[str, str | bool], actual: Mapping[str, str]) -> list[Message]:
    """One message per expected pair that ``actual`` does not hold."""
    problems = []
    for key, wanted in expected.items():
        value = actual.get(key)
        if wanted is True:
            ok = value is not None
        elif wanted is False:
            ok = value is None
        else:
            ok = value == wanted
        if not ok:
            shown = msg("expected.unset") if value is None else repr(value)
            want = repr(wanted) if isinstance(wanted, str) else msg("expected.set") if wanted else msg("expected.unset")
            problems.append(differs(f"{field} {key}", shown, want))
    return problems


def env_map(env: list | None) -> dict[str, str]:
    """An Env list (NAME=value) as a mapping; a name without '=' is set to the empty text."""
    pairs = (item.partition("=") for item in env or () if isinstance(item, str))
    return {name: value for name, _, value in pairs}
