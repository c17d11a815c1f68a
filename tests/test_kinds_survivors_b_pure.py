"""What the pure tests of output, http, networks, image_config, files, image and fields once let
through (issue 24's surviving mutants), each pinned here by the verdict and the exact words a
student reads. No daemon, no socket: every probe and read is answered by tests/apijson.py."""

from __future__ import annotations

import hashlib

import pytest

from apijson import FakeSource, container_json, digest, image_id, image_json, snapshot

from checks.events import Event, EventLog, Provenance
from checks.kinds import fields, files, http, image, image_config, networks, output
from checks.messages import msg
from checks.results import CommandRun
from checks.snapshot import FileRead, HttpProbe

WEB, DB = "a" * 64, "b" * 64


def en(message) -> str:
    return message.render("en")


# --- output: which lines a pattern takes --------------------------------------------------------
def graded_output(spec: dict, runs: tuple, record: EventLog | None = None) -> tuple[bool, str]:
    source = FakeSource()
    source.event_log = record
    result = output.evaluate(spec, snapshot((), (), source).with_reads(commands=lambda: runs))
    return result.passed, en(result.found)


PS = (CommandRun(1, "docker ps   -a", 0, "CONTAINER ID\n"),)


@pytest.mark.parametrize("pattern, passed", [
    ("docker ps *", True),  # `*` is any text, on a line that is no run or exec too
    ("docker * -a", True),
    ("docker ps -a", True),  # the file's three spaces are one
    ("docker ps", False),  # the whole line, not a start of it
    ("docker psX*", False),  # every other character is itself: an X is no space
    ("docker ps -a*", True),  # `*` is also no text at all
])
def test_a_pattern_is_the_line_with_star_for_any_text_and_spaces_collapsed(pattern, passed):
    found = graded_output({"command": pattern}, PS)
    assert found == ((True, "line 1 (`docker ps   -a`): output and exit code as expected") if passed
                     else (False, f"no line of your command file that ran is like `{pattern}`"))


def test_a_refused_line_is_passed_over_and_the_lines_after_it_still_count():
    runs = (CommandRun(1, "docker pull alpine; ls", refused=msg("policy.empty")), CommandRun(2, "docker ps -a", 0, "CONTAINER ID\n"))
    assert graded_output({"command": "docker ps -a"}, runs) == (True, "line 2 (`docker ps -a`): output and exit code as expected")


def test_last_is_the_last_of_three_lines_not_every_line_after_the_first():
    runs = (CommandRun(1, "docker ps -a", 0, ""), CommandRun(2, "docker ps -a", 1, ""), CommandRun(3, "docker ps -a", 0, ""))
    spec = {"command": "docker ps -a", "exit_code": 0, "match": "last"}
    assert graded_output(spec, runs) == (True, "line 3 (`docker ps -a`): output and exit code as expected")
    assert graded_output({**spec, "match": "all"}, runs) == (False, "line 2 (`docker ps -a`) exited with code 1, expected 0")


@pytest.mark.parametrize("text, shown", [
    ("echo " + "x" * 75, "echo " + "x" * 75),  # 80 characters: shown whole
    ("echo " + "x" * 76, "echo " + "x" * 72 + "..."),  # 81: cut to 77 and "..."
    ("echo " + "x" * 95, "echo " + "x" * 72 + "..."),
])
def test_a_line_longer_than_80_characters_is_cut_to_80_in_messages(text, shown):
    assert graded_output({"command": text, "exit_code": 0}, (CommandRun(7, text, 2, ""),)) == (
        False, f"line 7 (`{shown}`) exited with code 2, expected 0")


def test_an_incomplete_record_names_the_line_it_cannot_tie_to_a_container():
    text = "docker run --rm ubuntu:20.04 cat /etc/os-release"
    source = FakeSource()
    source.event_log = EventLog((), complete=False)
    taken = snapshot((), (), source).with_reads(commands=lambda: (CommandRun(4, text, 0, "ID=ubuntu\n", began=100, ended=199),))
    result = output.evaluate({"command": "docker run * ubuntu:20.04 cat /etc/os-release"}, taken)
    assert (result.passed, result.unknown) == (False, True)
    assert result.found == msg("output.no_record", line=4, text=text)


UBUNTU = {"command": "docker run * ubuntu:20.04 cat /etc/os-release", "contains": "ID=ubuntu"}
RUN_LINE = "docker run --rm ubuntu:20.04 cat /etc/os-release"


