"""The events kind and the event values on hand-built records (no daemon): counts, order, what did
not happen, the fallback without a record, and unknown (0 of 0 points, exit code 5) with a gap."""

from __future__ import annotations

import json

import pytest
from apijson import FakeSource, image_id, image_json, snapshot

from checks import baseline, grading
from checks import events as event_values
from checks.errors import DaemonError, EXIT_FAILED, EXIT_OK, EXIT_UNKNOWN
from checks.events import Event, EventLog, event_from_api
from checks.kinds import events
from checks.messages import msg
from checks.model import Check, Exercise
from checks.report import WRITERS
from checks.report.rows import Sheet
from checks.results import CheckOutcome, ExerciseOutcome, Report, Result

ALPINE = image_id("cd")


def log(*items, complete: bool = True, origin: str = "run") -> EventLog:
    """Events from ``(type, action, id, name, image)``, one nanosecond apart."""
    return EventLog(tuple(Event(index, *item) for index, item in enumerate(items, 1)), complete, origin)


def graded(spec: dict, record: EventLog | None, images=()):
    source = FakeSource()
    source.event_log = record
    result = grading.evaluate(Check("seen", "events", spec, 1, {}), snapshot(images, (), source))  # as grading asks the kind
    return result, source.calls


PULL = {"expect": [{"action": "pull", "image": "alpine:3.14"}]}
AGAIN = {
    "expect": [{"action": "create", "container": "web", "count": 1}, {"action": "start", "container": "web", "count": {"min": 2}}],
    "in_order": True,
}
WEB_TWICE = [
    ("container", "create", "a" * 64, "web", "hello-world"),
    ("container", "start", "a" * 64, "web", "hello-world"),
    ("container", "die", "a" * 64, "web", "hello-world"),
]


def test_a_pull_passes_and_says_what_the_daemon_saw():
    result, calls = graded(PULL, log(("image", "pull", "alpine:3.14", "alpine", "")))
    assert result == Result(True, msg("events.ok", seen="pull alpine:3.14"))
    assert calls == [("events",)]


def test_a_tag_is_not_a_pull():
    record = log(("image", "tag", ALPINE, "alpine:3.14", ""))
    result, _ = graded(PULL, record, [image_json(ALPINE, ["alpine:3.14"])])
    assert not result.passed and not result.unknown
    assert result.found == msg("events.never", action="pull", object=msg("events.object_image", value="alpine:3.14"),
                               expected=msg("count.expected_min", min=1), seen="tag alpine:3.14")
    assert result.found.render("en") == "the daemon saw no pull of image alpine:3.14 (expected: at least 1); all it saw of image alpine:3.14: tag alpine:3.14"


def test_a_pull_of_another_tag_or_repository_does_not_count():
    for pulled in ("alpine:latest", "alpine3.14", "localhost:5000/alpine:3.14"):
        assert not graded(PULL, log(("image", "pull", pulled, "alpine", "")))[0].passed, pulled
    assert graded(PULL, log(("image", "pull", "docker.io/library/alpine:3.14", "alpine", "")))[0].passed


def test_started_again_passes_and_created_again_fails():
    again = WEB_TWICE + [("container", "start", "a" * 64, "web", "hello-world")]
    assert graded(AGAIN, log(*again))[0].passed
    recreated = WEB_TWICE + [("container", "destroy", "a" * 64, "web", "hello-world")] + [
        ("container", "create", "b" * 64, "web", "hello-world"), ("container", "start", "b" * 64, "web", "hello-world")]
    result, _ = graded(AGAIN, log(*recreated))
    assert not result.passed
    assert result.found.key == "events.count" and result.found.params["count"] == 2
    assert result.found.render("en") == (
        "the daemon saw create of container web 2 time(s) (expected: 1); all it saw of container web: "
        "create web, start web, die web, destroy web, create web, start web"
    )


def test_count_zero_is_what_did_not_happen():
    spec = {"expect": [{"action": "pull", "image": "alpine:3.14", "count": 0}]}
    assert graded(spec, log(("image", "tag", ALPINE, "alpine:3.14", "")), [image_json(ALPINE, ["alpine:3.14"])])[0].passed
    assert not graded(spec, log(("image", "pull", "alpine:3.14", "alpine", "")))[0].passed
    assert graded(spec, log())[0].passed


