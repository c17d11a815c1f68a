"""A plugin kind's contract, judged without installing anything: each fault named, in the words the
refusal shows. Mutation testing found contract_fault, the METADATA reading and the import of an
entry point's value with no fast test (test_kind_plugins.py installs real packages, with a daemon)."""

from __future__ import annotations

from types import SimpleNamespace

from checks.kinds import plugins
from checks.messages import CATALOG
from checks.reads import names as read_names


def kind(**overrides) -> SimpleNamespace:
    fields = {
        "SCHEMA": {"properties": {"port": {"type": "integer"}}},
        "evaluate": lambda spec, snapshot: None,
        "MESSAGES": {"ports_open.ok": {"pt-BR": "aberta", "en": "open"}},
        "READS": ("inspect",),
    }
    fields.update(overrides)
    return SimpleNamespace(**{name: value for name, value in fields.items() if value is not ...})


def test_a_kind_that_keeps_the_contract_has_no_fault():
    assert plugins.contract_fault("ports_open", kind()) is None
    assert plugins.contract_fault("ports_open", kind(READS=list(read_names()), MESSAGES={})) is None
    assert plugins.contract_fault("ports_open", kind(READS=...)) is None  # READS may be left out
    assert plugins.contract_fault("p" * 40, kind(MESSAGES={})) is None


def test_each_fault_of_a_plugin_kind_is_named():
    schema_fault = "SCHEMA must be a JSON Schema fragment with the kind's keys in `properties`"
    assert plugins.contract_fault("Ports", kind()) == "the name must match [a-z][a-z0-9_]{0,39}"
    assert plugins.contract_fault("p" * 41, kind()) == "the name must match [a-z][a-z0-9_]{0,39}"
    assert plugins.contract_fault("ports_open", kind(SCHEMA=...)) == schema_fault
    assert plugins.contract_fault("ports_open", kind(SCHEMA=[])) == schema_fault
    assert plugins.contract_fault("ports_open", kind(SCHEMA={"properties": []})) == schema_fault
    assert plugins.contract_fault("ports_open", kind(SCHEMA={"properties": {}})) == schema_fault
    assert plugins.contract_fault("ports_open", kind(SCHEMA={"properties": {"points": {}, "name": {}, "port": {}}})) == (
        "SCHEMA redefines keys every check has: name, points")
    assert plugins.contract_fault("ports_open", kind(evaluate=...)) == "evaluate(spec, snapshot) -> Result is missing"
    assert plugins.contract_fault("ports_open", kind(evaluate="no")) == "evaluate(spec, snapshot) -> Result is missing"
    assert plugins.contract_fault("ports_open", kind(MESSAGES=...)) == "MESSAGES must map message keys to their texts"
    assert plugins.contract_fault("ports_open", kind(MESSAGES=[])) == "MESSAGES must map message keys to their texts"


def test_each_fault_of_a_plugin_kinds_messages_and_reads_is_named():
    def fault(messages=None, reads=("inspect",)):
        return plugins.contract_fault("ports_open", kind(MESSAGES=messages or {}, READS=reads))

    assert fault({"other.ok": {"pt-BR": "a", "en": "b"}}) == "message key 'other.ok' must start with 'ports_open.'"
    assert fault({"ports_openx": {"pt-BR": "a", "en": "b"}}) == "message key 'ports_openx' must start with 'ports_open.'"
    assert fault({1: {"pt-BR": "a", "en": "b"}}) == "message key 1 must start with 'ports_open.'"
    needs = "message 'ports_open.ok' needs a text in each of pt-BR, en"
    assert fault({"ports_open.ok": {"en": "b"}}) == needs
    assert fault({"ports_open.ok": {"pt-BR": "a", "en": "b", "fr": "c"}}) == needs
    assert fault({"ports_open.ok": {"pt-BR": "", "en": "b"}}) == needs
    assert fault({"ports_open.ok": {"pt-BR": 1, "en": "b"}}) == needs
    assert fault({"ports_open.ok": "open"}) == needs
    reads = f"READS must list some of: {', '.join(read_names())}"
    assert fault(reads=("inspect", "shell")) == reads
    assert fault(reads="inspect") == reads


def test_a_message_key_of_the_graders_own_is_refused_unless_it_is_the_same_text():
    import checks.kinds.http  # noqa: F401 - its messages are registered when it is imported, as a kind is lazily

    key = next(key for key in CATALOG if key.startswith("http."))
    own = plugins.contract_fault("http", kind(MESSAGES={key: {"pt-BR": "outro", "en": "other"}}))
    assert own == f"message {key!r} is the grader's own already"
    assert plugins.contract_fault("http", kind(MESSAGES={key: dict(CATALOG[key])})) is None


def test_the_distributions_name_and_version_come_from_its_metadata(tmp_path):
    assert plugins._name_and_version(str(tmp_path), "sneaky_kinds", "0") == ("sneaky_kinds", "0")
    (tmp_path / "PKG-INFO").write_text("Metadata-Version: 2.1\nName: Sneaky-Kinds \nVersion: 1.2\n\nName: not this\n")
    assert plugins._name_and_version(str(tmp_path), "sneaky_kinds", "0") == ("Sneaky-Kinds", "1.2")
    (tmp_path / "METADATA").write_text("Metadata-Version: 2.1\nSummary: a: b\n")
    assert plugins._name_and_version(str(tmp_path), "sneaky_kinds", "0") == ("sneaky_kinds", "0")


def test_an_entry_points_value_is_a_module_and_its_attributes():
    import os.path

    assert plugins._import("os.path") is os.path
    assert plugins._import(" os : path.join ") is os.path.join
    assert plugins._said(KeyError("x")) == "KeyError: 'x'"
