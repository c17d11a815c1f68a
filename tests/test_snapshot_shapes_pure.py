"""The Engine API's JSON of the wrong shape, field by field: what ``checks.snapshot`` accepts, and the
ShapeError (where, expected) it names for each field it reads, so that an odd or hostile daemon's
answer is exit 3 naming the field (``checks.reads.shaped``) and never a traceback or a wrong verdict.

No daemon: the answers are hand-written, as dockerd 20.10 sends them, then changed one field at a time.
"""

from __future__ import annotations

import copy

import pytest

from checks.kinds import container
from checks.snapshot import (Container, Image, Mount, Port, Snapshot, Source, container_from_api,
                             container_inspect_shaped, containers_from_api, image_from_api, image_inspect_shaped,
                             images_from_api)

from apijson import FakeSource, container_json, image_id, image_json, snapshot
from shapes import GONE, changed, shape_error


# A container inspect as dockerd 20.10 sends it, cut to the fields the kinds read.
INSPECT = {
    "Id": "1" * 64,
    "RestartCount": 0,
    "Config": {"User": "", "Tty": False, "OpenStdin": False, "Env": ["PATH=/usr/bin"], "Cmd": ["nginx"], "Entrypoint": None,
               "Image": "nginx:1.25", "Healthcheck": {"Test": ["CMD", "true"]}},
    "HostConfig": {"RestartPolicy": {"Name": "no", "MaximumRetryCount": 0},
                   "PortBindings": {"80/tcp": [{"HostIp": "", "HostPort": "8080"}], "53/udp": [{"HostIp": "127.0.0.1", "HostPort": ""}]}},
    "State": {"Status": "running", "StartedAt": "2026-12-08T01:00:00.5Z", "FinishedAt": "0001-01-01T00:00:00Z",
              "Health": {"Status": "healthy"}},
    "Mounts": [],
    "NetworkSettings": {"Networks": {"bridge": {"NetworkID": "n" * 64, "Aliases": ["web"]}}},
}


# --- a container inspect -----------------------------------------------------------------------
def test_a_whole_inspect_is_the_answer_itself_and_a_gone_container_is_none():
    answer = copy.deepcopy(INSPECT)
    assert container_inspect_shaped(answer) is answer and answer == INSPECT
    assert container_inspect_shaped(None) is None


@pytest.mark.parametrize("path, value", [
    ("Config/Env", None), ("Config/Cmd", None), ("Config/Entrypoint", ["/docker-entrypoint.sh"]), ("Config/Env", []),
    ("Config/Image", GONE), ("Config/Image", None), ("Config/Healthcheck", GONE), ("Config/Healthcheck", None),
    ("Config/User", "nobody"), ("Config/Tty", True), ("Config/OpenStdin", True),
    ("HostConfig/RestartPolicy/Name", None), ("HostConfig/RestartPolicy/Name", ""), ("HostConfig/RestartPolicy/MaximumRetryCount", 3),
    ("HostConfig/PortBindings", None), ("HostConfig/PortBindings", {}), ("HostConfig/PortBindings", {"80/tcp": None}),
    ("HostConfig/PortBindings", {"8080/sctp": []}),
    ("State/Health", GONE), ("RestartCount", 2),
    ("Mounts", GONE), ("Mounts", None), ("NetworkSettings", GONE), ("NetworkSettings", None), ("NetworkSettings", {}),
    ("NetworkSettings/Networks", None), ("NetworkSettings/Networks", {"bridge": None}), ("NetworkSettings/Networks", {"bridge": {}}),
    ("NetworkSettings/Networks/bridge/Aliases", None),
])
def test_what_dockerd_may_send_is_accepted(path, value):
    answer = changed(INSPECT, path, value)
    assert container_inspect_shaped(answer) is answer