def test_order():
    spec = {"expect": [{"action": "stop", "container": "web"}, {"action": "destroy", "container": "web"}], "in_order": True}
    stop_then_rm = [("container", "kill", "a" * 64, "web", "x"), ("container", "stop", "a" * 64, "web", "x"),
                    ("container", "destroy", "a" * 64, "web", "x")]
    assert graded(spec, log(*stop_then_rm))[0].passed
    rm_then_stop = [stop_then_rm[2], stop_then_rm[1]]
    result, _ = graded(spec, log(*rm_then_stop))
    assert result.found == msg("events.order", wanted="stop → destroy", seen="destroy web, stop web")
    assert graded({**spec, "in_order": False}, log(*rm_then_stop))[0].passed
    # items counted 0 take no place in the order
    spec["expect"].insert(1, {"action": "kill", "container": "web", "count": 0})
    assert graded(spec, log(stop_then_rm[1], stop_then_rm[2]))[0].passed
    # one event takes one place: a start once is not a start twice
    twice = {"expect": [{"action": "start", "container": "web"}, {"action": "start", "container": "web"}], "in_order": True}
    assert not graded(twice, log(("container", "start", "a" * 64, "web", "x")))[0].passed
    assert graded(twice, log(*[("container", "start", "a" * 64, "web", "x")] * 2))[0].passed


def test_the_selectors():
    record = log(("container", "create", "a" * 64, "web", "hello-world"), ("container", "create", "b" * 64, "db", "alpine:3.14"),
                 ("image", "pull", "hello-world:latest", "hello-world", ""))
    count = lambda item: graded({"expect": [{**item, "count": 0}]}, record)[0].found  # noqa: E731 - the seen list
    assert graded({"expect": [{"action": "create", "container": "web", "count": 1}]}, record)[0].found == msg("events.ok", seen="create web")
    assert graded({"expect": [{"action": "create", "count": 2}]}, record)[0].passed
    assert graded({"expect": [{"action": "create", "image": "hello-world", "count": 1}]}, record)[0].passed
    assert graded({"expect": [{"action": "create", "image": "docker.io/library/alpine:3.14", "count": 1}]}, record)[0].passed
    assert graded({"expect": [{"action": "pull", "image": "hello-world", "count": 1}]}, record)[0].passed
    pulled_web = log(("image", "pull", "web:latest", "web", ""))  # an image named like the container
    assert graded({"expect": [{"action": "pull", "container": "web", "count": 0}]}, pulled_web)[0].passed  # not a container action
    assert count({"action": "create", "container": "db"}).params["seen"] == "create db"


def test_a_container_event_by_image_id_matches_the_image_by_name():
    record = log(("container", "create", "a" * 64, "web", ALPINE.removeprefix("sha256:")[:12]))
    spec = {"expect": [{"action": "create", "image": "alpine:3.14"}]}
    assert graded(spec, record, [image_json(ALPINE, ["alpine:3.14"])])[0].passed
    assert not graded(spec, record, [image_json(image_id("ef"), ["alpine:3.14"])])[0].passed


def test_without_a_record_the_fallback_grades_the_state_and_without_one_it_is_unknown():
    spec = {**PULL, "without_events": {"kind": "image", "image": "alpine:3.14", "pulled": True}}
    digested = image_json(ALPINE, ["alpine:3.14"], ["alpine@sha256:" + "1" * 64])
    result, calls = graded(spec, None, [digested])
    assert result == Result(True, msg("image.found", ref="alpine:3.14", id="cdcdcdcdcdcd"))
    assert calls == [("events",)]
    assert graded(spec, None, [image_json(ALPINE, ["alpine:3.14"])])[0].found.key == "image.not_pulled"
    assert graded(PULL, None) == (Result(False, msg("events.no_record"), unknown=True), [("events",)])


def test_a_gap_is_unknown_even_with_a_fallback_and_even_when_the_events_would_pass():
    spec = {**PULL, "without_events": {"kind": "image", "image": "alpine:3.14"}}
    record = log(("image", "pull", "alpine:3.14", "alpine", ""), complete=False, origin="start")
    result, _ = graded(spec, record, [image_json(ALPINE, ["alpine:3.14"])])
    assert result.unknown and not result.passed
    assert result.found.render("en") == ("cannot tell: the daemon keeps only its last 256 events, and some since `docker-grader start` "
                                         "are gone; run `docker-grader start` again and redo the exercise")
    in_run, _ = graded(spec, EventLog(record.events, complete=False, origin="run"))
    assert in_run.unknown and in_run.found == msg("events.gap_run", limit=100_000)


def outcome(*results: Result) -> ExerciseOutcome:
    checks = tuple(Check(f"c{i}", "events", {}, 2, {"pt-BR": "faça", "en": "do"}) for i in range(len(results)))
    exercise = Exercise("e", "l", 1, {"pt-BR": "E", "en": "E"}, {"pt-BR": "", "en": ""}, checks)
    return ExerciseOutcome(exercise, tuple(CheckOutcome(c, r) for c, r in zip(checks, results)))


