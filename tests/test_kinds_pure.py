"""Every check kind on hand-built snapshots: what passes, what fails, and exactly what it says.

No daemon: the snapshots come from Engine API JSON (tests/apijson.py), so a kind can be written
and debugged here first. test_kinds_daemon.py runs the same kinds against a real dockerd.
"""

from __future__ import annotations

import pytest

from checks.kinds import KINDS, compose, containers, events, fields, http, image, image_count
from checks.kinds import output
from checks.kinds import files, image_config, networks, volumes
from checks.messages import Message, msg

from apijson import FakeSource, container_json, digest, image_id, image_json, snapshot

ALPINE_ID, HELLO_ID = image_id("ab"), image_id("cd")
ALPINE = image_json(ALPINE_ID, ["alpine:3.14"], ["alpine@" + digest("c")])
HELLO = image_json(HELLO_ID, ["hello-world:latest"], ["hello-world@" + digest("d")])


def en(message: Message) -> str:
    return message.render("en")


def test_the_registry_names_each_kind_module():
    assert {"image": image, "image_count": image_count, "containers": containers, "events": events, "output": output}.items() <= KINDS.items()
    assert all(module.__name__ == f"checks.kinds.{name}" for name, module in KINDS.items())  # a kind is its module's name
    assert all(callable(module.evaluate) and module.SCHEMA["properties"] for module in KINDS.values())


# --- image -------------------------------------------------------------------------------
def test_image_present():
    result = image.evaluate({"image": "alpine:3.14"}, snapshot([HELLO, ALPINE]))
    assert result.passed
    assert result.found == msg("image.found", ref="alpine:3.14", id="abababababab")


def test_image_missing():
    result = image.evaluate({"image": "alpine:3.14"}, snapshot([HELLO]))
    assert result.passed is False
    assert result.found == msg("image.missing", ref="alpine:3.14")


def test_image_present_is_the_default_state():
    assert image.evaluate({"image": "alpine:3.14", "state": "present"}, snapshot([ALPINE])).passed
    assert image.evaluate({"image": "alpine:3.14", "state": "present"}, snapshot([])).passed is False


def test_image_absent():
    gone = image.evaluate({"image": "alpine:3.14", "state": "absent"}, snapshot([HELLO]))
    assert gone.passed and gone.found == msg("image.missing", ref="alpine:3.14")
    still = image.evaluate({"image": "alpine:3.14", "state": "absent"}, snapshot([ALPINE]))
    assert still.passed is False and still.found == msg("image.found", ref="alpine:3.14", id="abababababab")


def test_image_absent_ignores_pulled_and_ids():
    spec = {"image": "alpine:3.14", "state": "absent", "pulled": True, "ids": ["sha256:" + "0" * 64]}
    assert image.evaluate(spec, snapshot([])).passed


def test_image_pulled():
    assert image.evaluate({"image": "alpine:3.14", "pulled": True}, snapshot([ALPINE])).passed


def test_image_tagged_but_not_pulled():
    tagged = image_json(ALPINE_ID, ["alpine:3.14"], [])
    result = image.evaluate({"image": "alpine:3.14", "pulled": True}, snapshot([tagged]))
    assert result.passed is False
    assert result.found == msg("image.not_pulled", ref="alpine:3.14", id="abababababab", repository="alpine")


def test_a_tag_of_another_pulled_image_is_not_a_pull():
    # `docker pull hello-world; docker tag hello-world alpine:3.14`: a digest, but of hello-world.
    retagged = image_json(HELLO_ID, ["hello-world:latest", "alpine:3.14"], ["hello-world@" + digest("d")])
    result = image.evaluate({"image": "docker.io/library/alpine:3.14", "pulled": True}, snapshot([retagged]))
    assert result.passed is False
    assert result.found == msg("image.not_pulled", ref="docker.io/library/alpine:3.14", id="cdcdcdcdcdcd", repository="alpine")
    assert image.evaluate({"image": "hello-world", "pulled": True}, snapshot([retagged])).passed


