"""image_config, files, volumes and networks on hand-built snapshots: verdicts, messages, and
exactly which lazy reads each makes. test_kinds_image_files.py runs them on a real dockerd."""

from __future__ import annotations

import pytest

from checks.kinds import files, image_config, networks, volumes
from checks.messages import Message
from checks.snapshot import FileRead

from apijson import FakeSource, container_json, image_id, image_json, snapshot

BASE_ID, APP_ID, OTHER_ID = image_id("ab"), image_id("cd"), image_id("ef")
BASE = image_json(BASE_ID, ["alpine:3.14"], ["alpine@sha256:" + "1" * 64])
APP = image_json(APP_ID, ["app:1"])
OTHER = image_json(OTHER_ID, ["other:1"])
LAYERS = ["sha256:" + c * 64 for c in "123"]
APP_CONFIG = {
    "Cmd": ["cat", "/app/note.txt"],
    "Entrypoint": None,
    "ExposedPorts": {"80/tcp": {}, "53/udp": {}},
    "User": "nobody",
    "WorkingDir": "/app",
    "Env": ["PATH=/usr/bin:/bin", "A=1", "EMPTY="],
    "Labels": {"course": "docker"},
    "Healthcheck": {"Test": ["CMD-SHELL", "cat /app/x"]},
}
HISTORY = [
    {"Id": APP_ID, "CreatedBy": '/bin/sh -c #(nop)  CMD ["cat" "/app/note.txt"]', "Size": 0},
    {"Id": "<missing>", "CreatedBy": "/bin/sh -c #(nop) COPY file:23e2 in /app/note.txt ", "Size": 11},
    {"Id": "<missing>", "CreatedBy": "/bin/sh -c mkdir /app && echo hi > /app/x", "Size": 9},
    {"Id": BASE_ID, "CreatedBy": "docker-grader lab: busybox recipe", "Size": 1984355},
]


def en(message: Message) -> str:
    return message.render("en")


def image_source() -> FakeSource:
    source = FakeSource()
    source.images[BASE_ID] = {"Id": BASE_ID, "Config": {"Cmd": ["sh"]}, "RootFS": {"Layers": LAYERS[:1]}, "Size": 1984355}
    source.images[APP_ID] = {"Id": APP_ID, "Config": APP_CONFIG, "RootFS": {"Layers": LAYERS}, "Size": 1984375}
    source.images[OTHER_ID] = {"Id": OTHER_ID, "Config": {}, "RootFS": {"Layers": LAYERS[1:]}}
    source.histories[APP_ID] = HISTORY
    return source


def config(source=None, images=(BASE, APP, OTHER), **spec):
    source = source or image_source()
    result = image_config.evaluate({"image": "app:1", **spec}, snapshot(images, [], source))
    return result, source.calls


# --- image_config -------------------------------------------------------------------------
def test_image_config_every_field_as_built():
    result, calls = config(cmd=["cat", "/app/note.txt"], exposed_ports=[80, "53/udp"], user="nobody", workdir="/app/",
                           env={"A": "1", "EMPTY": "", "PATH": True, "DEBUG": False}, labels={"course": "docker"},
                           healthcheck="cat /app/x", entrypoint=[])
    assert result.passed, en(result.found)
    assert en(result.found) == ("image app:1 (ID cdcdcdcdcdcd) is as expected: Cmd, Entrypoint, ExposedPorts, User, "
                                "WorkingDir, Env, Labels, Healthcheck")
    assert calls == [("image_inspect", APP_ID)]  # one inspect for every config key, no history


