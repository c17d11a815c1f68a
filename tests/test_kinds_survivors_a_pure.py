"""The compose, events, containers and registry kinds, and the kinds' registry, pinned by what a
caller sees: each verdict with its exact message key and parameters, on hand-built snapshots.

Written against the mutants that survived the fast tests (issue 24): a verdict whose ``passed``
was never asserted, a default that no test left out (``state``, ``replicas``, a compose label),
an order of events that only a step back or a skipped event could change, the registry's own
mapping methods, which only tests call (through ``monkeypatch.setitem``), and the plugin kinds'
identity and refusal, which only `check` in a process of its own reached.
"""

from __future__ import annotations

import json
from types import SimpleNamespace

import pytest
from apijson import FakeSource, container_json, image_id, image_json, snapshot

from checks import kinds
from checks.errors import UsageError
from checks.events import BUFFER, MAX_RECORDED, Event, EventLog, Provenance
from checks.kinds import Registry, compose, events, files, plugins, registry
from checks.messages import msg
from checks.results import Result

NGINX = image_id("ab")
ALPINE = image_id("cd")
A, B, C = "a" * 64, "b" * 64, "c" * 64


def service(key: str, name: str, number: int = 1, state: str = "running", status: str = "Up 3 seconds", labels=None) -> dict:
    """A replica of a service of project shop, as GET /containers/json lists it."""
    item = container_json(key, f"shop_{name}_{number}", "nginx:1.25", NGINX, state, status)
    item["Labels"] = {compose.PROJECT: "shop", compose.SERVICE: name, **(labels or {})}
    return item


def in_shop(problem) -> Result:
    return Result(False, msg("compose.in_project", project="shop", problem=problem))


def ok(services: str) -> Result:
    return Result(True, msg("compose.ok", project="shop", services=services))


def with_reads(containers, **providers):
    source = FakeSource()
    source.providers.update(providers)
    return snapshot((), containers, source)


# --- compose --------------------------------------------------------------------------------
WEB_RUNNING = service(A, "web")
WEB_EXITED = [service(B, "web", 2, "exited", "Exited (0) 1 second ago"), service(C, "web", 3, "exited", "Exited (0) 1 second ago")]
REPLICAS = "shop_web_1 (running), shop_web_2 (exited), shop_web_3 (exited)"


@pytest.mark.parametrize("services, containers, expected", [
    # only the containers in the state asked are replicas, and the message says which state
    ({"web": {"replicas": 2, "state": "exited"}}, [WEB_RUNNING, *WEB_EXITED], ok("web (2)")),
    ({"web": {"replicas": 3, "state": "exited"}}, [WEB_RUNNING, *WEB_EXITED], in_shop(msg(
        "compose.replicas", service="web", count=2, state="exited", expected=msg("count.expected_exact", value=3), names=REPLICAS))),
    # without replicas: at least one running
    ({"web": {}}, WEB_EXITED, in_shop(msg(
        "compose.replicas", service="web", count=0, state="running", expected=msg("count.expected_min", min=1),
        names="shop_web_2 (exited), shop_web_3 (exited)"))),
    # none running, as asked: nothing else to look at, and no volume to find
    ({"web": {"replicas": 0, "volumes": ["data"], "networks": ["back"]}}, WEB_EXITED, ok("web (0)")),
    ({"web": {}, "cache": {}}, [WEB_RUNNING], in_shop(msg("compose.missing_service", service="cache"))),
    ({"cache": {}}, [WEB_RUNNING], Result(False, msg("compose.no_project", services="cache", projects="shop"))),
    # a replica without a healthcheck is named alone, beside one that has one
    ({"web": {"health": "healthy"}}, [service(A, "web", status="Up 9 seconds (healthy)"), service(B, "web", 2)], in_shop(msg(
        "compose.health", service="web", expected="healthy", found="shop_web_1: healthy, shop_web_2"))),
])
def test_compose_verdicts(services, containers, expected):
    assert compose.evaluate({"services": services}, snapshot((), containers, FakeSource())) == expected


def test_a_compose_container_made_by_a_plain_run_is_left_out_and_the_ones_after_it_are_kept():
    forged = service(B, "web", 2)  # listed first: `docker run --label com.docker.compose.project=shop ...`
    made = Provenance(exercise=frozenset({A, B}), by_compose=frozenset({A}))
    assert compose.evaluate({"services": {"web": {}}}, with_reads([forged, WEB_RUNNING], provenance=lambda: made)) == ok("web (1)")
    gaps = Provenance(exercise=frozenset({A}), by_compose=frozenset({A}), complete=False)
    assert compose.evaluate({"services": {"web": {}}}, with_reads([WEB_RUNNING], provenance=lambda: gaps)) == Result(
        False, msg("containers.no_provenance"), unknown=True)


def test_compose_depends_on_a_service_with_no_containers_is_no_dependency():
    web = service(A, "web", labels={compose.DEPENDS_ON: "db:service_started:false"})
    assert compose.evaluate({"services": {"web": {"depends_on": ["db"]}}}, snapshot((), [web], FakeSource())) == in_shop(
        msg("compose.depends_on", service="web", dependency="db"))