def test_a_tag_within_a_pulled_repository_is_not_a_pull_where_events_are_recorded():
    # `docker pull debian:11; docker tag debian:11 debian:stable-slim`: a digest of debian, but stable-slim was never pulled.
    from checks.events import Event, EventLog

    debian = image_json(HELLO_ID, ["debian:11", "debian:stable-slim"], ["debian@" + digest("d")])
    source = FakeSource()
    source.event_log = EventLog((Event(1, "image", "pull", "debian:11", "debian"),
                                 Event(2, "image", "tag", HELLO_ID, "debian:stable-slim")))
    spec = {"image": "debian:stable-slim", "pulled": True}
    result = image.evaluate(spec, snapshot([debian], (), source))
    assert (result.passed, en(result.found)) == (
        False, "image debian:stable-slim (ID cdcdcdcdcdcd) was made by `docker tag` (tag debian:stable-slim), not pulled: "
               "the daemon saw no pull of debian:stable-slim")
    assert image.evaluate({"image": "debian:11", "pulled": True}, snapshot([debian], (), source)).passed
    source.event_log = EventLog(source.event_log.events + (Event(3, "image", "pull", "debian:stable-slim", "debian"),))
    assert image.evaluate(spec, snapshot([debian], (), source)).passed  # pulled after the tag
    assert image.evaluate(spec, snapshot([debian])).passed  # no record: the digest is all there is


def test_pulled_names_the_repository_as_typed_on_the_cli():
    tagged = image_json(ALPINE_ID, ["localhost:5000/app:1"], [])
    result = image.evaluate({"image": "localhost:5000/app:1", "pulled": True}, snapshot([tagged]))
    assert en(result.found).endswith("not pulled from localhost:5000/app: it carries no digest of that repository")


def test_pulled_when_found_by_digest():
    assert image.evaluate({"image": "alpine@" + digest("c"), "pulled": True}, snapshot([ALPINE])).passed


def test_pulled_by_id_prefix_takes_a_digest_of_any_repository():
    assert image.evaluate({"image": "cdcdcdcdcdcd", "pulled": True}, snapshot([HELLO])).passed
    built = image_json(HELLO_ID, ["hello-world:latest"], [])
    result = image.evaluate({"image": "cdcdcdcdcdcd", "pulled": True}, snapshot([built]))
    assert result.passed is False
    assert result.found == msg("image.not_pulled", ref="cdcdcdcdcdcd", id="cdcdcdcdcdcd", repository="cdcdcdcdcdcd")


def test_pulled_false_or_absent_does_not_ask_for_a_digest():
    tagged = image_json(ALPINE_ID, ["alpine:3.14"], [])
    assert image.evaluate({"image": "alpine:3.14", "pulled": False}, snapshot([tagged])).passed
    assert image.evaluate({"image": "alpine:3.14"}, snapshot([tagged])).passed


@pytest.mark.parametrize("accepted", [
    ALPINE_ID,  # the full ID
    ALPINE_ID.removeprefix("sha256:"),  # without sha256:
    "abababababab",  # a 12-digit prefix
    "sha256:abababababab",
    digest("c"),  # the manifest digest a pull records (RepoDigests)
    "c" * 12,
])
def test_image_ids_accept_the_id_or_the_manifest_digest(accepted):
    assert image.evaluate({"image": "alpine:3.14", "ids": [accepted]}, snapshot([ALPINE])).passed
    assert image.evaluate({"image": "alpine:3.14", "ids": ["sha256:" + "0" * 64, accepted]}, snapshot([ALPINE])).passed


def test_image_ids_reject_another_id():
    spec = {"image": "alpine:3.14", "ids": ["sha256:" + "0" * 64, "1" * 12]}
    result = image.evaluate(spec, snapshot([ALPINE]))
    assert result.passed is False
    accepted = "sha256:" + "0" * 64 + ", " + "1" * 12
    assert result.found == msg("image.unexpected_id", ref="alpine:3.14", id="abababababab", accepted=accepted)


def test_image_ids_are_prefixes_not_suffixes_or_substrings():
    odd = image_json("sha256:" + "0" * 52 + "123456789abc", ["alpine:3.14"], ["alpine@sha256:" + "1" * 52 + "fedcba987654"])
    for accepted in ["123456789abc", "fedcba987654", "0" * 20 + "12"]:
        assert image.evaluate({"image": "alpine:3.14", "ids": [accepted]}, snapshot([odd])).passed is False, accepted


def test_image_ids_do_not_take_a_digest_of_an_image_without_one():
    tagged = image_json(ALPINE_ID, ["alpine:3.14"], [])
    assert image.evaluate({"image": "alpine:3.14", "ids": [digest("c")]}, snapshot([tagged])).passed is False