@pytest.mark.parametrize("events, passed", [
    ((Event(100, "container", "create", WEB, "", "ubuntu:20.04"),), True),  # the moment the line began is the line's
    ((Event(199, "container", "create", WEB, "", "ubuntu:20.04"),), True),  # and the moment it ended
    ((Event(99, "container", "create", WEB, "", "ubuntu:20.04"),), False),  # an earlier line's container
    ((Event(200, "container", "create", WEB, "", "ubuntu:20.04"),), False),  # a later one's
    # another container made while the line ran (a restart, a compose service) is not the line's
    ((Event(105, "container", "create", DB, "", "redis:7"), Event(110, "container", "create", WEB, "", "ubuntu:20.04")), True),
    ((Event(105, "container", "start", DB, "", "ubuntu:20.04"),), False),  # a start makes no container
])
def test_a_run_line_is_tied_to_the_container_created_while_it_ran(events, passed):
    runs = (CommandRun(1, RUN_LINE, 0, "ID=ubuntu\n", began=100, ended=199),)
    found = graded_output(UBUNTU, runs, EventLog(events))
    assert found == ((True, f"line 1 (`{RUN_LINE}`): output and exit code as expected") if passed
                     else (False, f"no line of your command file that ran is like `{UBUNTU['command']}`"))


EXEC_LINE = "docker exec web cat /etc/os-release"
OS_RELEASE_EXEC = Event(110, "container", "exec_create", WEB, "web", "alpine:3.14", "cat /etc/os-release")


@pytest.mark.parametrize("text, events, passed", [
    (EXEC_LINE, (OS_RELEASE_EXEC,), True),
    # a healthcheck's exec in another container while the line ran is not the line's
    (EXEC_LINE, (Event(105, "container", "exec_create", DB, "db", "redis:7", "/bin/sh -c redis-cli ping"), OS_RELEASE_EXEC), True),
    (EXEC_LINE, (Event(105, "container", "start", WEB, "web", "alpine:3.14"),), False),  # no exec was made
    ("docker exec aaaaaaaaaaaa cat /etc/os-release", (OS_RELEASE_EXEC,), True),  # by ID prefix: the container's name
])
def test_an_exec_line_is_tied_to_the_exec_made_in_its_container(text, events, passed):
    runs = (CommandRun(1, text, 0, "ID=alpine\n", began=100, ended=199),)
    found = graded_output({"command": EXEC_LINE}, runs, EventLog(events))
    assert found == ((True, f"line 1 (`{text}`): output and exit code as expected") if passed
                     else (False, f"no line of your command file that ran is like `{EXEC_LINE}`"))


# --- http -------------------------------------------------------------------------------------
def web_container(name: str = "web", key: str = WEB) -> dict:
    item = container_json(key, name, "nginx:1.25", image_id("ab"), "running", "Up 3 seconds")
    item["Ports"] = [{"IP": "0.0.0.0", "PrivatePort": 80, "PublicPort": 8080, "Type": "tcp"}]
    return item


def probed(spec: dict, probe: HttpProbe, *containers: dict, made: Provenance | None = None):
    source = FakeSource()
    source.answers[(8080, "/")] = probe
    source.providers["provenance"] = lambda: made
    return http.evaluate(spec, snapshot((), containers, source))


OK = HttpProbe(("GET http://127.0.0.1:8080/ → 200",), 200, {}, b"hello")


@pytest.mark.parametrize("name, asked", [("web", "/web"), ("Xray", "Xray"), ("web", "web")])
def test_a_container_is_named_with_or_without_its_slash(name, asked):
    result = probed({"container": asked, "port": 80}, OK, web_container(name))
    assert (result.passed, en(result.found)) == (True, "http://127.0.0.1:8080/ answered 200, as expected")


def test_a_container_named_in_run_need_not_be_made_by_compose():
    plain = Provenance(exercise=frozenset({WEB}), by_compose=frozenset())  # `docker run -p 8080:80 --name web`
    assert probed({"container": "web", "port": 80}, OK, web_container(), made=plain).passed
    assert en(probed({"service": "web", "port": 80}, OK, web_container(), made=plain).found) == "no running container of service web"


def test_the_status_asked_for_is_the_one_the_message_expects():
    result = probed({"host_port": 8080, "status": 204}, OK)
    assert (result.passed, en(result.found)) == (False, "answered 200, expected 204; tried: GET http://127.0.0.1:8080/ → 200")
    assert probed({"host_port": 8080, "status": 200}, OK).passed


