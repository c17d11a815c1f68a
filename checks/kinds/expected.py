"""What several kinds compare: one value against the expected one, and key/value pairs such as
labels or environment variables, where a pair may ask for a value, for "set" or for "not set"."""

from __future__ import annotations

from typing import Mapping

from checks.messages import Message, msg, register

MESSAGES = {
    "expected.differs": {"pt-BR": "{field} é {found}, esperado {expected}", "en": "{field} is {found}, expected {expected}"},
    "expected.set": {"pt-BR": "definido", "en": "set"},
    "expected.unset": {"pt-BR": "não definido", "en": "not set"},
    "expected.not": {"pt-BR": "não definido ou diferente de {value}", "en": "not set or other than {value}"},
}
register(MESSAGES)


# One expected value of a pair: a text, true (set), false (not set), or {not: text} (not set, or set to anything else).
PAIR_VALUE = {
    "type": ["string", "boolean", "object"],
    "properties": {"not": {"type": "string"}},
    "required": ["not"],
    "additionalProperties": False,
}
# Expected pairs, for a kind's schema to extend with its description and examples.
PAIRS = {
    "type": "object",
    "additionalProperties": PAIR_VALUE,
    "minProperties": 1,
}
PAIRS_HELP = " A value of true: set, to anything; false: not set; {not: text}: not set, or set to anything but that text."


def pair_holds(wanted, value: str | None) -> bool:
    """Whether a value (None: not set) is as one expected pair value asks."""
    if wanted is True:
        return value is not None
    if wanted is False:
        return value is None
    if isinstance(wanted, Mapping):
        return value != wanted["not"]
    return value == wanted


def shown_expected(wanted):
    """An expected pair value as a message shows it."""
    if isinstance(wanted, Mapping):
        return msg("expected.not", value=repr(wanted["not"]))
    return repr(wanted) if isinstance(wanted, str) else msg("expected.set") if wanted else msg("expected.unset")


def differs(field: str, found, expected) -> Message:
    return msg("expected.differs", field=field, found=found, expected=expected)


def pair_problems(field: str, expected: Mapping[str, str | bool], actual: Mapping[str, str]) -> list[Message]:
    """One message per expected pair that ``actual`` does not hold."""
    problems = []
    for key, wanted in expected.items():
        value = actual.get(key)
        if not pair_holds(wanted, value):
            shown = msg("expected.unset") if value is None else repr(value)
            problems.append(differs(f"{field} {key}", shown, shown_expected(wanted)))
    return problems


def env_map(env: list | None) -> dict[str, str]:
    """An Env list (NAME=value) as a mapping; a name without '=' is set to the empty text."""
    pairs = (item.partition("=") for item in env or () if isinstance(item, str))
    return {name: value for name, _, value in pairs}