def test_image_pulled_is_checked_before_ids():
    tagged = image_json(ALPINE_ID, ["alpine:3.14"], [])
    result = image.evaluate({"image": "alpine:3.14", "pulled": True, "ids": ["0" * 12]}, snapshot([tagged]))
    assert result.found.key == "image.not_pulled"


def test_image_by_an_ambiguous_prefix_is_missing():
    one, two = image_json("sha256:abc1" + "0" * 60), image_json("sha256:abc2" + "0" * 60)
    assert image.evaluate({"image": "abc"}, snapshot([one, two])).found == msg("image.missing", ref="abc")
    assert image.evaluate({"image": "abc", "state": "absent"}, snapshot([one, two])).passed


# --- image_count -------------------------------------------------------------------------
COUNTED = [
    image_json(image_id("01"), ["hello-world:latest"], ["hello-world@" + digest("d")]),
    image_json(image_id("02"), ["hello-world:linux"], []),
    image_json(image_id("03"), [], ["hello-world@" + digest("e")]),
    ALPINE,
]


@pytest.mark.parametrize("count, passed", [
    (3, True), (2, False), (4, False), (0, False),
    ({"min": 3}, True), ({"min": 4}, False), ({"min": 2}, True),
    ({"max": 3}, True), ({"max": 2}, False), ({"max": 4}, True),
    ({"min": 3, "max": 3}, True), ({"min": 1, "max": 2}, False), ({"min": 4, "max": 9}, False), ({"min": 0, "max": 3}, True),
])
def test_image_count_bounds(count, passed):
    assert image_count.evaluate({"repository": "hello-world", "count": count}, snapshot(COUNTED)).passed is passed


def test_image_count_says_how_many_and_which():
    result = image_count.evaluate({"repository": "hello-world", "count": {"min": 1, "max": 2}}, snapshot(COUNTED))
    assert result.found == msg(
        "image_count.found", count=3, repository="hello-world",
        ids="010101010101, 020202020202, 030303030303", expected=msg("count.expected_range", min=1, max=2),
    )
    assert en(result.found) == "3 image(s) of repository hello-world (expected: 1 to 2): 010101010101, 020202020202, 030303030303"


def test_image_count_of_none():
    result = image_count.evaluate({"repository": "busybox", "count": 0}, snapshot(COUNTED))
    assert result.passed
    assert en(result.found) == "0 image(s) of repository busybox (expected: 0): none"


def test_image_count_by_a_full_repository_name():
    assert image_count.evaluate({"repository": "docker.io/library/alpine", "count": 1}, snapshot(COUNTED)).passed
    assert image_count.evaluate({"repository": "library/hello-world", "count": 3}, snapshot(COUNTED)).passed


# --- fields shared by kinds --------------------------------------------------------------
@pytest.mark.parametrize("count, value, ok", [
    (2, 2, True), (2, 1, False), (2, 3, False), (0, 0, True),
    ({"min": 2}, 1, False), ({"min": 2}, 2, True), ({"min": 2}, 99, True),
    ({"max": 2}, 3, False), ({"max": 2}, 2, True), ({"max": 2}, 0, True),
    ({"min": 1, "max": 3}, 0, False), ({"min": 1, "max": 3}, 1, True), ({"min": 1, "max": 3}, 3, True), ({"min": 1, "max": 3}, 4, False),
])
def test_count_ok(count, value, ok):
    assert fields.count_ok(count, value) is ok


@pytest.mark.parametrize("count, text", [
    (2, "expected: 2"),
    ({"min": 1}, "expected: at least 1"),
    ({"max": 3}, "expected: at most 3"),
    ({"min": 1, "max": 3}, "expected: 1 to 3"),
    ({"min": 0, "max": 0}, "expected: 0 to 0"),
])
def test_describe_count(count, text):
    assert en(fields.describe_count(count)) == text


def test_describe_count_keeps_min_and_max_apart():
    assert fields.describe_count({"min": 1, "max": 3}) == msg("count.expected_range", min=1, max=3)
    assert fields.describe_count({"max": 3, "min": 1}) == msg("count.expected_range", min=1, max=3)
    assert fields.describe_count({"min": 2}) == msg("count.expected_min", min=2)
    assert fields.describe_count({"max": 2}) == msg("count.expected_max", max=2)