@pytest.mark.parametrize("path, value, where, expected", [
    ("Config", GONE, "$.Config", "object"),
    ("Config", None, "$.Config", "object"),
    ("Config", [], "$.Config", "object"),
    *[(f"Config/{key}", bad, f"$.Config.{key}", "strings") for key in ("Env", "Cmd", "Entrypoint") for bad in (GONE, "sh", {})],
    *[(f"Config/{key}", [1], f"$.Config.{key}[0]", "string") for key in ("Env", "Cmd", "Entrypoint")],
    *[(f"Config/{key}", ["a", None], f"$.Config.{key}[1]", "string") for key in ("Env", "Cmd", "Entrypoint")],
    ("Config/User", GONE, "$.Config.User", "string"),
    ("Config/User", None, "$.Config.User", "string"),
    ("Config/User", 0, "$.Config.User", "string"),
    ("Config/Image", ["nginx"], "$.Config.Image", "string"),
    *[(f"Config/{key}", bad, f"$.Config.{key}", "boolean") for key in ("Tty", "OpenStdin") for bad in (GONE, None, 1, "true")],
    ("Config/Healthcheck", ["CMD"], "$.Config.Healthcheck", "object"),
    ("HostConfig", GONE, "$.HostConfig", "object"),
    ("HostConfig", None, "$.HostConfig", "object"),
    ("HostConfig", "x", "$.HostConfig", "object"),
    ("HostConfig/RestartPolicy", GONE, "$.HostConfig.RestartPolicy", "object"),
    ("HostConfig/RestartPolicy", None, "$.HostConfig.RestartPolicy", "object"),
    ("HostConfig/RestartPolicy", ["always"], "$.HostConfig.RestartPolicy", "object"),
    ("HostConfig/RestartPolicy/Name", GONE, "$.HostConfig.RestartPolicy.Name", "string"),
    ("HostConfig/RestartPolicy/Name", 1, "$.HostConfig.RestartPolicy.Name", "string"),
    ("HostConfig/RestartPolicy/MaximumRetryCount", GONE, "$.HostConfig.RestartPolicy.MaximumRetryCount", "number"),
    ("HostConfig/RestartPolicy/MaximumRetryCount", None, "$.HostConfig.RestartPolicy.MaximumRetryCount", "number"),
    ("HostConfig/RestartPolicy/MaximumRetryCount", "3", "$.HostConfig.RestartPolicy.MaximumRetryCount", "number"),
    ("HostConfig/RestartPolicy/MaximumRetryCount", True, "$.HostConfig.RestartPolicy.MaximumRetryCount", "number"),
    ("HostConfig/PortBindings", GONE, "$.HostConfig.PortBindings", "object"),
    ("HostConfig/PortBindings", [], "$.HostConfig.PortBindings", "object"),
    ("HostConfig/PortBindings", {"80": []}, "$.HostConfig.PortBindings['80']", "port_key"),
    ("HostConfig/PortBindings", {"80/tcp/x": []}, "$.HostConfig.PortBindings['80/tcp/x']", "port_key"),
    ("HostConfig/PortBindings", {"http/tcp": []}, "$.HostConfig.PortBindings['http/tcp']", "port_key"),
    ("HostConfig/PortBindings", {"80/tcp ": []}, "$.HostConfig.PortBindings['80/tcp ']", "port_key"),
    ("HostConfig/PortBindings", {"80/tcp": {"HostPort": "1"}}, "$.HostConfig.PortBindings['80/tcp']", "objects"),
    ("HostConfig/PortBindings", {"80/tcp": [None]}, "$.HostConfig.PortBindings['80/tcp'][0]", "object"),
    ("HostConfig/PortBindings", {"80/tcp": [{"HostPort": "1"}]}, "$.HostConfig.PortBindings['80/tcp'][0].HostIp", "string"),
    ("HostConfig/PortBindings", {"80/tcp": [{"HostIp": None, "HostPort": "1"}]}, "$.HostConfig.PortBindings['80/tcp'][0].HostIp", "string"),
    ("HostConfig/PortBindings", {"80/tcp": [{"HostIp": ""}]}, "$.HostConfig.PortBindings['80/tcp'][0].HostPort", "port_text"),
    ("HostConfig/PortBindings", {"80/tcp": [{"HostIp": "", "HostPort": None}]}, "$.HostConfig.PortBindings['80/tcp'][0].HostPort", "port_text"),
    ("HostConfig/PortBindings", {"80/tcp": [{"HostIp": "", "HostPort": 8080}]}, "$.HostConfig.PortBindings['80/tcp'][0].HostPort", "port_text"),
    ("HostConfig/PortBindings", {"80/tcp": [{"HostIp": "", "HostPort": "1"}, {"HostIp": "", "HostPort": "80a"}]},
     "$.HostConfig.PortBindings['80/tcp'][1].HostPort", "port_text"),
    ("State", GONE, "$.State", "object"),
    ("State", None, "$.State", "object"),
    ("State", "running", "$.State", "object"),
    ("State/Health", None, "$.State.Health", "object"),
    ("State/Health", "healthy", "$.State.Health", "object"),
    *[(f"State/{key}", bad, f"$.State.{key}", "string") for key in ("StartedAt", "FinishedAt") for bad in (GONE, None, 0)],
    ("RestartCount", GONE, "$.RestartCount", "number"),
    ("RestartCount", None, "$.RestartCount", "number"),
    ("RestartCount", "2", "$.RestartCount", "number"),
    ("RestartCount", False, "$.RestartCount", "number"),
    ("Mounts", {}, "$.Mounts", "list"),
    ("NetworkSettings", [], "$.NetworkSettings", "object"),
    ("NetworkSettings/Networks", ["bridge"], "$.NetworkSettings.Networks", "object"),
    ("NetworkSettings/Networks", {"bridge": "on"}, "$.NetworkSettings.Networks['bridge']", "object"),
    ("NetworkSettings/Networks/bridge/Aliases", "web", "$.NetworkSettings.Networks['bridge'].Aliases", "strings"),
    ("NetworkSettings/Networks/bridge/Aliases", ["web", 1], "$.NetworkSettings.Networks['bridge'].Aliases[1]", "string"),
])
def test_each_field_of_the_wrong_shape_is_named(path, value, where, expected):
    assert shape_error(container_inspect_shaped, changed(INSPECT, path, value)) == (where, expected)