@pytest.mark.parametrize("tried, shown", [
    (("GET http://127.0.0.1:8080/ → 500",) * 2, "GET http://127.0.0.1:8080/ → 500 (×2)"),
    (("GET http://127.0.0.1:8080/ → connection refused",) + ("GET http://127.0.0.1:8080/ → 500",) * 3,
     "GET http://127.0.0.1:8080/ → connection refused; GET http://127.0.0.1:8080/ → 500 (×3)"),
    (("GET http://127.0.0.1:8080/ → 500", "GET http://127.0.0.1:8080/ → 503", "GET http://127.0.0.1:8080/ → 500"),
     "GET http://127.0.0.1:8080/ → 500; GET http://127.0.0.1:8080/ → 503; GET http://127.0.0.1:8080/ → 500"),
])
def test_the_attempts_are_listed_in_order_with_repeats_counted(tried, shown):
    result = probed({"host_port": 8080}, HttpProbe(tried, 500, {}, b""))
    assert en(result.found) == f"answered 500, expected 200; tried: {shown}"


def test_without_a_source_to_probe_through_nothing_is_sent_and_the_check_says_so():
    result = http.evaluate({"host_port": 8080}, snapshot())
    assert result.passed is False and result.found == msg("http.skipped", endpoint="no daemon")


# --- networks ---------------------------------------------------------------------------------
def graded_network(spec: dict, config: list, *containers: dict):
    source = FakeSource()
    source.network_list = [{"Name": "app-net", "Id": "9" * 64, "Driver": "bridge", "IPAM": {"Config": config}}]
    images = [image_json(image_id("ab"), ["alpine:3.14"]), image_json(image_id("cd"), ["redis:7"])]
    result = networks.evaluate({"network": "app-net", **spec}, snapshot(images, containers, source))
    return result.passed, en(result.found)


FULL = [{"Subnet": "172.28.0.0/16", "IPRange": "172.28.5.0/24", "Gateway": "172.28.5.254"}]


@pytest.mark.parametrize("spec, config, found", [
    ({"ip_range": "172.28.5.0/24"}, FULL, None),
    ({"ip_range": "10.0.5.0/24"}, FULL, "ip_range=172.28.5.0/24, expected ip_range=10.0.5.0/24"),
    ({"gateway": "172.28.5.254"}, FULL, None),
    ({"gateway": "10.0.0.1"}, FULL, "gateway=172.28.5.254, expected gateway=10.0.0.1"),
    ({"subnet": "172.28.0.0/16", "gateway": "172.28.0.1"}, [{"Subnet": "172.28.0.0/16"}],
     "subnet=172.28.0.0/16 gateway=-, expected subnet=172.28.0.0/16 gateway=172.28.0.1"),
])
def test_each_address_key_is_compared_and_both_sides_are_shown_key_by_key(spec, config, found):
    expected = (True, "network app-net exists (driver bridge, containers: none)") if found is None else (
        False, f"network app-net differs: addresses (IPAM) {found}")
    assert graded_network(spec, config) == expected


def on_net(name: str, image_ref: str, key: str, labels: dict) -> dict:
    item = container_json(key * 64, name, image_ref, image_id("ab") if image_ref == "alpine:3.14" else image_id("cd"), "running", "Up")
    item["NetworkSettings"] = {"Networks": {"app-net": {"NetworkID": "9" * 64}}}
    item["Labels"] = labels
    return item


ATTACHED = (on_net("web", "alpine:3.14", "a", {"tier": "front"}), on_net("cache", "redis:7", "b", {"tier": "db"}),
            on_net("tool", "alpine:3.14", "c", {}))
PRESENT = "network app-net exists (driver bridge, containers: cache, tool, web)"


@pytest.mark.parametrize("select, found", [
    ({"label": {"tier": False}}, None),  # false: the label is not there
    ({"label": {"tier": False}, "count": 1}, None),
    ({"label": {"tier": False}, "count": 2}, "1 container(s) with tier=False attached to it (expected: 2)"),
    ({"image": "alpine:3.14", "label": {"tier": True}, "count": 2},
     "1 container(s) with image=alpine:3.14, tier=True attached to it (expected: 2)"),
    ({"label": {"tier": True, "team": False}, "count": 2}, None),
])
def test_containers_chosen_by_a_label_that_is_there_or_not(select, found):
    expected = (True, PRESENT) if found is None else (False, f"network app-net differs: {found}")
    assert graded_network({"select": select}, FULL, *ATTACHED) == expected


def test_a_label_that_must_not_be_there_chooses_none_when_every_container_has_it():
    assert graded_network({"select": {"label": {"tier": False}}}, FULL, *ATTACHED[:2]) == (
        False, "network app-net differs: no container with tier=False is attached to it; attached: cache, web")


def test_a_problem_found_before_the_selection_is_kept_with_it():
    assert graded_network({"driver": "overlay", "select": {"image": "redis:7"}}, FULL, *ATTACHED) == (
        False, "network app-net differs: Driver is bridge, expected overlay")


