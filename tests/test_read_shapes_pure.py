"""The Engine API's JSON of the wrong shape in the answers the kinds read beyond the two lists and
the container inspect: an image's inspect and history (``image_config``), the volume list
(``volumes``), the network list (``networks``), the events since start (``checks.events.read_window``). Each field they read, left out, null or of the wrong
type, is the ShapeError (where, expected) that ``checks.reads.shaped`` turns into exit 3 naming the
request and the field; never a traceback in a kind, never a verdict on the student.

No daemon: the answers are hand-written, as dockerd 20.10 sends them, then changed one field at a time.
"""

from __future__ import annotations

import copy

import pytest

from checks.snapshot import events_shaped, history_shaped, image_inspect_shaped, networks_shaped, volumes_shaped

from shapes import GONE, changed, shape_error


# As dockerd 20.10 sends them, cut to the fields the kinds read.
IMAGE = {
    "Id": "sha256:" + "a" * 64, "Size": 5_000_000,
    "Config": {"Cmd": ["nginx", "-g", "daemon off;"], "Entrypoint": None, "Env": ["PATH=/usr/bin"], "User": "", "WorkingDir": "",
               "ExposedPorts": {"80/tcp": {}}, "Labels": {"maintainer": "x"}, "Healthcheck": {"Test": ["CMD", "true"]}},
    "RootFS": {"Type": "layers", "Layers": ["sha256:" + "1" * 64]},
}
HISTORY = [{"Id": "sha256:" + "a" * 64, "Created": 1, "CreatedBy": "/bin/sh -c #(nop)  CMD [\"nginx\"]", "Size": 0},
           {"Id": "<missing>", "Created": 0, "CreatedBy": "/bin/sh -c #(nop) ADD file:x in / ", "Size": 5_000_000}]
VOLUMES = {"Volumes": [{"Name": "data", "Driver": "local", "Labels": None, "Mountpoint": "/var/lib/docker/volumes/data/_data"}],
           "Warnings": None}
NETWORKS = [{"Name": "rede-app", "Id": "n" * 64, "Driver": "bridge",
             "IPAM": {"Driver": "default", "Config": [{"Subnet": "172.30.0.0/16", "Gateway": "172.30.0.1"}]}}]
EVENTS = [{"status": "start", "id": "c" * 64, "from": "nginx:1.25", "Type": "container", "Action": "start",
           "Actor": {"ID": "c" * 64, "Attributes": {"image": "nginx:1.25", "name": "web"}}, "scope": "local",
           "time": 1765159200, "timeNano": 1765159200000000007}]


READS = {"image": (image_inspect_shaped, IMAGE), "history": (history_shaped, HISTORY),
         "volumes": (volumes_shaped, VOLUMES), "networks": (networks_shaped, NETWORKS), "events": (events_shaped, EVENTS)}


def test_whole_answers_are_accepted_as_they_are():
    assert image_inspect_shaped(copy.deepcopy(IMAGE)) == IMAGE
    assert history_shaped(copy.deepcopy(HISTORY)) == HISTORY
    assert volumes_shaped(copy.deepcopy(VOLUMES)) == VOLUMES["Volumes"]
    assert networks_shaped(copy.deepcopy(NETWORKS)) == NETWORKS
    assert events_shaped(copy.deepcopy(EVENTS)) == EVENTS and events_shaped([]) == []
    assert image_inspect_shaped(None) is None and history_shaped(None) is None  # the image is gone


@pytest.mark.parametrize("read, path, value", [
    ("image", "Size", GONE), ("image", "Config", GONE), ("image", "Config", None),
    *[("image", f"Config/{key}", value) for key in ("Cmd", "Entrypoint", "Env") for value in (GONE, None, [])],
    *[("image", f"Config/{key}", value) for key in ("User", "WorkingDir", "ExposedPorts", "Labels", "Healthcheck")
      for value in (GONE, None)],
    ("image", "Config/Healthcheck/Test", None), ("image", "RootFS/Layers", None),
    ("history", "0/CreatedBy", ""),
    ("volumes", "Volumes", None), ("volumes", "Volumes", []), ("volumes", "Volumes/0/Labels", {"a": "b"}),
    ("volumes", "Volumes/0/Driver", GONE),
    ("networks", "0/IPAM", GONE), ("networks", "0/IPAM/Config", None), ("networks", "0/IPAM/Config", []),
    ("networks", "0/IPAM/Config/0/Gateway", GONE), ("networks", "0/Driver", GONE),
    ("events", "0/Actor/Attributes", GONE), ("events", "0/Actor/Attributes", None), ("events", "0/status", GONE),
])
def test_what_dockerd_may_send_is_accepted(read, path, value):
    shaped, answer = READS[read]
    shaped(changed(answer, path, value))