@pytest.mark.parametrize("answer", [[], "x", 0, True])
def test_an_inspect_that_is_no_object(answer):
    assert shape_error(container_inspect_shaped, answer) == ("$", "object")


# Each key of the container kind, and an inspect that container_inspect_shaped accepts with the
# most nulls and the least fields dockerd may send: every judge gives a verdict, none raises.
SPARSE = {"Id": "1" * 64, "RestartCount": 0, "Config": {"User": "", "Tty": False, "OpenStdin": False, "Env": None, "Cmd": None,
                                                         "Entrypoint": None},
          "HostConfig": {"RestartPolicy": {"Name": None, "MaximumRetryCount": 0}, "PortBindings": {"80/tcp": None, "81/tcp": [{"HostIp": "", "HostPort": ""}]}},
          "State": {"StartedAt": "", "FinishedAt": ""}}


@pytest.mark.parametrize("key, wanted, passed", [
    ("env", {"A": "1"}, False), ("restart", "no", True), ("restart", {"name": "on-failure", "max_retries": 3}, False),
    ("command", [], True), ("entrypoint", "sh", False), ("user", "", True), ("tty", False, True), ("open_stdin", True, False),
    ("started_again", False, True), ("health", "none", True), ("ports", ["8080:80"], False), ("ports", [81], True),
])
def test_an_inspect_accepted_is_one_every_judge_reads(key, wanted, passed):
    assert container_inspect_shaped(copy.deepcopy(SPARSE)) == SPARSE
    source = FakeSource()
    source.inspected["1" * 64] = copy.deepcopy(SPARSE)
    snap = snapshot([], [container_json("1" * 64, "web", "nginx", "", "exited", "Exited (0) 1 second ago")], source)
    assert container.evaluate({"select": {"name": "web"}, key: wanted}, snap).passed is passed


# --- an image inspect ---------------------------------------------------------------------------
def test_an_image_inspect_that_is_no_object_is_named_and_none_stays_none():
    assert image_inspect_shaped(None) is None
    for answer in ([], "x", 1):
        assert shape_error(image_inspect_shaped, answer) == ("$", "object")


# --- the container list ---------------------------------------------------------------------------
ITEM = {
    "Id": "2" * 64, "Names": ["/web"], "Image": "nginx:1.25", "ImageID": image_id("ab"), "State": "running",
    "Status": "Up 2 minutes (healthy)", "Labels": {"com.docker.compose.project": "shop"},
    "Ports": [{"IP": "0.0.0.0", "PrivatePort": 80, "PublicPort": 8080, "Type": "tcp"}, {"PrivatePort": 53, "Type": "udp"}],
    "Mounts": [{"Type": "volume", "Name": "data", "Source": "/var/lib/docker/volumes/data/_data", "Destination": "/data", "RW": True},
               {"Type": "bind", "Source": "/srv", "Destination": "/srv", "RW": False}],
    "NetworkSettings": {"Networks": {"shop_default": {"NetworkID": "n" * 64}, "bridge": {"NetworkID": "b" * 64}}},
}