@pytest.mark.parametrize("spec, problem", [
    ({"cmd": ["cat", "/note.txt"]}, 'Cmd is ["cat", "/app/note.txt"], expected ["cat", "/note.txt"]'),
    ({"cmd": "cat /note.txt"}, 'Cmd is ["cat", "/app/note.txt"], expected "cat /note.txt"'),
    ({"entrypoint": ["/entry.sh"]}, 'Entrypoint is null, expected ["/entry.sh"]'),
    ({"exposed_ports": [8080]}, 'ExposedPorts is ["53/udp", "80/tcp"], expected ["8080/tcp"]'),
    ({"exposed_ports": ["53"]}, 'ExposedPorts is ["53/udp", "80/tcp"], expected ["53/tcp"]'),
    ({"user": ""}, "User is 'nobody', expected ''"),
    ({"workdir": "/srv"}, "WorkingDir is '/app', expected '/srv'"),
    ({"env": {"A": "2"}}, "Env A is '1', expected '2'"),
    ({"env": {"B": True}}, "Env B is not set, expected set"),
    ({"env": {"A": False}}, "Env A is '1', expected not set"),
    ({"labels": {"course": "k8s"}}, "Labels course is 'docker', expected 'k8s'"),
    ({"healthcheck": False}, 'Healthcheck is ["CMD-SHELL", "cat /app/x"], expected false'),
    ({"healthcheck": "curl"}, 'Healthcheck is ["CMD-SHELL", "cat /app/x"], expected "curl"'),
    ({"healthcheck": "CMD-SHELL"}, 'Healthcheck is ["CMD-SHELL", "cat /app/x"], expected "CMD-SHELL"'),
    ({"max_size_mb": 1.5}, "size 5.6 MB, over 1.5 MB"),  # the list's Size
    ({"layers": 2}, "3 layer(s) (expected: 2)"),
    ({"layers": {"max": 1}}, "3 layer(s) (expected: at most 1)"),
    ({"instructions": ["RUN apk add"]}, "no step of its history was created by an instruction with 'RUN apk add'"),
    ({"base": "other:1"}, "its first layers are not those of other:1: it was not built from it (FROM other:1)"),
    ({"base": "app:1"}, "it is base image app:1 itself (same ID): a tag is not a build"),
    ({"base": "alpine:3.13"}, "base image alpine:3.13 is not on the daemon to compare with; pull it again (`docker pull alpine:3.13`)"),
])
def test_image_config_each_difference_fails_and_says_what_it_found(spec, problem):
    result, _ = config(**spec)
    assert result.passed is False
    assert en(result.found) == f"image app:1 (ID cdcdcdcdcdcd) differs: {problem}"


def test_image_config_lists_every_difference():
    result, _ = config(user="root", workdir="/", labels={"a": True})
    assert en(result.found) == ("image app:1 (ID cdcdcdcdcdcd) differs: User is 'nobody', expected 'root', "
                                "WorkingDir is '/app', expected '/', Labels a is not set, expected set")


def test_image_config_command_as_text():
    source = image_source()
    source.images[APP_ID]["Config"] = {"Cmd": ["/bin/sh", "-c", "npm start"], "Entrypoint": ["tini", "--"]}
    assert config(source, cmd="npm start", entrypoint="tini --")[0].passed
    assert config(image_source(), cmd="npm start")[0].passed is False
    assert config(image_source(), cmd="cat /app/note.txt")[0].passed


def test_image_config_healthcheck_none_and_absent():
    source = image_source()
    source.images[APP_ID]["Config"] = {"Healthcheck": {"Test": ["NONE"]}}
    assert config(source, healthcheck=False)[0].passed
    result, _ = config(source, healthcheck=True)
    assert en(result.found).endswith("Healthcheck is none, expected true")
    assert config(image_source(), healthcheck=True)[0].passed


def test_image_config_size_from_the_list_costs_no_request():
    result, calls = config(max_size_mb=5.6)
    assert result.passed and calls == []
    result, calls = config(max_size_mb=5.5)
    assert result.passed is False and en(result.found).endswith("size 5.6 MB, over 5.5 MB") and calls == []


def test_image_config_size_from_the_inspect_when_the_list_has_none():
    listed = {**APP, "Size": None}
    result, calls = config(images=(BASE, listed), max_size_mb=1.9)
    assert result.passed is False and en(result.found).endswith("size 1.98 MB, over 1.9 MB")
    assert calls == [("image_inspect", APP_ID)]
    assert config(images=(BASE, listed), max_size_mb=2)[0].passed


def test_image_config_history_read_only_for_instructions():
    result, calls = config(instructions=["COPY", "mkdir /app"])
    assert result.passed and calls == [("history", APP_ID)]


def test_instructions_match_the_images_own_steps_not_its_bases():
    # The base's own step (its top one carries the base's ID, as the legacy builder records it) is not the Dockerfile's.
    result, _ = config(instructions=["busybox"])
    assert en(result.found).endswith("no step of its history was created by an instruction with 'busybox'")
    source = image_source()  # with BuildKit every step but the top is <missing>: `base` says how many are the base's
    source.histories[APP_ID] = [dict(step, Id="<missing>") for step in HISTORY]
    source.histories[BASE_ID] = HISTORY[-1:]
    assert config(source, instructions=["busybox"])[0].passed is True  # without `base`, every step
    result, _ = config(source, instructions=["busybox"], base="alpine:3.14")
    assert en(result.found).endswith("no step of its history was created by an instruction with 'busybox'")
    assert config(source, instructions=["COPY", "mkdir /app"], base="alpine:3.14")[0].passed