# --- files ------------------------------------------------------------------------------------
def files_taken(made: Provenance | None, content: bytes = b"hello note\n"):
    source = FakeSource()
    source.providers["provenance"] = lambda: made
    source.inspected[WEB] = {"Id": WEB}
    source.files[(WEB, "/app/note.txt")] = FileRead("/app/note.txt", "file", len(content), content=content)
    return snapshot((), [container_json(WEB, "web", "alpine:3.14", image_id("ab"))], source)


def test_a_path_that_must_be_gone_is_looked_for_in_a_container_kept_from_an_earlier_exercise_too():
    earlier = Provenance(exercise=frozenset(), by_compose=frozenset())
    result = files.evaluate({"select": {"name": "web"}, "path": "/tmp/secret", "state": "absent"}, files_taken(earlier))
    assert (result.passed, en(result.found)) == (True, "in web, /tmp/secret does not exist, as expected")
    result = files.evaluate({"select": {"name": "web"}, "path": "/app/note.txt", "state": "absent"}, files_taken(earlier))
    assert (result.passed, en(result.found)) == (False, "in web, /app/note.txt still exists (file); remove it")


HELLO_SHA = hashlib.sha256(b"hello note\n").hexdigest()


@pytest.mark.parametrize("spec, found", [
    ({"contains": "hello", "sha256": "0" * 64},
     f"in web, the sha256 of /app/note.txt is {HELLO_SHA}, expected {'0' * 64}"),
    ({"contains": "bye", "sha256": HELLO_SHA}, "in web, /app/note.txt does not contain 'bye'"),
])
def test_contains_and_sha256_must_both_hold(spec, found):
    result = files.evaluate({"select": {"name": "web"}, "path": "/app/note.txt", **spec}, files_taken(None))
    assert (result.passed, en(result.found)) == (False, found)
    both = files.evaluate({"select": {"name": "web"}, "path": "/app/note.txt", "contains": "hello", "sha256": HELLO_SHA}, files_taken(None))
    assert (both.passed, en(both.found)) == (True, f"in web, /app/note.txt has the expected sha256 ({HELLO_SHA})")


# --- fields: a port as `docker run -p` writes it ----------------------------------------------
@pytest.mark.parametrize("text, valid", [
    ("1", True), ("0", False), ("65535", True), ("65536", False),
    ("1:80", True), ("0:80", False), ("65535:80", True), ("65536:80", False),
    ("127.0.0.1:8080:80/udp", True), ("127.0.0.1::80", True), ("80/http", False),
])
def test_a_port_and_its_host_port_run_from_1_to_65535(text, valid):
    assert fields.is_port(text) is valid


# --- image: a tag made since the last pull ---------------------------------------------------
DEBIAN_ID = image_id("cd")
DEBIAN = image_json(DEBIAN_ID, ["debian:11", "debian:stable-slim"], ["debian@" + digest("d")])
PULL_11 = Event(2, "image", "pull", "debian:11", "debian")
TAG_SLIM = Event(3, "image", "tag", DEBIAN_ID, "debian:stable-slim")
TAGGED = "image {ref} (ID cdcdcdcdcdcd) was made by `docker tag` (tag debian:stable-slim), not pulled: the daemon saw no pull of {ref}"


@pytest.mark.parametrize("ref, events, found", [
    ("debian:stable-*", (PULL_11, TAG_SLIM), TAGGED),  # a pattern: the tags it matches
    ("debian:stable-slim", (Event(1, "container", "create", WEB, "web", "debian:11"), PULL_11, TAG_SLIM), TAGGED),
    ("debian:stable-slim", (), None),  # a record without a tag of it: the digest is all there is
    ("debian:*", (PULL_11,), None),
])
def test_a_reference_a_tag_made_and_no_pull_fetched_is_not_pulled(ref, events, found):
    source = FakeSource()
    source.event_log = EventLog(events)
    result = image.evaluate({"image": ref, "pulled": True}, snapshot([DEBIAN], (), source))
    expected = (True, f"image {ref} is present (ID cdcdcdcdcdcd)") if found is None else (False, found.format(ref=ref))
    assert (result.passed, en(result.found)) == expected


