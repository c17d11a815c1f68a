"""The plugin registry's rules without pip: entry points read from hand-made ``*.dist-info`` and
``*.egg-info`` folders, and kinds loaded from modules written for the test, each refusal in the
words it is shown in. test_kind_plugins.py installs real packages and grades with one against a
daemon; these are the fast tests of ``checks/kinds/plugins.py``, which mutation testing runs."""

from __future__ import annotations

import importlib
import json
import sys

import pytest

from checks import messages
from checks.kinds import BUILT_IN, plugins

KIND = '''
"""Containers that carry a label: a course's own check kind."""

from checks.messages import msg, register
from checks.results import Result

MESSAGES = {
    "container_label.found": {
        "pt-BR": "{count} container(s) com o rótulo {label}",
        "en": "{count} container(s) labelled {label}",
    },
}
register(MESSAGES)

READS = ()

SCHEMA = {
    "properties": {
        "label": {"type": "string", "pattern": "^[a-z.]+=.*$", "description": "KEY=VALUE"},
        "count": {"type": "integer", "minimum": 0},
    },
    "required": ["label", "count"],
}


def evaluate(spec, snapshot):
    key, _, value = spec["label"].partition("=")
    count = sum(container.labels.get(key) == value for container in snapshot.containers)
    return Result(count == spec["count"], msg("container_label.found", count=count, label=spec["label"]))
'''


@pytest.fixture
def modules(tmp_path, monkeypatch):
    """Writes modules importable for this test only; the catalog is restored after it."""
    monkeypatch.syspath_prepend(str(tmp_path))
    [BUILT_IN[name] for name in BUILT_IN]  # imported now: a kind imported while the catalog is this test's copy would leave its messages in it
    monkeypatch.setattr(messages, "CATALOG", dict(messages.CATALOG))
    monkeypatch.setattr(plugins, "CATALOG", messages.CATALOG)

    def write(name: str, text: str) -> str:
        (tmp_path / f"{name}.py").write_text(text)
        return name

    yield write
    for name in [name for name in sys.modules if name.startswith("hand_")]:
        del sys.modules[name]


def point(name: str, value: str, package: str = "hand-made") -> plugins.EntryPoint:
    return plugins.EntryPoint(name, value, package, "1.0")


def test_a_good_plugin_is_registered_with_its_messages(modules):
    kinds, problems = plugins.load(BUILT_IN, [point("container_label", modules("hand_good", KIND))])
    assert problems == [] and list(kinds) == ["container_label"]
    assert messages.msg("container_label.found", count=1, label="a=b").render("en") == "1 container(s) labelled a=b"


def test_two_packages_with_one_kind_name_keep_the_first(modules):
    name = modules("hand_good", KIND)
    kinds, problems = plugins.load(BUILT_IN, [point("container_label", name, "first-kinds"), point("container_label", name, "second-kinds")])
    assert list(kinds) == ["container_label"]
    assert [problem.render("en") for problem in problems] == [
        "packages first-kinds and second-kinds both bring check kind 'container_label': uninstall one of them"]


@pytest.mark.parametrize("change,reason", [
    (("READS = ()", 'READS = ("exec",)'), "READS must list some of: inspect, logs"),
    (('"container_label.found"', '"label.found"'), "message key 'label.found' must start with 'container_label.'"),
    (('"en": "{count} container(s) labelled {label}",', ""), "message 'container_label.found' needs a text in each of pt-BR, en"),
    (('"count": {"type"', '"points": {"type"'), "SCHEMA redefines keys every check has: points"),
    (("SCHEMA = {", "SCHEMA = {'x': 1} or {"), "SCHEMA must be a JSON Schema fragment"),
])
def test_a_plugin_that_keeps_no_contract_is_refused(modules, change, reason):
    text = KIND.replace("register(MESSAGES)\n", "").replace(*change)
    assert text != KIND.replace("register(MESSAGES)\n", "")
    kinds, problems = plugins.load(BUILT_IN, [point("container_label", modules("hand_bad", text))])
    assert kinds == {} and len(problems) == 1 and reason in problems[0].render("en"), problems[0].render("en")


def test_a_plugin_kind_name_must_be_a_kind_name(modules):
    kinds, problems = plugins.load(BUILT_IN, [point("Container-Label", modules("hand_good", KIND))])
    assert kinds == {} and "the name must match" in problems[0].render("en")