def test_image_config_layers_and_base():
    result, calls = config(layers=3, base="alpine:3.14")
    assert result.passed, en(result.found)
    assert calls == [("image_inspect", APP_ID), ("image_inspect", BASE_ID)]
    assert config(layers={"min": 2, "max": 3})[0].passed


def test_image_config_base_with_the_same_layers_but_another_id_is_a_build():
    """A Dockerfile with only metadata instructions (CMD, ENV) keeps its base's layers."""
    source = image_source()
    source.images[APP_ID]["RootFS"]["Layers"] = LAYERS[:1]
    assert config(source, base="alpine:3.14")[0].passed


def test_image_config_a_retag_of_the_base_is_not_built_from_it():
    retagged = image_json(BASE_ID, ["alpine:3.14", "app:1"])
    result, calls = config(images=(retagged,), base="alpine:3.14")
    assert result.passed is False and en(result.found).endswith("it is base image alpine:3.14 itself (same ID): a tag is not a build")


def test_image_config_missing_or_removed_image():
    result, calls = config(images=(BASE,), user="x")
    assert result.passed is False and en(result.found) == "image app:1 is not present" and calls == []
    source = image_source()
    del source.images[APP_ID]  # removed between the list and the inspect
    result, _ = config(source, user="x")
    assert result.passed is False and en(result.found) == "image app:1 was removed during grading"
    source.histories.pop(APP_ID)
    result, calls = config(source, instructions=["COPY"])
    assert result.passed is False and en(result.found) == "image app:1 was removed during grading"


def test_image_config_by_id_prefix():
    source = image_source()
    found = image_config.evaluate({"image": "cdcdcdcdcdcd", "user": "nobody"}, snapshot([BASE, APP], [], source))
    assert found.passed and en(found.found) == "image cdcdcdcdcdcd (ID cdcdcdcdcdcd) is as expected: User"


# --- files --------------------------------------------------------------------------------
WEB, DB = "a" * 64, "b" * 64
CONTAINERS = [container_json(WEB, "web", "app:1", APP_ID, "running", "Up 1 second"),
              container_json(DB, "db", "alpine:3.14", BASE_ID)]


def file_source(**more) -> FakeSource:
    source = FakeSource()
    for cid in (WEB, DB):
        source.inspected[cid] = {"Id": cid}
        source.files[(cid, "/etc/os-release")] = FileRead("/etc/os-release", "symlink", target="../usr/lib/os-release")
        source.files[(cid, "/usr/lib/os-release")] = FileRead("/usr/lib/os-release", "file", 30, content=b'NAME="Alpine Linux"\nID=alpine\n')
        source.files[(cid, "/app")] = FileRead("/app", "dir")
    source.files[(WEB, "/app/note.txt")] = FileRead("/app/note.txt", "file", 11, content=b"hello note\n")
    for key, value in more.items():
        source.files[tuple(key.split(":"))] = value
    return source


def check_files(source=None, **spec):
    source = source or file_source()
    spec = {"select": {"name": "web"}, **spec}
    return files.evaluate(spec, snapshot([BASE, APP], CONTAINERS, source)), source.calls


def test_files_a_file_exists_and_contains_a_text():
    result, calls = check_files(path="/app/note.txt", type="file", contains="hello")
    assert result.passed and en(result.found) == "in web, /app/note.txt contains 'hello'"
    assert calls == [("archive", WEB, "/app/note.txt")]
    result, _ = check_files(path="/app/note.txt")
    assert result.passed and en(result.found) == "in web, /app/note.txt is a file"


def test_files_missing_text():
    result, _ = check_files(path="/app/note.txt", contains="bye")
    assert result.passed is False and en(result.found) == "in web, /app/note.txt does not contain 'bye'"