@pytest.mark.parametrize("items, text", [
    ([], "none"),
    (["a"], "a"),
    (["a", "b", "c", "d"], "a, b, c, d"),
    (["a", "b", "c", "d", "e"], "a, b, c, d, e"),
    (["a", "b", "c", "d", "e", "f"], "a, b, c, d, e (+1)"),
    ([str(i) for i in range(12)], "0, 1, 2, 3, 4 (+7)"),
])
def test_listing_shows_five_then_how_many_more(items, text):
    shown = fields.listing(items)
    assert (en(shown) if isinstance(shown, Message) else shown) == text


def test_listing_with_another_limit():
    assert fields.listing(["a", "b", "c"], limit=2) == "a, b (+1)"
    assert fields.listing(["a", "b"], limit=2) == "a, b"
    assert fields.listing([]) == msg("none")


@pytest.mark.parametrize("text, ok", [
    ("alpine", True), ("alpine:3.14", True), ("localhost:5000/x:1", True), ("e04c818066af", True),
    ("sha256:e04c818066af", True), ("Alpine", False), ("alpine:", False), ("", False),
])
def test_is_image(text, ok):
    assert fields.is_image(text) is ok


# --- containers --------------------------------------------------------------------------
def hello(name: str, code: int | None = 0, *, state: str | None = None, image: str = "hello-world", image_id_: str = HELLO_ID) -> dict:
    status = "Up 2 seconds" if code is None else f"Exited ({code}) 2 seconds ago"
    return container_json(f"{name}-id", name, image, image_id_, state or ("running" if code is None else "exited"), status)


def run(spec: dict, items: list[dict], images=(HELLO, ALPINE), logs: dict[str, str] | None = None, created_with=None):
    source = FakeSource(created_with=created_with, logs=logs)
    return containers.evaluate(spec, snapshot(images, items, source)), source


def test_containers_at_least_one_by_default():
    result, _ = run({"select": {"image": "hello-world"}}, [hello("a")])
    assert result.passed
    assert result.found == msg("containers.ok", count=1, selector=[msg("selector.image", value="hello-world")], names="a")
    result, _ = run({"select": {"image": "hello-world"}}, [])
    assert result.passed is False
    assert en(result.found) == "0 container(s) from image hello-world (expected: at least 1): none"


def test_containers_exact_count():
    two = [hello("a"), hello("b"), hello("c", image="alpine:3.14", image_id_=ALPINE_ID)]
    result, _ = run({"select": {"image": "hello-world"}, "count": 2}, two)
    assert result.passed and en(result.found) == "2 container(s) from image hello-world: a, b; all as expected"
    result, _ = run({"select": {"image": "hello-world"}, "count": 3}, two)
    assert result.passed is False
    assert result.found == msg(
        "containers.count", count=2, selector=[msg("selector.image", value="hello-world")],
        expected=msg("count.expected_exact", value=3), names="a, b",
    )


def test_containers_count_range():
    items = [hello(name) for name in "abc"]
    assert run({"select": {}, "count": {"min": 1, "max": 3}}, items)[0].passed
    assert run({"select": {}, "count": {"max": 2}}, items)[0].passed is False
    assert en(run({"select": {}, "count": {"max": 2}}, items)[0].found) == "3 container(s) on the daemon (expected: at most 2): a, b, c"


def test_containers_count_zero():
    result, _ = run({"select": {"image": "alpine:3.14"}, "count": 0}, [hello("a")])
    assert result.passed and en(result.found) == "0 container(s) from image alpine:3.14: none; all as expected"


def test_an_empty_selector_takes_every_container():
    result, _ = run({"select": {}}, [hello("a"), hello("b", image="alpine:3.14", image_id_=ALPINE_ID)])
    assert result.passed and result.found.params["count"] == 2 and result.found.params["selector"] == msg("selector.any")


def test_select_by_name_with_or_without_a_slash():
    items = [hello("web"), hello("db"), hello("Xena")]
    assert run({"select": {"name": "web"}, "count": 1}, items)[0].passed
    assert run({"select": {"name": "/web"}, "count": 1}, items)[0].passed
    assert run({"select": {"name": "we"}, "count": 0}, items)[0].passed
    assert run({"select": {"name": "Xena"}, "count": 1}, items)[0].passed  # only the slash is stripped
    assert run({"select": {"name": "ena"}, "count": 0}, items)[0].passed