def test_unknown_scores_0_of_0_passes_nothing_and_has_its_own_exit_code():
    ok, bad, unknown = Result(True, msg("none")), Result(False, msg("none")), Result(False, msg("events.no_record"), unknown=True)
    report = Report((outcome(ok, unknown),))
    assert (report.score, report.max_score, report.passed, report.exit_code) == (2, 2, False, EXIT_UNKNOWN)
    assert Report((outcome(ok, bad, unknown),)).exit_code == EXIT_FAILED
    assert Report((outcome(ok),)).exit_code == EXIT_OK
    sheet = Sheet.of(report, "en")
    row = sheet.rows[1]
    assert (row.status, row.score, row.max_score, row.passed) == ("error", 0, 0, False)
    assert row.message == "found: cannot tell: there is no record of events; run `docker-grader start` before the exercise"
    text = WRITERS["text"](report, "en")
    assert "  ? c1  0/0\n" in text and "Total: 2/2 points" in text


def test_events_from_the_api():
    item = {"Type": "container", "Action": "exec_start: sh -c true", "Actor": {"ID": "a" * 64, "Attributes": {"name": "web", "image": "alpine"}},
            "time": 1, "timeNano": 1_000_000_007}
    assert event_from_api(item) == Event(1_000_000_007, "container", "exec_start", "a" * 64, "web", "alpine", "sh -c true")
    assert event_from_api({"status": "pull", "id": "alpine:3.14", "time": 2}) == Event(2_000_000_000, "", "pull", "alpine:3.14")
    assert event_from_api("nonsense") is None and event_from_api({"timeNano": "x"}) is None
    assert EventLog.of([item, 3, None]).events == (event_from_api(item),)
    assert event_values.ns_param(1_795_919_343_058_430_749) == "1795919343.058430749"
    assert event_values.ns_param(5) == "0.000000005"


class Answer:
    def __init__(self, lines: list[dict]):
        self.status, self._body = 200, b"".join(json.dumps(line).encode() + b"\n" for line in lines)

    def read(self, size: int = -1) -> bytes:
        chunk, self._body = self._body[:size], self._body[size:]
        return chunk

    def close(self) -> None:
        pass


class EventsClient:
    """GET /events as dockerd answers it: the buffered events from since to until."""

    def __init__(self, buffered: list[dict]):
        self.buffered, self.asked = buffered, []

    def _get(self, path, params, stream=False):
        self.asked.append((path, params))
        since, until = (int(params[key].replace(".", "")) for key in ("since", "until"))
        return Answer([item for item in self.buffered if since <= item["timeNano"] <= until])


def api_event(ns: int, action: str = "tag") -> dict:
    return {"Type": "image", "Action": action, "Actor": {"ID": f"sha256:{ns:064x}", "Attributes": {}}, "timeNano": ns}


def start_at(cursor: int | None, time: int = 1000) -> baseline.Baseline:
    key = (cursor, "image", "tag", f"sha256:{cursor:064x}") if cursor else None
    return baseline.Baseline("ID", "unix:///x", time, key, (), ())


def test_since_start_the_cursor_tells_a_gap():
    buffered = [api_event(ns) for ns in range(900, 1100)]
    client = EventsClient(buffered)
    whole = baseline.events_since(start_at(999), client, 2000)
    assert whole.complete and [e.time for e in whole.events] == list(range(1000, 1100))
    assert client.asked == [("/events", {"since": "0.000000999", "until": "0.000002000"})]
    gone = baseline.events_since(start_at(899), EventsClient(buffered), 2000)  # its cursor was dropped
    assert not gone.complete and gone.origin == "start"


def test_since_start_without_a_cursor_256_events_may_hide_a_gap():
    assert baseline.events_since(start_at(None), EventsClient([api_event(ns) for ns in range(1000, 1255)]), 2000).complete
    assert not baseline.events_since(start_at(None), EventsClient([api_event(ns) for ns in range(1000, 1256)]), 2000).complete


def test_the_daemons_time():
    assert baseline.parse_time("2026-11-29T02:29:03.787840382Z") == 1795919343_787840382
    assert baseline.parse_time("2026-11-29T04:29:03.5+02:00") == 1795919343_500000000
    assert baseline.parse_time("2026-11-29T02:29:03Z") == 1795919343_000000000
    assert baseline.parse_time("yesterday") is None and baseline.parse_time(None) is None


def test_an_events_read_the_daemon_refuses_is_an_error_not_an_empty_record():
    class Refusing(EventsClient):
        endpoint = type("Endpoint", (), {"host": "unix:///x"})()

        def _get(self, path, params, stream=False):
            answer = Answer([])
            answer.status = 400
            return answer

    with pytest.raises(DaemonError) as raised:
        baseline.events_since(start_at(None), Refusing([]), 2000)
    assert raised.value.message.render("en") == "the daemon at unix:///x gave an unexpected answer to GET /events: 400"