def test_files_text_beyond_what_was_read_says_so():
    big = FileRead("/big", "file", 70000, content=b"\0" * 65536, truncated=True)
    result, _ = check_files(file_source(**{f"{WEB}:/big": big}), path="/big", contains="end")
    assert result.passed is False
    assert en(result.found) == "in web, the first 64 KiB of /big (70000 bytes) do not contain 'end'"


def test_files_missing_path_and_absent_state():
    result, calls = check_files(path="/nope")
    assert result.passed is False and en(result.found) == "in web, /nope does not exist"
    assert calls == [("archive", WEB, "/nope"), ("inspect", WEB)]  # the inspect tells a missing path from a removed container
    result, _ = check_files(path="/nope", state="absent")
    assert result.passed and en(result.found) == "in web, /nope does not exist, as expected"
    result, calls = check_files(path="/app", state="absent")
    assert result.passed is False and en(result.found) == "in web, /app still exists (directory); remove it"
    assert calls == [("archive", WEB, "/app")]


def test_files_a_container_removed_while_grading_fails_even_for_absent():
    source = file_source()
    source.inspected.pop(WEB)
    source.files = {}  # the archive of a removed container: 404, as for a missing path
    for state in ("present", "absent"):
        result, _ = check_files(source, path="/app", state=state)
        assert result.passed is False and en(result.found) == "container web was removed during grading"


def test_files_types():
    assert check_files(path="/app", type="dir")[0].passed
    result, _ = check_files(path="/app", type="file")
    assert result.passed is False and en(result.found) == "in web, /app is a directory, not a file"
    result, _ = check_files(path="/app/note.txt", type="symlink")
    assert result.passed is False and en(result.found) == "in web, /app/note.txt is a file, not a symbolic link"


def test_files_a_symlink_is_reported_as_one_with_its_target():
    result, calls = check_files(path="/etc/os-release")
    assert result.passed and en(result.found) == "in web, /etc/os-release is a symbolic link to ../usr/lib/os-release"
    assert calls == [("archive", WEB, "/etc/os-release")]  # not followed
    result, _ = check_files(path="/etc/os-release", type="file")
    assert result.passed is False
    assert en(result.found) == "in web, /etc/os-release is a symbolic link to ../usr/lib/os-release, not a file"
    assert check_files(path="/etc/os-release", type="symlink", target="../usr/lib/os-release")[0].passed
    result, _ = check_files(path="/etc/os-release", target="/usr/lib/os-release")
    assert result.passed is False
    assert en(result.found) == "in web, /etc/os-release is a symbolic link to ../usr/lib/os-release, not to /usr/lib/os-release"
    result, _ = check_files(path="/app/note.txt", target="/x")
    assert en(result.found) == "in web, /app/note.txt is a file, not a symbolic link"


def test_files_contains_follows_a_symlink_and_says_so():
    result, calls = check_files(path="/etc/os-release", contains="Alpine")
    assert result.passed
    assert en(result.found) == "in web, /etc/os-release (a symbolic link to ../usr/lib/os-release) contains 'Alpine'"
    assert calls == [("archive", WEB, "/etc/os-release"), ("archive", WEB, "/usr/lib/os-release")]
    result, _ = check_files(path="/etc/os-release", contains="Debian")
    assert result.passed is False and en(result.found) == "in web, /usr/lib/os-release does not contain 'Debian'"


def test_files_dangling_and_looping_links():
    dangling = FileRead("/d", "symlink", target="gone")
    result, _ = check_files(file_source(**{f"{WEB}:/d": dangling}), path="/d", contains="x")
    assert result.passed is False and en(result.found) == "in web, /d is a symbolic link to gone, which does not exist"
    loop = FileRead("/loop", "symlink", target="/loop")
    result, calls = check_files(file_source(**{f"{WEB}:/loop": loop}), path="/loop", contains="x")
    assert result.passed is False and en(result.found) == "in web, /loop goes through more than 8 symbolic links"
    assert len(calls) == 1  # the cache answers the same path again
    result, _ = check_files(path="/app", contains="x")
    assert result.passed is False and en(result.found) == "in web, /app is a directory: only a file's content can contain a text"


@pytest.mark.parametrize("links, passed", [(8, True), (9, False)])
def test_files_follows_at_most_eight_links(links, passed):
    chain = {f"{WEB}:/l{i}": FileRead(f"/l{i}", "symlink", target=f"l{i + 1}") for i in range(1, links)}
    chain[f"{WEB}:/l{links}"] = FileRead(f"/l{links}", "symlink", target="/app/note.txt")
    result, calls = check_files(file_source(**chain), path="/l1", contains="hello")
    assert result.passed is passed and len(calls) == min(links, 8) + 1