@pytest.mark.parametrize("read, path, value, where, expected", [
    ("image", "Size", "5MB", "$.Size", "number"),
    ("image", "Config", ["nginx"], "$.Config", "object"),
    *[("image", f"Config/{key}", bad, f"$.Config.{key}", "strings") for key in ("Cmd", "Entrypoint", "Env") for bad in ("nginx", {})],
    *[("image", f"Config/{key}", [1], f"$.Config.{key}[0]", "string") for key in ("Cmd", "Entrypoint", "Env")],
    *[("image", f"Config/{key}", bad, f"$.Config.{key}", "string") for key in ("User", "WorkingDir") for bad in (0, ["/app"])],
    ("image", "Config/ExposedPorts", ["80/tcp"], "$.Config.ExposedPorts", "object"),
    ("image", "Config/ExposedPorts", 80, "$.Config.ExposedPorts", "object"),
    ("image", "Config/Labels", ["a=b"], "$.Config.Labels", "labels"),
    ("image", "Config/Labels", {"a": 1}, "$.Config.Labels['a']", "string"),
    ("image", "Config/Healthcheck", ["CMD", "true"], "$.Config.Healthcheck", "object"),
    ("image", "Config/Healthcheck/Test", "CMD true", "$.Config.Healthcheck.Test", "strings"),
    ("image", "RootFS/Layers", [None], "$.RootFS.Layers[0]", "string"),
    ("history", "0", "step", "$[0]", "object"),
    *[("history", f"1/{key}", bad, f"$[1].{key}", "string") for key in ("Id", "CreatedBy") for bad in (GONE, None, ["x"])],
    ("volumes", "Volumes", GONE, "$.Volumes", "objects"),
    ("volumes", "Volumes", {"data": {}}, "$.Volumes", "objects"),
    ("volumes", "Volumes/0", "data", "$.Volumes[0]", "object"),
    *[("volumes", "Volumes/0/Name", bad, "$.Volumes[0].Name", "string") for bad in (GONE, None, 1)],
    ("volumes", "Volumes/0/Driver", ["local"], "$.Volumes[0].Driver", "string"),
    ("volumes", "Volumes/0/Labels", ["a=b"], "$.Volumes[0].Labels", "labels"),
    ("volumes", "Volumes/0/Labels", {"a": None}, "$.Volumes[0].Labels['a']", "string"),
    ("networks", "0", "rede-app", "$[0]", "object"),
    *[("networks", f"0/{key}", bad, f"$[0].{key}", "string") for key in ("Name", "Id") for bad in (GONE, None, 1)],
    ("networks", "0/Driver", {"bridge": 1}, "$[0].Driver", "string"),
    ("networks", "0/IPAM", ["default"], "$[0].IPAM", "object"),
    ("networks", "0/IPAM/Config", {"Subnet": "172.30.0.0/16"}, "$[0].IPAM.Config", "objects"),
    ("networks", "0/IPAM/Config/0", "172.30.0.0/16", "$[0].IPAM.Config[0]", "object"),
    *[("networks", f"0/IPAM/Config/0/{key}", ["x"], f"$[0].IPAM.Config[0].{key}", "string") for key in ("Subnet", "IPRange", "Gateway")],
    ("events", "0", "start", "$[0]", "object"),
    *[("events", f"0/{key}", bad, f"$[0].{key}", "string") for key in ("Type", "Action") for bad in (GONE, None, 1)],
    *[("events", "0/timeNano", bad, "$[0].timeNano", "number") for bad in (GONE, None, "1765159200000000007", 1.5)],
    *[("events", "0/Actor", bad, "$[0].Actor", "object") for bad in (GONE, None, "web")],
    *[("events", "0/Actor/ID", bad, "$[0].Actor.ID", "string") for bad in (GONE, None, ["c"])],
    ("events", "0/Actor/Attributes", ["name=web"], "$[0].Actor.Attributes", "labels"),
    ("events", "0/Actor/Attributes/name", 1, "$[0].Actor.Attributes['name']", "string"),
])
def test_each_field_of_the_wrong_shape_is_named(read, path, value, where, expected):
    shaped, answer = READS[read]
    assert shape_error(shaped, changed(answer, path, value)) == (where, expected)


@pytest.mark.parametrize("read, answer, expected", [
    *[("image", bad, "object") for bad in ([], "x", 1)],
    *[("history", bad, "objects") for bad in ({}, "x", 1)],
    *[("volumes", bad, "object") for bad in (None, [], "x")],  # dockerd always answers GET /volumes with an object
    *[("networks", bad, "objects") for bad in (None, {"rede-app": {}}, "x")],
])
def test_an_answer_of_another_type_is_named_at_its_root(read, answer, expected):
    assert shape_error(READS[read][0], answer) == ("$", expected)