def test_compose_reads_the_project_file_named_by_its_labels_and_a_service_it_does_not_list_depends_on_nothing():
    asked = []

    def project_file(folder, names):
        asked.append((folder, names))
        return {"web": {"db"}}  # worker is not in the file

    files_only = {compose.CONFIG_FILES: "docker-compose.yml"}  # no working_dir label: the folder is ""
    containers = [service(A, "web", labels=files_only), service(B, "db", labels=files_only), service(C, "worker", labels=files_only)]
    snap = with_reads(containers, project_file=project_file)
    assert compose.evaluate({"services": {"web": {"depends_on": ["db"]}}}, snap) == ok("web (1)")
    assert asked == [("", "docker-compose.yml")]
    assert compose.evaluate({"services": {"worker": {"depends_on": ["db"]}}}, snap) == in_shop(
        msg("compose.depends_on", service="worker", dependency="db"))


# --- events ---------------------------------------------------------------------------------
def log(*items, complete: bool = True, origin: str = "run") -> EventLog:
    """Events from ``(type, action, id, name, image)``, one nanosecond apart."""
    return EventLog(tuple(Event(index, *item) for index, item in enumerate(items, 1)), complete, origin)


def seen(spec: dict, record: EventLog | None, images=()) -> Result:
    source = FakeSource()
    source.event_log = record
    return events.evaluate(spec, snapshot(images, (), source))


def web(action: str, image: str = "x") -> tuple:
    return ("container", action, A, "web", image)


PULL = {"expect": [{"action": "pull", "image": "alpine:3.14"}]}
PULLED = ("image", "pull", "alpine:3.14", "alpine", "")
BY_ID = ALPINE.removeprefix("sha256:")[:12]  # how a container's image attribute names an image it was created by ID from
AS_ID = ("image", "untag", ALPINE, ALPINE, "")  # an untag names the image by its ID, with its sha256: prefix


@pytest.mark.parametrize("spec, record, expected", [
    (PULL, None, Result(False, msg("events.no_record"), unknown=True)),
    (PULL, log(PULLED, complete=False), Result(False, msg("events.gap_run", limit=MAX_RECORDED), unknown=True)),
    (PULL, log(PULLED, complete=False, origin="start"), Result(False, msg("events.gap", limit=BUFFER), unknown=True)),
    # a container named with the slash docker inspect shows
    ({"expect": [{"action": "create", "container": "/web", "count": 1}]}, log(web("create")), Result(True, msg("events.ok", seen="create web"))),
    # only the slash is taken off: a name may start with a capital X
    ({"expect": [{"action": "create", "container": "Xena"}]}, log(("container", "create", A, "Xena", "x")), Result(True, msg("events.ok", seen="create Xena"))),
    # eight events shown, then how many more
    ({"expect": [{"action": "create"}]}, log(*[("container", "create", str(n) * 64, f"c{n}", "x") for n in range(1, 10)]),
     Result(True, msg("events.ok", seen="create c1, create c2, create c3, create c4, create c5, create c6, create c7, create c8 (+1)"))),
])
def test_events_verdicts(spec, record, expected):
    assert seen(spec, record) == expected


@pytest.mark.parametrize("expect, record, expected", [
    # one event each, in the order listed: a step back to an earlier event is no second start
    (["create", "start", "start"], [web("create"), web("start"), web("die")], Result(False, msg(
        "events.order", wanted="create → start → start", seen="create web, start web, die web"))),
    (["create", "start", "start"], [web("create"), web("die"), web("start")], Result(False, msg(
        "events.order", wanted="create → start → start", seen="create web, die web, start web"))),
    # an event that does not match is passed over, one at a time (the next one may be the match)
    (["start"], [web("create"), web("start")], Result(True, msg("events.ok", seen="start web"))),
    (["start", "create"], [web("create"), web("start")], Result(False, msg("events.order", wanted="start → create", seen="create web, start web"))),
])
def test_events_in_order(expect, record, expected):
    spec = {"expect": [{"action": action, "container": "web"} for action in expect], "in_order": True}
    assert seen(spec, log(*record)) == expected


def test_events_in_order_find_a_container_created_from_an_image_named_by_its_id():
    """The event names the image by ID: only the snapshot's image list tells it is alpine:3.14."""
    spec = {"expect": [{"action": "start", "image": "alpine:3.14"}, {"action": "create", "image": "alpine:3.14"}], "in_order": True}
    record = log(web("create", BY_ID), web("start", BY_ID))
    images = [image_json(ALPINE, ["alpine:3.14"])]
    assert seen(spec, record, images) == Result(False, msg("events.order", wanted="start → create", seen="create web, start web"))
    spec["expect"].reverse()
    assert seen(spec, record, images) == Result(True, msg("events.ok", seen="create web, start web"))


