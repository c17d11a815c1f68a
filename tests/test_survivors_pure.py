"""Hand mutations the fast tests once let through (issue 24), each now failing a test here.

- ``http`` probing only the first replica of a scaled service;
- the start-point notes of ``check`` dropped (``baseline.used`` never asserted);
- an exercise's grading time not the sum of its checks' times;
- ``feedback.fit`` taking a document one byte over the platform's limit.
"""

from __future__ import annotations

import itertools
from types import SimpleNamespace

from checks import baseline, grading
from checks.kinds import compose, http
from checks.model import Check, Exercise
from checks.report import feedback
from checks.snapshot import HttpProbe

from apijson import FakeSource, container_json, image_id, snapshot


def replica(letter: str, number: int, host_port: int) -> dict:
    item = container_json(letter * 64, f"shop_web_{number}", "nginx:1.25", image_id("ab"), "running", "Up 3 seconds")
    item["Labels"] = {compose.PROJECT: "shop", compose.SERVICE: "web", "com.docker.compose.container-number": str(number)}
    item["Ports"] = [{"IP": "0.0.0.0", "PrivatePort": 80, "PublicPort": host_port, "Type": "tcp"}]
    return item


def answer(port: int, status: int) -> HttpProbe:
    return HttpProbe((f"GET http://127.0.0.1:{port}/ → {status}",), status, {}, b"")


# --- http: every replica, up to MAX_PORTS -----------------------------------------------
def test_http_probes_every_replica_and_fails_on_the_one_that_answers_wrong():
    source = FakeSource()
    source.answers[(8081, "/")] = answer(8081, 200)
    source.answers[(8082, "/")] = answer(8082, 500)
    snap = snapshot(containers=[replica("a", 1, 8081), replica("b", 2, 8082)], source=source)
    result = http.evaluate({"service": "web", "port": 80}, snap)
    assert not result.passed
    assert result.found.render("en") == "answered 500, expected 200; tried: GET http://127.0.0.1:8082/ → 500"
    assert source.calls == [("http", 8081, "/", 5), ("http", 8082, "/", 5)]


def test_http_names_every_replica_it_probed_and_stops_at_max_ports():
    source = FakeSource()
    for port in (8081, 8082, 8083, 8084):
        source.answers[(port, "/")] = answer(port, 200)
    containers = [replica(letter, number, 8080 + number) for number, letter in enumerate("abcd", start=1)]
    result = http.evaluate({"service": "web", "port": 80}, snapshot(containers=containers, source=source))
    assert result.passed
    assert result.found.render("en") == (
        "http://127.0.0.1:8081/, http://127.0.0.1:8082/, http://127.0.0.1:8083/ answered 200, as expected")
    assert [call[1] for call in source.calls] == [8081, 8082, 8083][: http.MAX_PORTS]


# --- the start point's notes --------------------------------------------------------------
START = baseline.Baseline("daemon-1", "unix:///fake.sock", 1_700_000_000 * 10**9, None, ("c1", "c2"), ())
EVENTS = Check("saw it run", "events", {"kind": "events"}, 1, {})
IMAGE = Check("alpine is there", "image", {"kind": "image", "image": "alpine"}, 1, {})


def exercise(*checks: Check) -> Exercise:
    return Exercise("one", "lesson", 1, {"en": "One", "pt-BR": "Um"}, {"en": "", "pt-BR": ""}, checks)


def test_check_says_it_grades_since_start_with_the_time_and_the_containers_it_hides():
    (note,) = baseline.notes(START, [exercise(IMAGE)])
    assert note.key == "baseline.used"
    assert note.render("en") == (
        f"grading what changed since `docker-grader start` at {START.shown_time()} (2 earlier container(s) ignored)")
    assert [n.key for n in baseline.notes(None, [exercise(IMAGE, EVENTS)])] == ["baseline.none"]
    assert baseline.notes(None, [exercise(IMAGE)]) == ()