def test_a_listed_container_with_every_field_read():
    read = container_from_api(ITEM)
    assert read == Container(
        "2" * 64, "web", "nginx:1.25", image_id("ab"), "running", None, {"com.docker.compose.project": "shop"},
        (Port(80, "tcp", "0.0.0.0", 8080), Port(53, "udp", "", 0)),
        (Mount("volume", "/data", "data", "/var/lib/docker/volumes/data/_data"), Mount("bind", "/srv", "", "/srv")),
        ("bridge", "shop_default"), "healthy")
    assert read.network_ids == (("shop_default", "n" * 64), ("bridge", "b" * 64))
    assert read.listed is ITEM


PUBLISHED = {"IP": "0.0.0.0", "PrivatePort": 80, "PublicPort": 8080, "Type": "tcp"}
BIND = {"Type": "bind", "Source": "/srv", "Destination": "/srv", "Mode": "", "RW": True, "Propagation": "rprivate"}
VOLUME = {"Type": "volume", "Name": "data", "Source": "/var/lib/docker/volumes/data/_data", "Destination": "/data", "Driver": "local",
          "Mode": "z", "RW": True, "Propagation": ""}


@pytest.mark.parametrize("field, value, expected", [
    ("Ports", [{"PrivatePort": 53, "Type": "udp"}], (Port(53, "udp", "", 0),)),
    ("Ports", [{"PrivatePort": 53, "Type": "udp", "IP": None}], (Port(53, "udp", "", 0),)),
    ("Ports", [{"PrivatePort": 9000, "Type": "tcp", "IP": "::"}], (Port(9000, "tcp", "::", 0),)),
    ("Ports", [PUBLISHED, {"PrivatePort": 443, "PublicPort": 1, "Type": "sctp", "IP": "::"}],
     (Port(80, "tcp", "0.0.0.0", 8080), Port(443, "sctp", "::", 1))),
    ("Ports", [], ()),
    ("Ports", None, ()),
    ("Mounts", [BIND], (Mount("bind", "/srv", "", "/srv"),)),
    ("Mounts", [{**BIND, "Name": None}], (Mount("bind", "/srv", "", "/srv"),)),
    ("Mounts", [{**BIND, "Name": "x"}], (Mount("bind", "/srv", "x", "/srv"),)),
    ("Mounts", [{**VOLUME, "Source": "", "RW": False}, {"Type": "tmpfs", "Source": "", "Destination": "/run", "RW": True}],
     (Mount("volume", "/data", "data", ""), Mount("tmpfs", "/run", "", ""))),
    ("Mounts", None, ()),
])
def test_ports_and_mounts_as_the_list_gives_them(field, value, expected):
    assert getattr(container_from_api({**ITEM, field: value}), field.lower()) == expected


def without(item: dict, key: str) -> dict:
    return {k: v for k, v in item.items() if k != key}