def test_entry_points_are_read_from_dist_info_folders(tmp_path):
    info = tmp_path / "course_kinds-1.2.0.dist-info"
    info.mkdir()
    (info / "entry_points.txt").write_text("[console_scripts]\nx = y\n\n[docker_grader.kinds]\ncontainer_label = course_kinds\n")
    shadow = tmp_path / "other" / "Course.Kinds-2.0.dist-info"  # the same distribution later on the path: ignored
    shadow.mkdir(parents=True)
    (shadow / "entry_points.txt").write_text("[docker_grader.kinds]\nother = other\n")
    found = plugins.entry_points([str(tmp_path / "missing"), str(tmp_path), str(tmp_path / "other")])
    assert found == [plugins.EntryPoint("container_label", "course_kinds", "course_kinds", "1.2.0")]


def test_a_plugin_schema_that_is_no_json_schema_is_its_packages_fault(modules, monkeypatch):
    from checks import kinds, schema
    from checks.errors import UsageError

    text = KIND.replace('"count": {"type": "integer"', '"count": {"type": "integr"')
    found, problems = plugins.load(BUILT_IN, [point("container_label", modules("hand_bad_schema", text))])
    assert problems == [] and list(found) == ["container_label"]  # its keys are checked when the schema is built
    monkeypatch.setattr(kinds, "PLUGINS", found)
    monkeypatch.setattr(kinds, "PACKAGES", {"container_label": "hand-made"})
    monkeypatch.setitem(kinds.KINDS, "container_label", found["container_label"])
    schema.validator.cache_clear()
    try:
        with pytest.raises(UsageError) as refused:
            schema.validator()
    finally:
        schema.validator.cache_clear()
    said = refused.value.render("en")
    assert "check kind 'container_label' of package hand-made does not keep a kind's contract: SCHEMA: 'integr' is not valid" in said, said


# --- entry_points: which folders, which distributions, which lines --------------------------------
def dist(root, folder: str, entry_points: str | bytes | None = None, **files: str):
    info = root / folder
    info.mkdir(parents=True)
    if isinstance(entry_points, bytes):
        (info / "entry_points.txt").write_bytes(entry_points)
    elif entry_points is not None:
        (info / "entry_points.txt").write_text(entry_points)
    for name, text in files.items():
        (info / name).write_text(text)
    return info


def test_every_distribution_of_a_folder_is_read_in_name_order(tmp_path):
    dist(tmp_path, "b_kinds-2.0.dist-info", "[docker_grader.kinds]\nsecond = b_kinds\nthird = b_kinds:other\n")
    dist(tmp_path, "a_kinds-1.0.egg-info", "[docker_grader.kinds]\nfirst = a_kinds\n")
    dist(tmp_path, "c_kinds-1.0.dist-info")  # no entry_points.txt: skipped, and the folder's next ones still read
    dist(tmp_path, "d_kinds-1.0.dist-info", b"[docker_grader.kinds]\nbad = \xff\n")  # not UTF-8: skipped
    dist(tmp_path, "e_kinds-3.1.4.dist-info", "[docker_grader.kinds]\nfourth = e_kinds\n")
    dist(tmp_path, "f_kinds-1.0.dist-info", "[console_scripts]\nf = f_kinds\n")  # no kinds: not a plugin
    (tmp_path / "g_kinds.py").write_text("")  # neither folder kind
    (tmp_path / "h_kinds-1.0.info").mkdir()
    assert plugins.entry_points([str(tmp_path)]) == [
        plugins.EntryPoint("first", "a_kinds", "a_kinds", "1.0"),
        plugins.EntryPoint("second", "b_kinds", "b_kinds", "2.0"),
        plugins.EntryPoint("third", "b_kinds:other", "b_kinds", "2.0"),
        plugins.EntryPoint("fourth", "e_kinds", "e_kinds", "3.1.4"),
    ]


def test_the_first_distribution_of_a_name_wins_within_a_folder_too(tmp_path):
    """Names compare as pip does: letter case and runs of -, _ and . do not matter."""
    dist(tmp_path, "Course.Kinds-2.0.dist-info", "[docker_grader.kinds]\nfrom_upper = upper\n")
    dist(tmp_path, "course__kinds-1.0.dist-info", "[docker_grader.kinds]\nfrom_lower = lower\n")
    dist(tmp_path, "course_kinds2-1.0.dist-info", "[docker_grader.kinds]\nanother = another\n")
    assert [(point.name, point.package, point.version) for point in plugins.entry_points([str(tmp_path)])] == [
        ("from_upper", "Course.Kinds", "2.0"), ("another", "course_kinds2", "1.0")]


