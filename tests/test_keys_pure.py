"""The keys issue 22 found missing, on hand-built snapshots: output that must not be there, a base
of several (or scratch), the order of an image's own steps, a network's addresses, containers on a
network chosen by image or label, an env var absent or other than a value. tests/test_keys_daemon.py
grades the same keys through `run` on a real lab."""

from __future__ import annotations

from apijson import FakeSource, container_json, image_id, image_json, snapshot

from checks.kinds import container, files, image_config, networks, output
from checks.results import CommandRun
from checks.snapshot import FileRead

BASE_ID, APP_ID, OTHER_ID, STEP_ID = image_id("ab"), image_id("cd"), image_id("ef"), image_id("12")
LAYERS = ["sha256:" + c * 64 for c in "123"]


def en(message) -> str:
    return message.render("en")


# --- output: not_contains ---------------------------------------------------------------------
def test_output_that_must_not_be_there():
    runs = (CommandRun(1, "docker ps -a", 0, "CONTAINER ID   STATUS\nabc   Restarting (1)\n"),)
    taken = snapshot().with_reads(commands=lambda: runs)
    assert output.evaluate({"command": "docker ps -a", "not_contains": "Exited"}, taken).passed
    result = output.evaluate({"command": "docker ps -a", "not_contains": ["Exited", "Restarting"]}, taken)
    assert en(result.found) == "the output of line 1 (`docker ps -a`) contains 'Restarting', which should not be there"


# --- image_config: several bases, scratch, the order of steps ---------------------------------
HISTORY = [
    {"Id": APP_ID, "CreatedBy": '/bin/sh -c #(nop)  CMD ["app"]'},
    {"Id": STEP_ID, "CreatedBy": "/bin/sh -c apk add curl"},
    {"Id": image_id("34"), "CreatedBy": "/bin/sh -c #(nop) COPY file:ab in /app "},
    {"Id": BASE_ID, "CreatedBy": "/bin/sh -c #(nop)  CMD [\"sh\"]"},
    {"Id": "<missing>", "CreatedBy": "/bin/sh -c #(nop) ADD file:base in / "},
]


def images_source(history=HISTORY) -> FakeSource:
    source = FakeSource()
    source.images[BASE_ID] = {"Id": BASE_ID, "RootFS": {"Layers": LAYERS[:1]}}
    source.images[OTHER_ID] = {"Id": OTHER_ID, "RootFS": {"Layers": LAYERS[2:]}}
    source.images[APP_ID] = {"Id": APP_ID, "RootFS": {"Layers": LAYERS}}
    source.histories[APP_ID] = history
    source.histories[BASE_ID] = HISTORY[3:]
    return source


def configured(spec: dict, source=None):
    images = [image_json(BASE_ID, ["alpine:3.14"]), image_json(OTHER_ID, ["debian:11"]), image_json(APP_ID, ["app:1"])]
    return image_config.evaluate({"image": "app:1", **spec}, snapshot(images, (), source or images_source()))


def test_a_base_that_may_be_one_of_several():
    assert configured({"base": ["debian:11", "alpine:3.14"]}).passed
    result = configured({"base": ["debian:11", "ubuntu:20.04"]})
    assert en(result.found).endswith("its first layers are not those of debian:11: it was not built from it (FROM debian:11)")


def test_an_image_built_from_scratch():
    result = configured({"base": "scratch"})
    assert en(result.found).endswith("it was not built FROM scratch: its history holds steps of another image")
    own = [dict(step) for step in HISTORY[:3]]
    assert configured({"base": "scratch"}, images_source(own)).passed
    pulled = [dict(own[0]), dict(own[1], Id="<missing>")]  # a pulled image's steps carry no ID
    assert not configured({"base": "scratch"}, images_source(pulled)).passed


def test_the_order_of_the_images_own_steps():
    spec = {"instructions": ["COPY", "apk add", "CMD"], "instructions_in_order": True}
    assert configured(spec).passed
    result = configured({**spec, "instructions": ["apk add", "COPY"]})
    assert en(result.found).endswith("steps 'apk add', 'COPY' are not in that order in its history (oldest to newest)")
    assert configured({**spec, "instructions": ["apk add", "COPY"], "instructions_in_order": False}).passed
    # the base's own `CMD ["sh"]` and ADD are not the Dockerfile's: ADD is no step of it
    assert not configured({"instructions": ["ADD", "COPY"], "instructions_in_order": True}).passed