@pytest.mark.parametrize("items, where, expected", [
    ({"Ports": {}}, "$[1].Ports", "list"),
    ({"Ports": "80/tcp"}, "$[1].Ports", "list"),
    ({"Ports": [PUBLISHED, 80]}, "$[1].Ports[1]", "object"),
    ({"Ports": [PUBLISHED, None]}, "$[1].Ports[1]", "object"),
    *[({"Ports": [PUBLISHED, bad]}, f"$[1].Ports[1].{key}", expected) for key, expected in
      [("PrivatePort", "number"), ("Type", "string"), ("PublicPort", "number"), ("IP", "string")]
      for bad in (without(PUBLISHED, key) if key != "PublicPort" else {**PUBLISHED, key: None}, {**PUBLISHED, key: None},
                  {**PUBLISHED, key: ["x"]})],
    ({"Ports": [{**PUBLISHED, "PrivatePort": "80"}]}, "$[1].Ports[0].PrivatePort", "number"),
    ({"Ports": [{**PUBLISHED, "PrivatePort": True}]}, "$[1].Ports[0].PrivatePort", "number"),
    ({"Ports": [{**PUBLISHED, "PublicPort": False}]}, "$[1].Ports[0].PublicPort", "number"),
    ({"Ports": [{**PUBLISHED, "Type": 6}]}, "$[1].Ports[0].Type", "string"),
    ({"Ports": [{**PUBLISHED, "IP": 0}]}, "$[1].Ports[0].IP", "string"),
    ({"Ports": [without(without(PUBLISHED, "PublicPort"), "Type")]}, "$[1].Ports[0].Type", "string"),
    ({"Ports": [{**without(PUBLISHED, "PublicPort"), "IP": 0}]}, "$[1].Ports[0].IP", "string"),
    ({"Mounts": "/data"}, "$[1].Mounts", "list"),
    ({"Mounts": [BIND, "/data"]}, "$[1].Mounts[1]", "object"),
    ({"Mounts": [BIND, None]}, "$[1].Mounts[1]", "object"),
    *[({"Mounts": [BIND, bad]}, f"$[1].Mounts[1].{key}", "string") for key in ("Type", "Destination", "Source")
      for bad in (without(BIND, key), {**BIND, key: None}, {**BIND, key: 1})],
    *[({"Mounts": [VOLUME, bad]}, f"$[1].Mounts[1].RW", "boolean") for bad in (without(VOLUME, "RW"), {**VOLUME, "RW": None},
                                                                               {**VOLUME, "RW": "true"}, {**VOLUME, "RW": 1})],
    *[({"Mounts": [BIND, bad]}, "$[1].Mounts[1].Name", "string") for bad in (without(VOLUME, "Name"), {**VOLUME, "Name": None},
                                                                             {**VOLUME, "Name": 7}, {**BIND, "Name": 7})],
])
def test_each_listed_port_and_mount_of_the_wrong_shape_is_named(items, where, expected):
    assert shape_error(containers_from_api, [ITEM, {**ITEM, **items}]) == (where, expected)


def test_a_network_without_an_id_and_the_statuses_without_a_code_or_health():
    read = container_from_api({"Id": "3", "NetworkSettings": {"Networks": {"host": None, "none": {}}}, "Status": None})
    assert read.networks == ("host", "none") and read.network_ids == (("host", ""), ("none", ""))
    assert (read.exit_code, read.health) == (None, "")
    assert container_from_api({"Id": "3", "Status": "Up 1 second (health: starting)"}).health == "starting"
    assert container_from_api({"Id": "3", "Status": "Exited (2) 1 second ago (unhealthy)"}).health == "unhealthy"


@pytest.mark.parametrize("change, where, expected", [
    ({"Id": None}, "$[1].Id", "string"),
    ({"Id": 2}, "$[1].Id", "string"),
    *[({key: 1}, f"$[1].{key}", "string") for key in ("State", "Status", "Image", "ImageID")],
    *[({key: ["x"]}, f"$[1].{key}", "string") for key in ("State", "Status", "Image", "ImageID")],
    ({"Names": "/web"}, "$[1].Names", "strings"),
    ({"Names": ["/web", None]}, "$[1].Names[1]", "string"),
    ({"Labels": ["a=b"]}, "$[1].Labels", "labels"),
    ({"Labels": {"a": 1}}, "$[1].Labels['a']", "string"),
    ({"Labels": {"a": None}}, "$[1].Labels['a']", "string"),
    ({"NetworkSettings": []}, "$[1].NetworkSettings", "object"),
    ({"NetworkSettings": {"Networks": []}}, "$[1].NetworkSettings.Networks", "object"),
    ({"NetworkSettings": {"Networks": {"bridge": 7}}}, "$[1].NetworkSettings.Networks['bridge']", "object"),
    ({"NetworkSettings": {"Networks": {"bridge": {"NetworkID": 7}}}}, "$[1].NetworkSettings.Networks['bridge'].NetworkID", "string"),
])
def test_each_listed_field_of_the_wrong_shape_is_named(change, where, expected):
    assert shape_error(containers_from_api, [ITEM, {**ITEM, **change}]) == (where, expected)


def test_a_single_item_is_named_from_the_root_by_default():
    assert shape_error(container_from_api, {"Id": 1}) == ("$.Id", "string")
    assert shape_error(container_from_api, {"Id": "1", "Mounts": [{**BIND, "Source": 1}]}) == ("$.Mounts[0].Source", "string")
    assert shape_error(container_from_api, {"Id": "1", "Ports": [{**PUBLISHED, "IP": 1}]}) == ("$.Ports[0].IP", "string")
    assert shape_error(image_from_api, {"Id": None}) == ("$.Id", "string")
    assert shape_error(image_from_api, {"Id": "1", "RepoDigests": "x"}) == ("$.RepoDigests", "strings")