def test_files_all_and_any_of_the_selected_containers():
    select = {"image": "alpine:3.14"}
    assert check_files(select={}, path="/etc/os-release", contains="Alpine")[0].passed
    result, calls = check_files(select={}, path="/app/note.txt")
    assert result.passed is False and en(result.found) == "in db, /app/note.txt does not exist"
    result, calls = check_files(select={}, path="/app/note.txt", match="any")
    assert result.passed and calls == [("archive", WEB, "/app/note.txt")]  # stops at the first that has it
    result, _ = check_files(select={"name": "nobody"}, path="/app")
    assert result.passed is False and en(result.found) == "no container named nobody"
    assert check_files(select=select, path="/etc/os-release", type="symlink")[0].passed


# --- volumes ------------------------------------------------------------------------------
def with_mounts(container: dict, *mounts: tuple[str, str, str]) -> dict:
    container["Mounts"] = [{"Type": kind, "Name": name, "Source": "/src",
                            "Destination": dest, "Driver": "local", "RW": True} for kind, name, dest in mounts]
    return container


def check_volume(containers=(), volume_list=None, **spec):
    source = FakeSource()
    source.volume_list = volume_list if volume_list is not None else [
        {"Name": "todo-db", "Driver": "local", "Labels": {"course": "docker"}, "Scope": "local"},
        {"Name": "other", "Driver": "local", "Labels": None},
    ]
    result = volumes.evaluate({"volume": "todo-db", **spec}, snapshot([], list(containers), source))
    return result, source.calls


def volume_users():
    return [
        with_mounts(container_json(WEB, "web", "app:1", APP_ID, "running", "Up"), ("volume", "todo-db", "/data"), ("bind", "", "/src")),
        # only a mount of type volume uses a volume, whatever else carries its name
        with_mounts(container_json(DB, "db", "alpine:3.14", BASE_ID), ("volume", "other", "/data"), ("bind", "todo-db", "/x")),
    ]


def test_volume_present_with_driver_labels_and_users():
    result, calls = check_volume(volume_users(), driver="local", labels={"course": True}, used_by=["web"], users=1)
    assert result.passed and en(result.found) == "volume todo-db exists (driver local, used by: web (/data))"
    assert calls == [("volumes",)]


def test_volume_missing_and_absent():
    result, _ = check_volume(volume_list=[])
    assert result.passed is False and en(result.found) == "volume todo-db does not exist"
    assert check_volume(volume_list=[], state="absent")[0].passed
    result, _ = check_volume(state="absent")
    assert result.passed is False and en(result.found) == "volume todo-db exists (driver local, used by: none)"


@pytest.mark.parametrize("spec, problem", [
    ({"driver": "nfs"}, "Driver is local, expected nfs"),
    ({"labels": {"course": "k8s"}}, "Labels course is 'docker', expected 'k8s'"),
    ({"users": 0}, "1 container(s) mount it (expected: 0): web (/data)"),
    ({"used_by": ["db", "web"]}, "not mounted by db; mounted by: web (/data)"),
])
def test_volume_differences(spec, problem):
    result, _ = check_volume(volume_users(), **spec)
    assert result.passed is False and en(result.found) == f"volume todo-db differs: {problem}"


def test_volume_unused():
    result, _ = check_volume(users=0)
    assert result.passed
    result, _ = check_volume(used_by=["web"])
    assert en(result.found) == "volume todo-db differs: not mounted by web; mounted by: none"


# --- networks -----------------------------------------------------------------------------
NET_ID = "9" * 64


def attached(container: dict, *networks_: tuple[str, str]) -> dict:
    container["NetworkSettings"] = {"Networks": {name: {"NetworkID": nid, "Aliases": None} for name, nid in networks_}}
    return container