def test_the_report_of_a_daemon_grading_carries_the_start_points_note(monkeypatch, tmp_path):
    # report() records the progress it saw in the state folder: a folder of this test's own, not the session's
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path))
    monkeypatch.setattr(grading.state_folder, "any_start_point", lambda environ=None: True)  # else baseline is never asked
    monkeypatch.setattr(baseline, "find", lambda client: (START, START.time + 10**9))
    monkeypatch.setattr(baseline, "applied", lambda client, taken, found, now: taken)
    monkeypatch.setattr(grading, "read_snapshot", lambda client: snapshot())
    report = grading.DaemonGrading(client=None, exercises=[exercise(IMAGE)]).report()
    assert [note.key for note in report.notes] == ["baseline.used"]
    assert report.notes[0].render("en").endswith("(2 earlier container(s) ignored)")


# --- an exercise's time ---------------------------------------------------------------------
def test_an_exercises_grading_time_is_the_sum_of_its_checks_times(monkeypatch):
    """A clock of the test's own: each check starts at the clock's value and ends at the next one."""
    ticks = itertools.chain([0.0, 1.0, 10.0, 13.0, 20.0, 20.5])
    monkeypatch.setattr(grading, "time", SimpleNamespace(perf_counter=lambda: next(ticks)))
    outcome = grading.grade_exercise(exercise(IMAGE, IMAGE, IMAGE), snapshot())
    assert [check.seconds for check in outcome.checks] == [1.0, 3.0, 0.5]
    assert outcome.seconds == 4.5


# --- fitting a platform's limit, in bytes ----------------------------------------------------
def test_fit_takes_a_document_of_exactly_the_limit_and_not_one_byte_more():
    limit = 10
    documents = {0: "é" * 5, 1: "é" * 4 + "x", 2: "y"}  # 10 bytes (5 characters), 9 bytes, 1 byte
    assert feedback.fit(lambda detail: documents[detail.level], limit) == "é" * 5
    documents[0] = "é" * 5 + "x"  # 11 bytes: one over
    assert feedback.fit(lambda detail: documents[detail.level], limit) == "é" * 4 + "x"
    documents[1] = "é" * 5 + "z"
    assert feedback.fit(lambda detail: documents[detail.level], limit) == "y"


def test_a_message_of_exactly_the_levels_length_is_kept_and_one_character_more_is_cut():
    detail = feedback.Detail(5)
    assert detail.message_chars == 80
    assert detail.shorten("a" * 80) == "a" * 80
    assert detail.shorten("a" * 81) == "a" * 78 + "…"


# --- found by mutation testing: a file's sha256, each outcome whole ---------------------------------
def test_a_files_sha256_each_outcome_with_its_verdict_and_its_words():
    import hashlib

    from checks.kinds import files
    from checks.snapshot import FileRead

    item = container_json("a" * 64, "web", "alpine:3.14", image_id("ab"), "running", "Up 1 second")
    source = FakeSource()
    source.files[("a" * 64, "/app/data.bin")] = FileRead("/app/data.bin", "file", 4, content=b"data")
    source.files[("a" * 64, "/app/link")] = FileRead("/app/link", "symlink", target="data.bin")
    whole = hashlib.sha256(b"data").hexdigest()

    def graded(path: str, wanted: str):  # a snapshot each time: it keeps what it read
        result = files.evaluate({"select": {"name": "web"}, "path": path, "sha256": wanted}, snapshot((), [item], source))
        return result.passed, result.found.render("en")

    assert graded("/app/link", "sha256:" + whole) == (True, f"in web, /app/link has the expected sha256 ({whole})")
    assert graded("/app/data.bin", "SHA256:" + whole.upper()) == (True, f"in web, /app/data.bin has the expected sha256 ({whole})")
    assert graded("/app/data.bin", "0" * 64) == (False, f"in web, the sha256 of /app/data.bin is {whole}, expected {'0' * 64}")
    source.providers["file_sha256"] = lambda container_id, path: ""
    assert graded("/app/data.bin", whole) == (False, "in web, /app/data.bin has 4 bytes, too large to check its sha256")
    source.providers["file_sha256"] = lambda container_id, path: None
    assert graded("/app/data.bin", whole) == (False, "container web was removed during grading")