@pytest.mark.parametrize("answer, where, expected", [
    (None, "$", "objects"), ({}, "$", "objects"), ("[]", "$", "objects"),
    ([None], "$[0]", "object"), ([{"Id": "1"}, []], "$[1]", "object"), ([{"Id": "1"}, None], "$[1]", "object"),
])
def test_a_list_answer_that_is_no_list_of_objects(answer, where, expected):
    assert shape_error(containers_from_api, answer) == (where, expected)
    assert shape_error(images_from_api, answer) == (where, expected)


# --- the image list -------------------------------------------------------------------------------
@pytest.mark.parametrize("size, kept", [(0, 0), (1, 1), (5_600_000, 5_600_000), (-1, None), (None, None), ("12", None), (1.5, None)])
def test_an_images_size_is_kept_when_it_is_a_count_of_bytes(size, kept):
    assert image_from_api({"Id": image_id("ab"), "Size": size}).size == kept


@pytest.mark.parametrize("change, where, expected", [
    ({"Id": None}, "$[1].Id", "string"),
    ({"Id": ["x"]}, "$[1].Id", "string"),
    ({"RepoTags": "alpine:3.14"}, "$[1].RepoTags", "strings"),
    ({"RepoTags": ["alpine:3.14", None]}, "$[1].RepoTags[1]", "string"),
    ({"RepoDigests": {}}, "$[1].RepoDigests", "strings"),
    ({"RepoDigests": [1]}, "$[1].RepoDigests[0]", "string"),
])
def test_each_image_field_of_the_wrong_shape_is_named(change, where, expected):
    item = image_json(image_id("ab"), ["alpine:3.14"])
    assert shape_error(images_from_api, [item, {**item, **change}]) == (where, expected)
    assert images_from_api([item]) == [Image(image_id("ab"), image_from_api(item).tags)]


# --- a snapshot's reads and lookups -----------------------------------------------------------------
def test_a_pattern_finds_the_first_image_with_a_matching_tag():
    first = image_json(image_id("ab"), ["php:8.2-apache"])
    second = image_json(image_id("cd"), ["php:8.1-apache"])
    snap = snapshot([image_json(image_id("ef"), ["php:8.2-cli"]), first, second])
    assert snap.find_image("php:*-apache").id == image_id("ab")
    assert snap.images_matching("php:*-apache") == [snap.images[1], snap.images[2]]
    assert snap.find_image("php:*-fpm") is None


def test_images_matching_caches_per_pattern_beside_the_reads():
    snap = snapshot([image_json(image_id("ab"), ["php:8.2-apache"])])
    found = snap.images_matching("php:*")
    assert snap._reads[("images_matching", "php:*")] is found
    object.__setattr__(snap, "images", ())  # (a frozen snapshot, changed for this test) asked again, the cache answers
    assert snap.images_matching("php:*") is found
    assert snap.read("images_matching", "php:*") is found  # one cache: a read of that name would find it


def test_with_reads_forgets_only_the_answers_of_the_reads_it_replaces():
    source = FakeSource(logs={"1": "hello"})
    source.inspected["1"] = {"Id": "1"}
    snap = snapshot([], [container_json("1", "a", "x", "")], source)
    assert snap.read("logs", "1", "hello") is True and snap.read("inspect", "1") == {"Id": "1"}
    again = snap.with_reads(logs=lambda cid, text: f"new {cid} {text}")
    assert again.read("logs", "1", "hello") == "new 1 hello"
    assert again.read("inspect", "1") == {"Id": "1"}
    assert source.calls == [("logs", "1", "hello"), ("inspect", "1")]  # the inspect kept, not asked again


def test_an_added_provider_gets_every_argument():
    source = Source({"archive": lambda *args: ("base", args)}).adding({"events": lambda *args: ("added", args)})
    assert source.answer("events", 1, 2) == ("added", (1, 2))
    assert source.answer("archive", "c", "/p") == ("base", ("c", "/p"))
    assert source.answer("logs", "c") is None
    assert Snapshot((), (), source).read("events", "x", 3) == ("added", ("x", 3))