def test_an_image_event_that_names_the_image_by_its_sha256_id():
    images = [image_json(ALPINE, ["alpine:3.14"])]
    assert seen({"expect": [{"action": "untag", "image": "alpine:3.14"}]}, log(AS_ID), images) == Result(
        True, msg("events.ok", seen=f"untag {BY_ID}"))
    # an image gone from the daemon, asked for by its ID
    gone = log(("image", "delete", ALPINE, "", ""))
    for asked in (BY_ID, ALPINE):
        assert seen({"expect": [{"action": "delete", "image": asked, "count": 1}]}, gone) == Result(
            True, msg("events.ok", seen=f"delete {BY_ID}")), asked


# --- containers: only this exercise's work, in run --------------------------------------------
def test_a_file_check_in_run_without_a_whole_record_or_in_an_earlier_exercises_container():
    spec = {"select": {"name": "web"}, "path": "/tmp/status.txt"}
    planted = [container_json(A, "web", "alpine:3.14", ALPINE)]
    gaps = Provenance(exercise=frozenset({A}), by_compose=frozenset(), complete=False)
    assert files.evaluate(spec, with_reads(planted, provenance=lambda: gaps)) == Result(False, msg("containers.no_provenance"), unknown=True)
    earlier = Provenance(exercise=frozenset(), by_compose=frozenset())
    assert files.evaluate(spec, with_reads(planted, provenance=lambda: earlier)) == Result(
        False, msg("containers.earlier", selector=[msg("selector.name", value="web")], names="web"))


# --- registry -------------------------------------------------------------------------------
def test_registry_not_pushed_is_a_failure():
    source = FakeSource()
    source.event_log = log(("image", "push", "localhost:5000/app:2"))
    assert registry.evaluate({"pushed": "localhost:5000/app:1"}, snapshot((), (), source)) == Result(
        False, msg("registry.not_pushed", image="localhost:5000/app:1", pushed="localhost:5000/app:2"))


# --- the kinds' registry ----------------------------------------------------------------------
def test_the_registry_knows_a_lazy_kind_without_importing_it_and_lists_each_name_once():
    given = SimpleNamespace(SCHEMA={})
    found = Registry(["image", "nowhere"], {"extra": given, "image": given})
    assert "nowhere" in found and "extra" in found and "absent" not in found  # checks.kinds.nowhere is no module: not imported
    assert list(found) == ["image", "nowhere", "extra"] and len(found) == 3
    assert found["image"] is given and found["extra"] is given
    with pytest.raises(KeyError) as missing:
        found["absent"]
    assert missing.value.args == ("absent",)
    assert Registry(["image"])["image"] is kinds.image


def test_a_kind_registered_for_one_test_and_taken_back():
    """What monkeypatch.setitem does with KINDS in tests/test_structure.py and test_plugins_load_pure.py."""
    kind = SimpleNamespace(SCHEMA={})
    found = Registry(["image", "events"], {"extra": kind})
    with pytest.MonkeyPatch.context() as patch:
        patch.setitem(found, "throwaway", kind)
        patch.setitem(found, "image", kind)
        assert found["throwaway"] is kind and found["image"] is kind
        assert list(found) == ["image", "events", "extra", "throwaway"] and len(found) == 4
    assert "throwaway" not in found and found["image"] is kinds.image and list(found) == ["image", "events", "extra"]


def test_deleting_a_kind_takes_it_out_whether_given_lazy_or_imported():
    found = Registry(["image", "nowhere", "events"], {"extra": SimpleNamespace()})
    found["image"]  # imported now: given and lazy both
    del found["image"]
    assert "image" not in found and list(found) == ["nowhere", "events", "extra"]
    with pytest.raises(KeyError):
        found["image"]
    del found["nowhere"]  # never imported
    del found["extra"]
    assert list(found) == ["events"] and len(found) == 1
    with pytest.raises(KeyError) as missing:
        del found["absent"]
    assert missing.value.args == ("absent",)


def test_the_plugins_identity_names_the_installed_plugin_kinds(monkeypatch):
    kind = SimpleNamespace(SCHEMA={"properties": {"label": {"type": "string"}}})
    monkeypatch.setattr(kinds, "PLUGINS", {"container_label": kind})
    monkeypatch.setattr(kinds, "_POINTS", [plugins.EntryPoint("container_label", "course_kinds", "course-kinds", "1.2")])
    assert kinds.plugin_identity() == json.dumps(
        [["container_label", "course-kinds", "1.2", {"properties": {"label": {"type": "string"}}}]], sort_keys=True)


def test_the_first_broken_plugin_is_refused_by_its_own_words(monkeypatch):
    first = msg("plugin.builtin", package="course-kinds", kind="image")
    monkeypatch.setattr(kinds, "PLUGIN_PROBLEMS", [first, msg("plugin.twice", first="a-kinds", package="b-kinds", kind="found")])
    with pytest.raises(UsageError) as refused:
        kinds.refuse_broken_plugins()
    assert refused.value.message == first
    monkeypatch.setattr(kinds, "PLUGIN_PROBLEMS", [])
    kinds.refuse_broken_plugins()  # nothing broken: nothing said