def test_an_egg_info_version_stops_at_its_python_tag_and_the_empty_path_is_the_current_folder(tmp_path, monkeypatch):
    dist(tmp_path, "old_kinds-0.3-py3.11.egg-info", "[docker_grader.kinds]\nold = old_kinds\n")
    monkeypatch.chdir(tmp_path)
    assert plugins.entry_points([""]) == [plugins.EntryPoint("old", "old_kinds", "old_kinds", "0.3")]
    (tmp_path / "old_kinds-0.3-py3.11.egg-info" / "PKG-INFO").write_text("Name: Old-Kinds\nVersion: 0.3.1\n")
    assert plugins.entry_points([""]) == [plugins.EntryPoint("old", "old_kinds", "Old-Kinds", "0.3.1")]


def test_the_path_is_sys_path_unless_given(tmp_path, monkeypatch):
    dist(tmp_path, "path_kinds-1.0.dist-info", "[docker_grader.kinds]\nalong = path_kinds\n[other.group]\nx = y\n")
    monkeypatch.setattr(sys, "path", [str(tmp_path / "gone"), str(tmp_path)])
    assert plugins.entry_points() == [plugins.EntryPoint("along", "path_kinds", "path_kinds", "1.0")]
    assert plugins.entry_points(group="other.group") == [plugins.EntryPoint("x", "y", "path_kinds", "1.0")]
    assert plugins.entry_points([]) == []


def test_the_name_and_version_are_the_metadatas_before_pkg_info(tmp_path):
    dist(tmp_path, "sneaky_kinds-0.1.dist-info", "[docker_grader.kinds]\nsneaky = sneaky\n",
         METADATA="Metadata-Version: 2.1\nName: Sneaky-Kinds\nVersion: 0.1.post1\n",
         **{"PKG-INFO": "Name: not-this\nVersion: 9\n"})
    assert plugins.entry_points([str(tmp_path)]) == [plugins.EntryPoint("sneaky", "sneaky", "Sneaky-Kinds", "0.1.post1")]
    folder = tmp_path / "sneaky_kinds-0.1.dist-info"
    (folder / "METADATA").write_bytes(b"Name: Caf\xe9-Kinds\nVersion: 1\n")  # Latin-1: read with a replacement, not skipped
    assert plugins._name_and_version(str(folder), "x", "0") == ("Caf\ufffd-Kinds", "1")
    (folder / "METADATA").write_text("Name: only-a-name\n")
    assert plugins._name_and_version(str(folder), "x", "0.1") == ("only-a-name", "0.1")
    # the head ends at the first blank line; a description below may hold anything, blank lines too
    (folder / "METADATA").write_text("Name: head-name\nVersion: 1\n\nName: body\n\nName: later\nVersion: 2\n")
    assert plugins._name_and_version(str(folder), "x", "0") == ("head-name", "1")
    (folder / "METADATA").write_text("Name: odd: name\nVersion: 1: 2\n")  # a field's value is all after its first ": "
    assert plugins._name_and_version(str(folder), "x", "0") == ("odd: name", "1: 2")


def test_only_the_groups_own_lines_are_its_entry_points():
    text = """\
# a comment
[console_scripts]
x = y
[ docker_grader.kinds ]
  ; a comment of the other style
   # and an indented one
# commented = out
; also = out
first =  first_module
second=second_module:attr.deeper

no equals sign here
eq = mod:attr  = extra
odd = mod]
[docker_grader.kinds.more]
third = third_module
"""
    assert plugins._section(text, plugins.GROUP) == [
        ("first", "first_module"), ("second", "second_module:attr.deeper"), ("eq", "mod:attr  = extra"), ("odd", "mod]")]
    assert plugins._section(text, "console_scripts") == [("x", "y")]
    assert plugins._section(text, "nothing") == []


# --- load: what is refused, in which words, and what is kept -------------------------------------
def test_the_entry_points_are_the_installed_ones_unless_given(modules, monkeypatch):
    monkeypatch.setattr(plugins, "entry_points", lambda: [point("container_label", modules("hand_good", KIND))])
    kinds, problems = plugins.load(BUILT_IN)
    assert (list(kinds), problems) == (["container_label"], [])
    assert plugins.load(BUILT_IN, []) == ({}, [])