# --- image_config -----------------------------------------------------------------------------
BASE_ID, APP_ID, OTHER_ID = image_id("ab"), image_id("cd"), image_id("ef")
BASE = image_json(BASE_ID, ["alpine:3.14"])
APP = image_json(APP_ID, ["app:1"])
OTHER = image_json(OTHER_ID, ["other:1"])
LAYERS = ["sha256:" + c * 64 for c in "123"]
HISTORY = [
    {"Id": APP_ID, "CreatedBy": '/bin/sh -c #(nop)  CMD ["cat" "/app/note.txt"]'},
    {"Id": "<missing>", "CreatedBy": "/bin/sh -c #(nop) COPY file:23e2 in /app/note.txt "},
    {"Id": "<missing>", "CreatedBy": "/bin/sh -c mkdir /app && echo hi > /app/x"},
    {"Id": BASE_ID, "CreatedBy": "docker-grader lab: busybox recipe"},
]


def built(spec: dict, images=(BASE, APP, OTHER), history=HISTORY, **histories):
    source = FakeSource()
    source.images[BASE_ID] = {"Id": BASE_ID, "RootFS": {"Layers": LAYERS[:1]}}
    source.images[APP_ID] = {"Id": APP_ID, "Config": {}, "RootFS": {"Layers": LAYERS}}
    source.images[OTHER_ID] = {"Id": OTHER_ID, "RootFS": {"Layers": LAYERS[1:]}}
    source.histories[APP_ID] = history
    for image_key, steps in histories.items():
        source.histories[{"base": BASE_ID, "other": OTHER_ID}[image_key]] = steps
    result = image_config.evaluate({"image": "app:1", **spec}, snapshot(images, [], source))
    return result.passed, en(result.found)


def ok(checked: str) -> tuple[bool, str]:
    return True, f"image app:1 (ID cdcdcdcdcdcd) is as expected: {checked}"


def differs(problem: str) -> tuple[bool, str]:
    return False, f"image app:1 (ID cdcdcdcdcdcd) differs: {problem}"


def test_own_steps_come_from_the_base_it_was_built_from_not_another_one_named():
    # other:1 is on the daemon with two steps, but app:1's first layers are not its own: not its base
    spec = {"base": ["nope:1", "other:1", "alpine:3.14"], "instructions": ["mkdir"]}
    assert built(spec, base=HISTORY[3:], other=HISTORY[2:]) == ok("History, FROM")
    assert built({**spec, "instructions": ["busybox"]}, base=HISTORY[3:], other=HISTORY[2:]) == differs(
        "no step of its history was created by an instruction with 'busybox'")


def test_a_base_without_history_falls_back_to_the_steps_above_the_first_other_image():
    assert built({"base": "alpine:3.14", "instructions": ["mkdir"]}) == ok("History, FROM")
    assert built({"base": "alpine:3.14", "instructions": ["busybox recipe"]}) == differs(
        "no step of its history was created by an instruction with 'busybox recipe'")


def test_a_base_with_as_many_steps_as_the_image_leaves_it_none_of_its_own():
    assert built({"base": "alpine:3.14", "instructions": ["COPY"]}, base=[{"CreatedBy": "x"}] * 4) == differs(
        "no step of its history was created by an instruction with 'COPY'")
    assert built({"base": "alpine:3.14", "instructions": ["COPY"]}, base=[{"CreatedBy": "x"}] * 2) == ok("History, FROM")


def test_a_step_without_created_by_matches_no_text():
    history = [{"Id": APP_ID, "CreatedBy": None}, {"Id": image_id("12"), "CreatedBy": "/bin/sh -c #(nop) COPY x /x"}]
    assert built({"instructions": ["X"]}, history=history) == differs("no step of its history was created by an instruction with 'X'")
    assert built({"instructions": ["COPY"]}, history=history) == ok("History")


SCRATCH_HISTORY = [{"Id": APP_ID, "CreatedBy": "CMD"}, {"Id": image_id("12"), "CreatedBy": "COPY hello /"}]


@pytest.mark.parametrize("history, passed", [
    (SCRATCH_HISTORY, True),  # every step an image of this build
    (SCRATCH_HISTORY + [{"Id": BASE_ID, "CreatedBy": "ADD rootfs /"}], False),  # a step is another image on the daemon
    (SCRATCH_HISTORY + [{"Id": "<missing>", "CreatedBy": "ADD rootfs /"}], False),  # a pulled base's step
    (SCRATCH_HISTORY + [{"CreatedBy": "ADD rootfs /"}], False),  # a step with no ID at all
])
def test_from_scratch_every_step_is_of_this_build(history, passed):
    expected = ok("History, FROM") if passed else differs("it was not built FROM scratch: its history holds steps of another image")
    assert built({"base": "scratch", "instructions": ["COPY hello"]}, history=history) == expected


def test_an_image_whose_size_nothing_gives_is_not_over_any_limit():
    sizeless = {**APP, "Size": None}
    assert built({"max_size_mb": 0.0000001}, images=(BASE, sizeless)) == ok("Size")