# --- found by mutation testing: an image's inspect of the wrong shape ------------------------------
def test_an_image_inspect_of_the_wrong_shape_names_where():
    import pytest

    from checks.snapshot import ShapeError, image_inspect_shaped

    whole = {"Id": "sha256:" + "a" * 64, "Config": {"Cmd": ["sh"]}, "RootFS": {"Type": "layers", "Layers": ["sha256:" + "1" * 64]}}
    assert image_inspect_shaped(whole) is whole
    assert image_inspect_shaped({}) == {} and image_inspect_shaped({"RootFS": {}}) == {"RootFS": {}}
    assert image_inspect_shaped(None) is None
    for answer, where, expected in [
        ([], "$", "object"),
        ({"Config": []}, "$.Config", "object"),
        ({"RootFS": "layers"}, "$.RootFS", "object"),
        ({"RootFS": {"Layers": "sha256:1"}}, "$.RootFS.Layers", "strings"),
        ({"RootFS": {"Layers": ["sha256:1", 2]}}, "$.RootFS.Layers[1]", "string"),
    ]:
        with pytest.raises(ShapeError) as raised:
            image_inspect_shaped(answer)
        assert (raised.value.where, raised.value.expected) == (where, expected)


# --- found by mutation testing: http's verdicts, its status, path and header keys -------------------
def probe_at(port: int, path: str, status: int | None, body: bytes = b"", headers=None, tries: int = 1) -> HttpProbe:
    line = f"GET http://127.0.0.1:{port}{path} → {status if status else 'connection refused'}"
    return HttpProbe((line,) * tries, status, headers or {}, body)


def test_http_fails_with_false_and_takes_its_status_and_path_from_the_check():
    source = FakeSource()
    source.answers[(8081, "/health")] = probe_at(8081, "/health", 503, b"\xff\xfedown " + b"x" * 100)
    snap = snapshot(containers=[replica("a", 1, 8081)], source=source)
    wanted = http.evaluate({"service": "web", "port": 80, "path": "/health", "status": 503}, snap)
    assert wanted.passed is True and wanted.found.render("en") == "http://127.0.0.1:8081/health answered 503, as expected"
    assert source.calls[-1] == ("http", 8081, "/health", 5)
    other = http.evaluate({"service": "web", "port": 80, "path": "/health"}, snap)
    assert other.passed is False
    assert other.found.render("en") == "answered 503, expected 200; tried: GET http://127.0.0.1:8081/health → 503"
    body = http.evaluate({"service": "web", "port": 80, "path": "/health", "status": 503, "body_contains": "up"}, snap)
    assert body.passed is False and body.found.render("en") == (
        "the answer of http://127.0.0.1:8081/health does not contain 'up'; it starts: '\ufffd\ufffddown " + "x" * 73 + "'")
    assert http.evaluate({"service": "web", "port": 80, "path": "/health", "status": 503, "body_contains": "down"}, snap).passed
    assert http.evaluate({"service": "db", "port": 80}, snap).passed is False
    assert http.evaluate({"service": "web", "port": 81}, snap).passed is False


def test_http_header_without_contains_needs_the_header_only():
    source = FakeSource()
    source.answers[(8081, "/")] = probe_at(8081, "/", 200, b"", {"x-app": "shop"})
    snap = snapshot(containers=[replica("a", 1, 8081)], source=source)
    assert http.evaluate({"service": "web", "port": 80, "header": {"name": "X-App"}}, snap).passed
    missing = http.evaluate({"service": "web", "port": 80, "header": {"name": "X-Other"}}, snap)
    assert missing.passed is False
    assert missing.found.render("en") == "the answer of http://127.0.0.1:8081/ has no header X-Other with ''; found: ''"


# --- found by mutation testing: what an expected event is about, in the words of a failure -----------
def test_an_expected_event_names_its_object_in_the_failure():
    from checks.events import EventLog
    from checks.kinds import events

    source = FakeSource()
    source.event_log = EventLog((), True, "run")
    snap = snapshot((), (), source)

    def never(item: dict) -> str:
        result = events.evaluate({"expect": [item]}, snap)
        assert result.passed is False and not result.unknown
        return result.found.render("en")

    assert "start of container(s) from image alpine:3.14" in never({"action": "start", "image": "alpine:3.14"})
    assert "pull of image alpine:3.14" in never({"action": "pull", "image": "alpine:3.14"})
    assert "start of container web" in never({"action": "start", "container": "web", "image": "alpine:3.14"})
    assert "prune on any object" in never({"action": "prune"})