def network_setup(aliases=("db", "bbbbbbbbbbbb")):
    source = FakeSource()
    source.network_list = [{"Name": "none", "Id": "0" * 64, "Driver": "null"},
                           {"Name": "todo-app", "Id": NET_ID, "Driver": "bridge", "Containers": {}}]
    source.inspected[DB] = {"Id": DB, "NetworkSettings": {"Networks": {"todo-app": {"NetworkID": NET_ID, "Aliases": list(aliases)}}}}
    containers_ = [
        attached(container_json(WEB, "web", "app:1", APP_ID, "running", "Up"), ("todo-app", NET_ID)),
        attached(container_json(DB, "db", "alpine:3.14", BASE_ID), ("todo-app", "")),  # created, not started: no ID yet
        attached(container_json("c" * 64, "lonely", "alpine:3.14", BASE_ID), ("none", "0" * 64)),
    ]
    return source, containers_


def check_network(source=None, containers_=None, **spec):
    if source is None:
        source, containers_ = network_setup()
    result = networks.evaluate({"network": "todo-app", **spec}, snapshot([], containers_, source))
    return result, source.calls


def test_network_present_with_driver_and_containers():
    result, calls = check_network(driver="bridge", containers=["web", "db"])
    assert result.passed and en(result.found) == "network todo-app exists (driver bridge, containers: db, web)"
    assert calls == [("networks",)]


def test_network_aliases_read_only_for_the_named_containers():
    result, calls = check_network(aliases={"db": ["db"]})
    assert result.passed and calls == [("networks",), ("inspect", DB)]
    result, _ = check_network(aliases={"db": ["database"]})
    assert result.passed is False
    assert en(result.found) == "network todo-app differs: db lacks alias(es) database on it; has: db, bbbbbbbbbbbb"


@pytest.mark.parametrize("spec, problem", [
    ({"driver": "overlay"}, "Driver is bridge, expected overlay"),
    ({"containers": ["web", "lonely", "ghost"]}, "lonely, ghost not attached to it; attached: db, web"),
    ({"aliases": {"lonely": ["x"]}}, "lonely not attached to it; attached: db, web"),
])
def test_network_differences(spec, problem):
    result, calls = check_network(**spec)
    assert result.passed is False and en(result.found) == f"network todo-app differs: {problem}"
    assert calls == [("networks",)]


def test_network_missing_and_absent():
    result, _ = check_network(network="nope")
    assert result.passed is False and en(result.found) == "network nope does not exist"
    assert check_network(network="nope", state="absent")[0].passed
    result, _ = check_network(state="absent")
    assert result.passed is False and en(result.found).startswith("network todo-app exists")


def test_network_attachment_by_id_when_the_name_differs():
    source, containers_ = network_setup()
    containers_[0]["NetworkSettings"]["Networks"] = {"renamed": {"NetworkID": NET_ID}}
    assert check_network(source, containers_, containers=["web"])[0].passed


def test_network_container_removed_before_its_aliases_are_read():
    source, containers_ = network_setup()
    source.inspected.pop(DB)
    result, _ = check_network(source, containers_, aliases={"db": ["db"]})
    assert result.passed is False and en(result.found) == "network todo-app differs: container db was removed during grading"


# --- edges the mutants showed -------------------------------------------------------------
def test_image_config_defaults_user_and_workdir_unset():
    source = image_source()
    source.images[APP_ID]["Config"] = {"User": "", "WorkingDir": "", "Env": ["URL=a=b"]}
    assert config(source, user="", workdir="/", env={"URL": "a=b"})[0].passed
    result, _ = config(source, user="root", workdir="/srv")
    assert en(result.found).endswith("differs: User is '', expected 'root', WorkingDir is '', expected '/srv'")
    source.images[APP_ID]["Config"] = {"WorkingDir": "/"}
    assert config(source, workdir="")[0].passed


def test_image_config_healthcheck_text_across_its_arguments():
    source = image_source()
    source.images[APP_ID]["Config"] = {"Healthcheck": {"Test": ["CMD", "curl", "-f", "http://localhost"]}}
    assert config(source, healthcheck="curl -f http")[0].passed


def test_image_config_only_the_image_and_every_problem_together():
    result, calls = config()
    assert result.passed and en(result.found) == "image app:1 (ID cdcdcdcdcdcd) is as expected: present" and calls == []
    result, _ = config(user="root", env={"A": "2"}, base="other:1")
    assert en(result.found) == ("image app:1 (ID cdcdcdcdcdcd) differs: User is 'nobody', expected 'root', Env A is '1', "
                                "expected '2', its first layers are not those of other:1: it was not built from it (FROM other:1)")


