"""The registry kind on hand-built records of events: a push seen, under its Docker Hub name when it
went to the lab's registry, and unknown without a whole record."""

from __future__ import annotations

from checks import hub
from checks.events import BUFFER, MAX_RECORDED, Event, EventLog
from checks.kinds import registry
from checks.messages import msg
from checks.results import Result

from apijson import FakeSource, snapshot


def graded(spec: dict, record: EventLog | None) -> Result:
    source = FakeSource()
    source.event_log = record
    return registry.evaluate(spec, snapshot((), (), source))


def log(*items, complete: bool = True, origin: str = "run") -> EventLog:
    """Events from ``(type, action, id)``, one nanosecond apart."""
    return EventLog(tuple(Event(index, *item) for index, item in enumerate(items, 1)), complete, origin)


LAB_PUSH = ("image", "push", f"{hub.LAB_REGISTRY}/student/app:1")


def test_a_push_to_the_labs_registry_counts_under_its_docker_hub_name():
    result = graded({"pushed": "student/app:1"}, log(LAB_PUSH))
    assert result == Result(True, msg("registry.pushed", image="student/app:1"))
    assert graded({"pushed": "docker.io/student/app:1"}, log(LAB_PUSH)).passed


def test_a_tag_left_out_is_latest_as_docker_push_has_it():
    assert graded({"pushed": "student/app"}, log(("image", "push", f"{hub.LAB_REGISTRY}/student/app:latest"))).passed
    assert not graded({"pushed": "student/app"}, log(LAB_PUSH)).passed


def test_a_push_to_another_registry_counts_under_its_own_name():
    record = log(("image", "push", "localhost:5000/app:2"))
    assert graded({"pushed": "localhost:5000/app:2"}, record).passed
    assert not graded({"pushed": "app:2"}, record).passed


def test_not_pushed_lists_what_was_pushed_and_ignores_other_events():
    record = log(("image", "tag", "student/app:1"), ("container", "push", "student/app:1"), ("image", "push", "not a reference!"),
                 ("image", "push", f"{hub.LAB_REGISTRY}/student/app:2"), ("image", "push", f"{hub.LAB_REGISTRY}/other/db:1"),
                 ("image", "push", f"{hub.LAB_REGISTRY}/student/app:2"))
    result = graded({"pushed": "student/app:1"}, record)
    assert not result.passed and not result.unknown
    assert result.found.render("en") == "student/app:1 was not pushed (docker push); pushed: other/db:1, student/app:2"
    nothing = graded({"pushed": "student/app:1"}, log())
    assert nothing.found == msg("registry.not_pushed", image="student/app:1", pushed=registry.listing([]))


def test_without_a_whole_record_the_check_cannot_tell():
    assert graded({"pushed": "student/app:1"}, None) == Result(False, msg("events.no_record"), unknown=True)
    assert graded({"pushed": "student/app:1"}, log(LAB_PUSH, complete=False)) == Result(
        False, msg("events.gap_run", limit=MAX_RECORDED), unknown=True)
    assert graded({"pushed": "student/app:1"}, log(LAB_PUSH, complete=False, origin="start")) == Result(
        False, msg("events.gap", limit=BUFFER), unknown=True)
