"""Which containers are an exercise's evidence in `run` (checks.events.Provenance), on hand-built
records: compose projects only from compose lines or the grader, files only in this exercise's
containers. tests/test_forgery.py plays the same forgeries through `run` on a real daemon."""

from __future__ import annotations

from apijson import FakeSource, container_json, image_id, snapshot

from checks.events import Event, Provenance, provenance
from checks.kinds import compose, files, http
from checks.results import CommandRun
from checks.snapshot import FileRead

A, B, C = "a" * 64, "b" * 64, "c" * 64
COMPOSE_UP = CommandRun(1, "docker-compose up -d", 0, "", began=100, ended=199)
PLAIN_RUN = CommandRun(2, "docker run -d --label com.docker.compose.project=fake alpine:3.14 sleep 9", 0, "", began=200, ended=299)
V2_UP = CommandRun(3, "docker compose -p shop up -d", 0, "", began=300, ended=399)


def test_compose_lines_and_the_grader_make_projects_a_plain_run_does_not():
    record = [
        Event(150, "container", "create", A),  # during docker-compose up
        Event(250, "container", "create", B),  # during docker run --label ...
        Event(350, "container", "create", C),  # during docker compose up
        Event(450, "container", "create", "d" * 64),  # after every line: the grader's own services
    ]
    found = provenance(record, [COMPOSE_UP, PLAIN_RUN, V2_UP], 0, 500)
    assert found.by_compose == {A, C, "d" * 64}
    assert found.exercise == {A, B, C, "d" * 64}


def test_an_exercise_is_what_it_made_started_or_worked_on_since_its_starting_state():
    record = [
        Event(10, "container", "create", A), Event(11, "container", "start", A),  # an earlier exercise
        Event(20, "container", "create", B),
        Event(150, "container", "start", B),  # started again in this one
        Event(160, "container", "exec_create", C, detail="sh"),
        Event(170, "container", "kill", A),  # the grader's end of an exercise is not work on it
    ]
    found = provenance(record, [], 100, 500)
    assert found.exercise == {B, C}


def fake(project: str, service: str, key: str) -> dict:
    item = container_json(key, f"{project}-{service}", "alpine:3.14", image_id("ab"), "running", "Up 3 seconds")
    item["Labels"] = {compose.PROJECT: project, compose.SERVICE: service}
    return item


def with_provenance(containers, made: Provenance | None, **reads):
    source = FakeSource()
    source.providers["provenance"] = lambda: made
    for name, value in reads.items():
        source.providers[name] = value
    return snapshot((), containers, source)


def test_a_project_of_plain_runs_with_compose_labels_is_no_project():
    containers = [fake("fake", "web", A), fake("fake", "db", B)]
    spec = {"project": "fake", "services": {"web": {}, "db": {}}}
    plain = Provenance(exercise=frozenset({A, B}), by_compose=frozenset())
    assert compose.evaluate(spec, with_provenance(containers, plain)).found.render("en") == (
        "no compose project with the services web, db (projects found: none)")
    made = Provenance(exercise=frozenset({A, B}), by_compose=frozenset({A, B}))
    assert compose.evaluate(spec, with_provenance(containers, made)).passed
    assert compose.evaluate(spec, with_provenance(containers, None)).passed  # `check`: the labels are all there is
    gaps = compose.evaluate(spec, with_provenance(containers, Provenance(frozenset({A, B}), frozenset({A, B}), complete=False)))
    assert (gaps.passed, gaps.unknown) == (False, True)


def test_a_file_in_a_container_planted_earlier_does_not_count():
    planted = container_json(A, "web", "alpine:3.14", image_id("ab"))
    spec = {"select": {"name": "web"}, "path": "/tmp/status.txt", "contains": "ok"}
    earlier = Provenance(exercise=frozenset(), by_compose=frozenset())
    taken = with_provenance([planted], earlier)
    taken.source.files[(A, "/tmp/status.txt")] = FileRead("/tmp/status.txt", "file", 3, content=b"ok\n")
    result = files.evaluate(spec, taken)
    assert result.found.render("en") == (
        "no container named web made or used in this exercise (web: left by an earlier exercise, they do not count)")
    taken = with_provenance([planted], Provenance(exercise=frozenset({A}), by_compose=frozenset()))
    taken.source.files[(A, "/tmp/status.txt")] = FileRead("/tmp/status.txt", "file", 3, content=b"ok\n")
    assert files.evaluate(spec, taken).passed


def test_an_http_check_on_a_service_does_not_probe_a_plain_run_with_compose_labels():
    web = fake("shop", "web", A)
    web["Ports"] = [{"IP": "0.0.0.0", "PrivatePort": 80, "PublicPort": 8080, "Type": "tcp"}]
    spec = {"service": "web", "port": 80}
    plain = with_provenance([web], Provenance(exercise=frozenset({A}), by_compose=frozenset()))
    assert http.evaluate(spec, plain).found.render("en") == "no running container of service web"
    assert plain.source.calls == []  # nothing was probed
    made = with_provenance([web], Provenance(exercise=frozenset({A}), by_compose=frozenset({A})))
    http.evaluate(spec, made)
    assert made.source.calls == [("http", 8080, "/", 5)]