# --- networks: addresses, containers by image or label -----------------------------------------
NETWORK = {"Name": "app-net", "Id": "n" * 64, "Driver": "bridge",
           "IPAM": {"Config": [{"Subnet": "172.28.0.0/16", "IPRange": "172.28.5.0/24", "Gateway": "172.28.5.254"}]}}


def on_network(name: str, image: str, key: str, labels=None) -> dict:
    item = container_json(key * 64, name, image, image_id("ab") if image == "alpine:3.14" else image_id("cd"), "running", "Up 1 second")
    item["NetworkSettings"] = {"Networks": {"app-net": {"NetworkID": "n" * 64}}}
    item["Labels"] = labels or {}
    return item


def graded_network(spec: dict, containers=()):
    source = FakeSource()
    source.network_list = [NETWORK]
    images = [image_json(image_id("ab"), ["alpine:3.14"]), image_json(image_id("cd"), ["redis:7"])]
    return networks.evaluate({"network": "app-net", **spec}, snapshot(images, containers, source))


def test_a_networks_subnet_ip_range_and_gateway():
    assert graded_network({"subnet": "172.28.0.0/16", "ip_range": "172.28.5.0/24", "gateway": "172.28.5.254"}).passed
    result = graded_network({"subnet": "10.0.0.0/24"})
    assert en(result.found) == "network app-net differs: addresses (IPAM) subnet=172.28.0.0/16, expected subnet=10.0.0.0/24"


def test_containers_on_a_network_chosen_by_image_or_label():
    attached = [on_network("web", "alpine:3.14", "a", {"tier": "front"}), on_network("cache", "redis:7", "b", {"tier": "db"})]
    assert graded_network({"select": {"image": "redis:7"}}, attached).passed
    assert graded_network({"select": {"label": {"tier": "db"}, "count": 1}}, attached).passed
    result = graded_network({"select": {"image": "redis:7", "label": {"tier": "front"}}}, attached)
    assert en(result.found) == "network app-net differs: no container with image=redis:7, tier=front is attached to it; attached: cache, web"
    result = graded_network({"select": {"label": {"tier": True}, "count": 3}}, attached)
    assert en(result.found) == "network app-net differs: 2 container(s) with tier=True attached to it (expected: 3)"


# --- container: an env var absent or other than a value ----------------------------------------
def test_an_env_var_absent_or_other_than_a_value():
    item = container_json("a" * 64, "web", "alpine:3.14", image_id("ab"), "running", "Up 1 second")
    source = FakeSource()
    source.inspected["a" * 64] = {"Config": {"Env": ["APP_ENV=production", "PATH=/bin"]}}
    taken = snapshot((), [item], source)
    assert container.evaluate({"select": {"name": "web"}, "env": {"APP_ENV": {"not": "development"}, "DEBUG": {"not": "1"}}}, taken).passed
    result = container.evaluate({"select": {"name": "web"}, "env": {"APP_ENV": {"not": "production"}}}, taken)
    assert not result.passed and "not set or other than 'production'" in en(result.found)


# --- files: a checksum ------------------------------------------------------------------------
def test_a_files_sha256_over_its_whole_content_following_links():
    item = container_json("a" * 64, "web", "alpine:3.14", image_id("ab"), "running", "Up 1 second")
    source = FakeSource()
    content = b"x" * 100_000  # more than the 64 KiB `contains` reads: the digest covers it all
    source.files[("a" * 64, "/app/data.bin")] = FileRead("/app/data.bin", "file", len(content), content=content[:65536], truncated=True)
    source.files[("a" * 64, "/app/link")] = FileRead("/app/link", "symlink", target="data.bin")
    import hashlib

    whole = hashlib.sha256(content).hexdigest()
    source.providers["file_sha256"] = lambda key, path: whole if path == "/app/data.bin" else None
    taken = snapshot((), [item], source)
    assert files.evaluate({"select": {"name": "web"}, "path": "/app/link", "sha256": whole.upper()}, taken).passed
    result = files.evaluate({"select": {"name": "web"}, "path": "/app/data.bin", "sha256": "sha256:" + "0" * 64}, taken)
    assert en(result.found) == f"in web, the sha256 of /app/data.bin is {whole}, expected sha256:{'0' * 64}"
    source.providers["file_sha256"] = lambda key, path: ""
    result = files.evaluate({"select": {"name": "web"}, "path": "/app/data.bin", "sha256": whole}, snapshot((), [item], source))
    assert en(result.found) == "in web, /app/data.bin has 100000 bytes, too large to check its sha256"