def test_select_by_status():
    items = [hello("up", None), hello("done", 0), hello("new", None, state="created")]
    result, _ = run({"select": {"status": "running"}, "count": 1}, items)
    assert result.passed and result.found.params["names"] == "up"
    assert run({"select": {"status": "created"}}, items)[0].found.params["names"] == "new"
    assert run({"select": {"status": "exited"}}, items)[0].found.params["names"] == "done"


def test_select_by_exit_code_negative_included():
    items = [hello("ok", 0), hello("bad", 1), hello("lost", -1), hello("up", None)]
    assert run({"select": {"exit_code": -1}}, items)[0].found.params["names"] == "lost"
    assert run({"select": {"exit_code": 0}}, items)[0].found.params["names"] == "ok"
    assert run({"select": {"exit_code": 1}}, items)[0].found.params["names"] == "bad"


def test_select_by_every_key_at_once():
    items = [hello("web"), hello("web2"), hello("web", 1)]
    spec = {"select": {"image": "hello-world", "name": "web", "status": "exited", "exit_code": 0}, "count": 1}
    result, _ = run(spec, items[:2])
    assert result.passed
    assert en(result.found) == "1 container(s) from image hello-world, named web, with status exited, that exited with code 0: web; all as expected"


def test_the_image_selector_is_asked_only_of_containers_that_pass_the_cheap_fields():
    untagged = [hello(f"c{i}", image=HELLO_ID, image_id_=HELLO_ID) for i in range(3)]
    result, source = run({"select": {"name": "c1", "image": "hello-world"}}, untagged, images=(), created_with={"c1-id": "hello-world"})
    assert result.passed
    assert source.calls == [("inspect", "c1-id")]


def test_select_by_image_follows_the_typed_reference_and_the_id():
    items = [
        hello("typed", image="hello-world", image_id_=image_id("99")),  # its image is gone
        hello("by-id", image=image_id("77"), image_id_=image_id("77")),  # untagged since
        hello("other", image="alpine:3.14", image_id_=ALPINE_ID),
    ]
    result, _ = run({"select": {"image": "hello-world"}, "count": 2}, items, images=(), created_with={"by-id-id": "hello-world"})
    assert result.passed and result.found.params["names"] == "typed, by-id"


def test_a_container_without_a_name_is_listed_by_short_id():
    item = container_json("0123456789abcdef", "", "hello-world", HELLO_ID)
    item["Names"] = None
    result, _ = run({"select": {}}, [item])
    assert result.found.params["names"] == "0123456789ab"


def test_containers_names_are_listed_five_at_most():
    result, _ = run({"select": {}, "count": 1}, [hello(f"c{i}") for i in range(7)])
    assert result.found.params["names"] == "c0, c1, c2, c3, c4 (+2)"


# exit codes
def test_exit_code_of_all_selected():
    items = [hello("a", 0), hello("b", 0)]
    result, _ = run({"select": {"image": "hello-world"}, "exit_code": 0}, items)
    assert result.passed and result.found.key == "containers.ok"
    result, _ = run({"select": {"image": "hello-world"}, "exit_code": 0}, [hello("a", 0), hello("b", 2)])
    assert result.passed is False
    assert result.found == msg("containers.exit_code", code=0, quantifier=msg("quantifier.all"), codes="a=0 (exited), b=2 (exited)")
    assert en(result.found) == "expected exit code 0 in all of them; found: a=0 (exited), b=2 (exited)"


def test_exit_code_of_any_selected():
    assert run({"select": {}, "exit_code": 2, "match": "any"}, [hello("a", 0), hello("b", 2)])[0].passed
    result, _ = run({"select": {}, "exit_code": 3, "match": "any"}, [hello("a", 0), hello("b", 2)])
    assert result.passed is False
    assert en(result.found) == "expected exit code 3 in at least one; found: a=0 (exited), b=2 (exited)"


def test_match_all_is_the_default():
    assert run({"select": {}, "exit_code": 0}, [hello("a", 0), hello("b", 1)])[0].passed is False
    assert run({"select": {}, "exit_code": 0, "match": "all"}, [hello("a", 0), hello("b", 1)])[0].passed is False