def test_each_refusal_names_the_kind_the_package_and_what_to_do(modules):
    good = modules("hand_good", KIND)
    broken = modules("hand_broken", "raise RuntimeError('no database here')\n")
    other = modules("hand_other", KIND.replace("container_label", "other_label"))
    kinds, problems = plugins.load(BUILT_IN, [
        point("image", good, "sneaky-kinds"),
        point("missing_kind", "hand_not_written", "gone-kinds"),
        point("broken_kind", broken, "broken-kinds"),
        point("container_label", f"{good}:MESSAGES", "shape-kinds"),
        point("container_label", good, "first-kinds"),
        point("container_label", good, "second-kinds"),
        point("other_label", other, "other-kinds"),
    ])
    assert list(kinds) == ["container_label", "other_label"] and kinds["container_label"] is sys.modules[good]
    assert [problem.key for problem in problems] == [
        "plugin.builtin", "plugin.broken", "plugin.broken", "plugin.contract", "plugin.twice"]
    assert [problem.render("en") for problem in problems] == [
        "package sneaky-kinds brings a check kind 'image', the name of one of docker-grader's own kinds, which cannot be "
        "replaced: give the kind another name in the package's entry point",
        "check kind 'missing_kind' of package gone-kinds (entry point hand_not_written, group docker_grader.kinds) did not "
        "load: ModuleNotFoundError: No module named 'hand_not_written'. Fix or uninstall the package (pip uninstall gone-kinds)",
        "check kind 'broken_kind' of package broken-kinds (entry point hand_broken, group docker_grader.kinds) did not "
        "load: RuntimeError: no database here. Fix or uninstall the package (pip uninstall broken-kinds)",
        "check kind 'container_label' of package shape-kinds does not keep a kind's contract: SCHEMA must be a JSON Schema "
        "fragment with the kind's keys in `properties` (see docs/packaging.md, \"Kinds from other packages\")",
        "packages first-kinds and second-kinds both bring check kind 'container_label': uninstall one of them",
    ]
    assert problems[0].params == {"kind": "image", "package": "sneaky-kinds"}
    assert problems[-1].params == {"kind": "container_label", "package": "second-kinds", "first": "first-kinds"}


def test_a_refused_kind_does_not_take_the_name_from_a_later_good_one(modules):
    good = modules("hand_good", KIND)
    kinds, problems = plugins.load(BUILT_IN, [point("container_label", "hand_absent", "bad-kinds"),
                                              point("container_label", good, "good-kinds")])
    assert list(kinds) == ["container_label"] and [problem.key for problem in problems] == ["plugin.broken"]


def test_a_kind_whose_messages_clash_as_they_are_registered_is_refused(modules):
    """contract_fault compares each text with the catalog's; register compares again as it adds
    them, and a clash it finds then is the plugin's fault too, not a traceback."""

    class Clashing(dict):
        def __ne__(self, other):
            return True

    module = importlib.import_module(modules("hand_good", KIND))
    module.MESSAGES = {"container_label.found": Clashing(module.MESSAGES["container_label.found"])}
    kinds, problems = plugins.load(BUILT_IN, [point("container_label", "hand_good")])
    assert kinds == {}
    assert [problem.render("en") for problem in problems] == [
        "check kind 'container_label' of package hand-made does not keep a kind's contract: message "
        "'container_label.found' is defined twice (see docs/packaging.md, \"Kinds from other packages\")"]


def test_the_plugins_identity_is_each_kinds_package_version_and_schema(modules):
    good = importlib.import_module(modules("hand_good", KIND))
    points = [plugins.EntryPoint("container_label", "hand_good", "course-kinds", "1.2"),
              plugins.EntryPoint("b_kind", "hand_good", "b-kinds", "0.1"),
              plugins.EntryPoint("unloaded", "x", "other", "9")]
    said = plugins.identity({"container_label": good, "b_kind": good}, points)
    assert json.loads(said) == [["b_kind", "b-kinds", "0.1", json.loads(json.dumps(good.SCHEMA))],
                                ["container_label", "course-kinds", "1.2", json.loads(json.dumps(good.SCHEMA))]]
    assert said == json.dumps(json.loads(said), sort_keys=True)
    assert plugins.identity({"container_label": good, "stray": good}, points[:1]) == json.dumps(
        [["container_label", "course-kinds", "1.2", good.SCHEMA]], sort_keys=True)
    assert plugins.identity({}, points) == "[]"
    odd = type("Odd", (), {"SCHEMA": {"properties": {"x": {"default": {1, 2} and object}}}})
    assert "<class 'object'>" in plugins.identity({"odd": odd}, [plugins.EntryPoint("odd", "m", "p", "1")])


def test_the_first_refused_plugin_stops_the_front_ends(monkeypatch):
    from checks import kinds
    from checks.errors import UsageError

    monkeypatch.setattr(kinds, "PLUGIN_PROBLEMS", [])
    kinds.refuse_broken_plugins()
    first, second = messages.msg("plugin.builtin", kind="image", package="a"), messages.msg("plugin.builtin", kind="file", package="b")
    monkeypatch.setattr(kinds, "PLUGIN_PROBLEMS", [first, second])
    with pytest.raises(UsageError) as raised:
        kinds.refuse_broken_plugins()
    assert raised.value.render("en") == first.render("en")
