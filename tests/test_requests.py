"""Grading reads only, with a constant number of requests whatever the daemon holds.

The proof comes from the daemon itself: the lab's dockerd runs with --debug and logs
"Calling METHOD /path" for every API request it serves.
"""

from __future__ import annotations

import re
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

from checks import cli
from checks.transport import UnixTransport

CALLING = re.compile(r'msg="Calling (\w+) ([^"]+)"')


def served(lab, action) -> list[tuple[str, str]]:
    """The requests the daemon served while ``action`` ran.

    dockerd logs a request as it starts serving it, in order: once a sentinel request sent after the
    action is in the log, so is every request of the action.
    """
    log = lab.dockerd_log
    start = log.stat().st_size
    action()
    sentinel = f"sentinel={uuid.uuid4().hex}"
    UnixTransport(str(lab.socket), 30).get("/_ping", {"sentinel": sentinel[len("sentinel="):]}, False)
    for _ in range(500):  # at most 10 s; a log line of a served request lands within milliseconds
        with open(log, "rb") as stream:
            stream.seek(start)
            text = stream.read().decode(errors="replace")
        if sentinel in text:
            break
        time.sleep(0.02)
    else:
        raise AssertionError(f"dockerd never logged {sentinel}")
    text = text[: text.index(sentinel)]
    return [(method, re.sub(r"^/v[\d.]+", "", path)) for method, path in CALLING.findall(text)]


def grade_all(lab) -> None:
    assert cli.main(["check", "--host", lab.host, "--format", "json", "--output", str(lab.root / "result.json")]) in (0, 1)


def test_check_sends_the_same_get_requests_with_5000_unrelated_containers(daemon, lab, capsys):
    daemon.docker("run", "hello-world")
    daemon.docker("run", "hello-world")
    daemon.docker("pull", "alpine:3.14")
    empty = served(lab, lambda: grade_all(lab))

    daemon.api.create_container("alpine:3.14", command=["true"])  # warm up, then 5,000 more in parallel
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda i: daemon.api.create_container("alpine:3.14", command=["true"], name=f"noise-{i}"), range(5000)))
    assert len(daemon.api.containers(all=True)) == 5003
    crowded = served(lab, lambda: grade_all(lab))

    assert len(crowded) == len(empty), (empty, crowded)
    assert sorted(crowded) == sorted(empty)
    assert {method for method, _ in empty + crowded} == {"GET"}
    # the whole catalog: the API version (/_ping), one list of containers, one list of images, the two greeting logs
    paths = sorted(re.sub(r"/containers/\w+/", "/containers/ID/", path) for _, path in crowded)
    assert paths == sorted(["/_ping", "/containers/json?all=1", "/images/json", "/containers/ID/logs?stdout=1&stderr=1", "/containers/ID/logs?stdout=1&stderr=1"])


def test_pytest_plugin_reads_the_daemon_once_with_get_only(daemon, lab, pytester, monkeypatch):
    from conftest import EXERCISES, ROOT

    monkeypatch.setenv("PYTHONPATH", str(ROOT))
    daemon.docker("run", "hello-world")
    pytester.makeini("[pytest]\ngrader_exercises = exercises\n")
    pytester.makeconftest('pytest_plugins = ["checks.pytest_plugin"]')
    exercises = pytester.mkdir("exercises")
    for path in EXERCISES.glob("*.yaml"):
        (exercises / path.name).write_text(path.read_text())
    requests = served(lab, lambda: pytester.runpytest_subprocess("--docker-host", lab.host, "-p", "no:cacheprovider"))
    assert {method for method, _ in requests} == {"GET"}
    assert [path for _, path in requests].count("/containers/json?all=1") == 1
    assert [path for _, path in requests].count("/images/json") == 1