def test_negative_exit_codes_are_kept():
    assert run({"select": {}, "exit_code": -1}, [hello("a", -1)])[0].passed
    result, _ = run({"select": {}, "exit_code": 1}, [hello("a", -1)])
    assert result.found.params["codes"] == "a=-1 (exited)"
    assert run({"select": {}, "exit_code": 1}, [hello("a", -1)])[0].passed is False


def test_a_running_container_has_no_exit_code():
    result, _ = run({"select": {}, "exit_code": 0}, [hello("a", None)])
    assert result.passed is False and result.found.params["codes"] == "a=- (running)"


def test_exit_code_with_no_container_selected():
    result, _ = run({"select": {"image": "alpine:3.14"}, "exit_code": 0}, [hello("a")])
    assert result.passed is False
    assert result.found == msg("containers.none", selector=[msg("selector.image", value="alpine:3.14")])
    assert en(result.found) == "no container from image alpine:3.14"


def test_count_is_checked_before_exit_codes():
    result, _ = run({"select": {}, "count": 2, "exit_code": 0}, [hello("a", 1)])
    assert result.found.key == "containers.count"
    result, _ = run({"select": {}, "count": 0, "exit_code": 0}, [])
    assert result.found.key == "containers.none" and result.passed is False


def test_exit_code_or_logs_alone_do_not_ask_for_at_least_one_by_count():
    result, _ = run({"select": {}, "logs_contain": "x"}, [])
    assert result.found.key == "containers.none"


# logs
GREETINGS = {"a-id": "Hello from Docker!\n", "b-id": "Hello from Docker!\n", "c-id": "bye\n"}


def test_logs_of_all_selected():
    items = [hello("a"), hello("b")]
    result, source = run({"select": {}, "logs_contain": "Hello from Docker!"}, items, logs=GREETINGS)
    assert result.passed and result.found.key == "containers.ok"
    assert [call[1] for call in source.calls] == ["a-id", "b-id"]
    result, _ = run({"select": {}, "logs_contain": "Hello from Docker!"}, items + [hello("c")], logs=GREETINGS)
    assert result.passed is False
    assert result.found == msg("containers.logs", text="Hello from Docker!", quantifier=msg("quantifier.all"), names="a, b")
    assert en(result.found) == "text 'Hello from Docker!' expected in the logs of all of them; present in: a, b"


def test_logs_of_any_selected_stop_at_the_first_match():
    items = [hello("c"), hello("a"), hello("b")]
    result, source = run({"select": {}, "logs_contain": "Hello", "match": "any"}, items, logs=GREETINGS)
    assert result.passed
    assert [call[1] for call in source.calls] == ["c-id", "a-id"]


def test_logs_of_any_selected_when_none_has_the_text():
    result, source = run({"select": {}, "logs_contain": "nope", "match": "any"}, [hello("a"), hello("c")], logs=GREETINGS)
    assert result.passed is False and len(source.calls) == 2
    assert en(result.found) == "text 'nope' expected in the logs of at least one; present in: none"


def test_logs_of_a_container_that_is_gone_hold_nothing():
    result, _ = run({"select": {}, "logs_contain": "Hello"}, [hello("a"), hello("z")], logs=GREETINGS)
    assert result.passed is False and result.found.params["names"] == "a"


def test_exit_code_is_checked_before_logs():
    result, source = run({"select": {}, "exit_code": 0, "logs_contain": "Hello"}, [hello("a", 1)], logs=GREETINGS)
    assert result.found.key == "containers.exit_code" and source.calls == []


def test_exit_code_and_logs_both_hold():
    result, _ = run({"select": {"image": "hello-world"}, "count": 2, "exit_code": 0, "logs_contain": "Hello"}, [hello("a"), hello("b")], logs=GREETINGS)
    assert result.passed and en(result.found) == "2 container(s) from image hello-world: a, b; all as expected"


def test_describe_a_selector_in_a_fixed_order():
    selector = {"exit_code": 0, "status": "exited", "name": "web", "image": "alpine"}
    assert containers.describe(selector) == [
        msg("selector.image", value="alpine"),
        msg("selector.name", value="web"),
        msg("selector.status", value="exited"),
        msg("selector.exit_code", value=0),
    ]
    assert containers.describe({}) == msg("selector.any")