def test_files_a_special_file_and_a_link_whose_container_went_away():
    fifo = FileRead("/fifo", "other")
    result, _ = check_files(file_source(**{f"{WEB}:/fifo": fifo}), path="/fifo", type="file")
    assert en(result.found) == "in web, /fifo is a special file, not a file"
    source = file_source()
    source.inspected.pop(WEB)
    source.files.pop((WEB, "/usr/lib/os-release"))  # gone between the two reads
    result, _ = check_files(source, path="/etc/os-release", contains="Alpine")
    assert result.passed is False and en(result.found) == "container web was removed during grading"


def test_volume_list_and_users_with_several_volumes():
    vols = [{"Name": "other", "Driver": "nfs"}, {"Name": "todo-db", "Driver": "local", "Labels": {"a": "1", "b": "2"}}]
    users = volume_users()
    with_mounts(users[1], ("volume", "todo-db", "/one"), ("volume", "todo-db", "/two"), ("bind", "todo-db", "/three"))
    result, _ = check_volume(users, vols, labels={"a": "9", "b": "9"}, used_by=["nobody", "ghost"])
    assert en(result.found) == ("volume todo-db differs: Labels a is '1', expected '9', Labels b is '2', expected '9', "
                                "not mounted by nobody, ghost; mounted by: web (/data), db (/one, /two)")
    result, _ = check_volume(users, vols, state="absent")
    assert result.passed is False and en(result.found) == "volume todo-db exists (driver local, used by: web (/data), db (/one, /two))"
    result, _ = check_volume(users, [{"Name": "todo-db"}])
    assert en(result.found) == "volume todo-db exists (driver -, used by: web (/data), db (/one, /two))"


def test_network_each_missing_container_named_once_and_every_alias_problem():
    source, containers_ = network_setup()
    source.inspected[WEB] = {"Id": WEB, "NetworkSettings": {"Networks": {"todo-app": {"Aliases": ["front"]}}}}
    result, _ = check_network(source, containers_, containers=["lonely", "ghost"], aliases={"lonely": ["x"], "web": ["a", "b"], "db": ["c"]})
    assert en(result.found) == ("network todo-app differs: lonely, ghost not attached to it; attached: db, web, "
                                "web lacks alias(es) a, b on it; has: front, db lacks alias(es) c on it; has: db, bbbbbbbbbbbb")
    source.network_list[1].pop("Driver")
    result, _ = check_network(source, containers_, state="absent")
    assert result.passed is False and en(result.found) == "network todo-app exists (driver -, containers: db, web)"


def test_every_problem_is_kept_alongside_the_others():
    result, _ = config(user="root", instructions=["apk add"])
    assert en(result.found).endswith("User is 'nobody', expected 'root', no step of its history was created by an instruction with 'apk add'")
    result, _ = check_volume(volume_users(), driver="nfs", labels={"course": "k8s"})
    assert en(result.found) == "volume todo-db differs: Driver is local, expected nfs, Labels course is 'docker', expected 'k8s'"


@pytest.mark.parametrize("check, fault", [
    ("{kind: image_config, image: app, env: {A: 1}}", "$.checks[0].env.A: 1 is not of type string | boolean"),
    ("{kind: image_config, image: app, labels: {}}", "$.checks[0].labels"),
    ("{kind: image_config, image: app, exposed_ports: [80/http]}", "$.checks[0].exposed_ports[0]"),
    ("{kind: files, select: {}, path: etc/os-release}", "$.checks[0].path"),
    ("{kind: files, select: {}, path: /x, type: link}", "$.checks[0].type"),
    ("{kind: volumes, volume: /data}", "$.checks[0].volume"),
    ("{kind: volumes, volume: db, labels: {a: [1]}}", "$.checks[0].labels.a"),
    ("{kind: networks, network: n, aliases: {db: []}}", "$.checks[0].aliases.db"),
])
def test_the_schema_refuses_bad_keys_with_where_and_what(tmp_path, check, fault):
    from checks import exercises
    from checks.errors import GraderError

    path = tmp_path / "bad.yaml"
    path.write_text("id: bad\nlesson: l\norder: 1\ntitle: {pt-BR: a, en: b}\ndescription: {pt-BR: a, en: b}\n"
                    f"checks:\n  - {check[:-1]}, name: c, points: 1, hint: {{pt-BR: a, en: b}}}}\n")
    with pytest.raises(GraderError) as refused:
        exercises.load([path])
    assert f"bad.yaml:7: {fault}" in refused.value.render("en")
