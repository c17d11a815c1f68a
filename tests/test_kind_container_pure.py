"""The `container` kind on hand-built snapshots: each key passing and failing, what it says, what it reads."""

from __future__ import annotations

import pytest

from checks.kinds import container
from checks.messages import msg

from apijson import FakeSource, container_json, image_id, image_json, snapshot

NGINX_ID = image_id("ab")
NGINX = image_json(NGINX_ID, ["nginx:1.25"])
WEB = "a" * 64
ZERO = "0001-01-01T00:00:00Z"


def web(state="running", status="Up 2 minutes", ports=(), mounts=(), name="web", id_=WEB) -> dict:
    item = container_json(id_, name, "nginx:1.25", NGINX_ID, state, status)
    item["Ports"] = list(ports)
    item["Mounts"] = list(mounts)
    return item


def inspected(config=None, host_config=None, state=None, restart_count=0) -> dict:
    """A GET /containers/{id}/json answer with the fields the kind reads."""
    return {
        "Id": WEB,
        "Created": "2026-11-29T02:00:00.000000001Z",
        "RestartCount": restart_count,
        "State": {"Status": "running", "StartedAt": "2026-11-29T02:00:00.1Z", "FinishedAt": ZERO, **(state or {})},
        "Config": {"Image": "nginx:1.25", "Env": ["PATH=/bin"], "Cmd": ["nginx", "-g", "daemon off;"], "Entrypoint": None,
                   "User": "", "Tty": False, "OpenStdin": False, **(config or {})},
        "HostConfig": {"PortBindings": {}, "RestartPolicy": {"Name": "no", "MaximumRetryCount": 0}, **(host_config or {})},
    }


def judge(spec: dict, item: dict | None = None, answer: dict | None = None, items=None):
    source = FakeSource()
    if answer is not None:
        source.inspected[WEB] = answer
    result = container.evaluate({"select": {"name": "web"}, **spec}, snapshot([NGINX], items or [item or web()], source))
    return result, source.calls


def mismatch(key, expected, found, name="web"):
    return msg("container.mismatch", name=name, key=key, expected=expected, found=found)


# --- selection, count, match -----------------------------------------------------------
def test_selected_containers_pass_with_no_key_and_no_read():
    result, calls = judge({})
    assert result.passed and result.found == msg("container.ok", count=1, selector=[msg("selector.name", value="web")], names="web")
    assert calls == []


def test_no_container_selected():
    result, _ = judge({"select": {"name": "db"}})
    assert result.passed is False
    assert result.found == msg("container.count", count=0, selector=[msg("selector.name", value="db")],
                               expected=msg("count.expected_min", min=1), names=msg("none"))
    result, _ = judge({"select": {"name": "db"}, "count": 0, "running": True})
    assert result.passed is False and result.found == msg("container.none", selector=[msg("selector.name", value="db")])
    assert judge({"select": {"name": "db"}, "count": 0})[0].passed


def test_count():
    two = [web(), web(name="web2", id_="b" * 64)]
    assert judge({"select": {"image": "nginx:1.*"}, "count": 2}, items=two)[0].passed
    result, _ = judge({"select": {"image": "nginx:1.*"}, "count": 1}, items=two)
    assert result.passed is False
    assert result.found == msg("container.count", count=2, selector=[msg("selector.image", value="nginx:1.*")],
                               expected=msg("count.expected_exact", value=1), names="web, web2")


def test_match_all_and_any():
    items = [web(state="exited", status="Exited (0) 1 second ago"), web(name="web2", id_="b" * 64)]
    spec = {"select": {"image": "nginx:1.25"}, "running": True}
    result, _ = judge(spec, items=items)
    assert result.passed is False and result.found == mismatch("running", msg("container.yes"), "exited")
    assert judge({**spec, "match": "any"}, items=items)[0].passed
    result, _ = judge({**spec, "running": False, "match": "any"}, items=[web(), web(name="web2", id_="b" * 64)])
    assert result.passed is False and result.found == msg(
        "container.none_match", count=2, selector=[msg("selector.image", value="nginx:1.25")],
        first=mismatch("running", msg("container.no"), "running"))


def test_match_any_stops_reading_at_the_first_container_that_passes():
    items = [web(), web(name="web2", id_="b" * 64)]
    source = FakeSource()
    source.inspected[WEB] = inspected(config={"Tty": True})
    snap = snapshot([NGINX], items, source)
    assert container.evaluate({"select": {"image": "nginx:1.25"}, "tty": True, "match": "any"}, snap).passed
    assert source.calls == [("inspect", WEB)]


def test_match_all_stops_reading_at_the_first_container_that_fails():
    items = [web(), web(name="web2", id_="b" * 64)]
    source = FakeSource()
    source.inspected[WEB] = inspected(config={"Tty": False})
    snap = snapshot([NGINX], items, source)
    assert not container.evaluate({"select": {"image": "nginx:1.25"}, "tty": True}, snap).passed
    assert source.calls == [("inspect", WEB)]


# --- running -----------------------------------------------------------------------------
def test_running_reads_only_the_list():
    result, calls = judge({"running": True})
    assert result.passed and calls == []
    result, calls = judge({"running": True}, web(state="exited", status="Exited (0) 3 seconds ago"))
    assert result.passed is False and result.found == mismatch("running", msg("container.yes"), "exited") and calls == []
    assert judge({"running": False}, web(state="paused", status="Up 2 minutes (Paused)"))[0].passed


# --- ports -------------------------------------------------------------------------------
LISTED = [{"IP": "0.0.0.0", "PrivatePort": 80, "PublicPort": 8080, "Type": "tcp"},
          {"IP": "::", "PrivatePort": 80, "PublicPort": 8080, "Type": "tcp"},
          {"IP": "127.0.0.1", "PrivatePort": 53, "PublicPort": 5353, "Type": "udp"},
          {"PrivatePort": 9000, "Type": "tcp"}]  # exposed, not published


@pytest.mark.parametrize("wanted", [
    ["8080:80"], ["80"], [80], ["0.0.0.0:8080:80"], ["0.0.0.0::80/tcp"], ["127.0.0.1:5353:53/udp"],
    ["[::]:8080:80"], [{"container_port": 80, "host_port": 8080, "host_ip": "0.0.0.0", "protocol": "tcp"}],
    [{"container_port": 53, "protocol": "udp", "host_ip": "127.0.0.1"}], ["8080:80", "5353:53/udp"],
    [{"container_port": 80, "host_port": 8080}],
])
def test_ports_shown_by_the_list_cost_no_request(wanted):
    result, calls = judge({"ports": wanted}, web(ports=LISTED))
    assert result.passed and calls == []


@pytest.mark.parametrize("wanted, expected", [
    (["127.0.0.1:8080:80"], "127.0.0.1:8080->80/tcp"),  # bound on all interfaces, not on loopback only
    (["0.0.0.0:5353:53/udp"], "0.0.0.0:5353->53/udp"),  # bound on loopback only, not on all interfaces
    (["8081:80"], "*:8081->80/tcp"),
    (["53"], "53/tcp"),  # udp, not tcp
    (["9000"], "9000/tcp"),  # exposed is not published
    ([9000], "9000/tcp"),
    (["8080:80", "8443:443"], "*:8080->80/tcp, *:8443->443/tcp"),
    (["0.0.0.0::53/udp"], "0.0.0.0:->53/udp"),
    ([{"container_port": 80, "host_ip": "127.0.0.1"}], "127.0.0.1:->80/tcp"),
    ([{"container_port": 53, "host_port": 5353}], "*:5353->53/tcp"),
])
def test_ports_not_published_as_wanted(wanted, expected):
    result, calls = judge({"ports": wanted}, web(ports=LISTED), inspected())
    assert result.passed is False
    shown = "0.0.0.0:8080->80/tcp, 127.0.0.1:5353->53/udp, :::8080->80/tcp"
    assert result.found == mismatch("ports", expected, shown)
    assert calls == [("inspect", WEB)]  # what -p asked for is read before failing


def test_ports_of_a_container_that_does_not_run_come_from_port_bindings():
    bindings = {"80/tcp": [{"HostIp": "", "HostPort": "8080"}], "53/udp": [{"HostIp": "127.0.0.1", "HostPort": "5353"}]}
    stopped = web(state="exited", status="Exited (0) 1 second ago")
    answer = inspected(host_config={"PortBindings": bindings})
    for wanted in (["8080:80"], ["0.0.0.0:8080:80"], ["127.0.0.1:5353:53/udp"], ["53/udp"]):
        result, calls = judge({"ports": wanted}, stopped, answer)
        assert result.passed and calls == [("inspect", WEB)], wanted
    result, _ = judge({"ports": ["127.0.0.1:8080:80"]}, stopped, answer)
    assert result.passed is False and result.found == mismatch("ports", "127.0.0.1:8080->80/tcp", "0.0.0.0:8080->80/tcp, 127.0.0.1:5353->53/udp")
    assert judge({"ports": ["0.0.0.0:5353:53/udp"]}, stopped, answer)[0].passed is False


def test_a_random_host_port_matches_a_port_left_out():
    answer = inspected(host_config={"PortBindings": {"80/tcp": [{"HostIp": "", "HostPort": ""}]}})
    assert judge({"ports": ["80"]}, web(state="created", status="Created"), answer)[0].passed
    assert judge({"ports": ["8080:80"]}, web(state="created", status="Created"), answer)[0].passed is False


# --- env ---------------------------------------------------------------------------------
ENV = inspected(config={"Env": ["MODE=production", "EMPTY=", "URL=http://x/?a=b", "PATH=/bin"]})


@pytest.mark.parametrize("wanted", [{"MODE": "production"}, {"EMPTY": True}, {"EMPTY": ""}, {"URL": "http://x/?a=b"},
                                    {"DEBUG": False}, {"MODE": True, "DEBUG": False}])
def test_env_passes(wanted):
    result, calls = judge({"env": wanted}, answer=ENV)
    assert result.passed and calls == [("inspect", WEB)]


@pytest.mark.parametrize("wanted, expected, found", [
    ({"MODE": "dev"}, "MODE=dev", "MODE=production"),
    ({"DEBUG": True}, "DEBUG=…", msg("container.unset")),
    ({"DEBUG": "1"}, "DEBUG=1", msg("container.unset")),
    ({"MODE": False}, msg("container.unset"), "MODE=production"),
])
def test_env_fails(wanted, expected, found):
    result, _ = judge({"env": wanted}, answer=ENV)
    assert result.passed is False and result.found == mismatch("env", expected, found)


# --- mounts ------------------------------------------------------------------------------
MOUNTS = [
    {"Type": "volume", "Name": "site", "Source": "/var/lib/docker/volumes/site/_data", "Destination": "/html", "Driver": "local",
     "Mode": "z", "RW": True, "Propagation": ""},
    {"Type": "bind", "Source": "/srv/conf", "Destination": "/conf", "Mode": "ro", "RW": False, "Propagation": "rprivate"},
]


@pytest.mark.parametrize("wanted", [
    [{"destination": "/html"}], [{"type": "volume", "source": "site", "destination": "/html", "read_only": False}],
    [{"type": "bind", "source": "/srv/conf", "destination": "/conf", "read_only": True}],
    [{"destination": "/html"}, {"destination": "/conf", "read_only": True}],
])
def test_mounts_pass_from_the_list(wanted):
    result, calls = judge({"mounts": wanted}, web(mounts=MOUNTS))
    assert result.passed and calls == []


@pytest.mark.parametrize("wanted, expected", [
    ([{"destination": "/data"}], "*:/data"),
    ([{"type": "bind", "destination": "/html"}], "bind *:/html"),
    ([{"source": "other", "destination": "/html"}], "other:/html"),
    ([{"destination": "/html", "read_only": True}], "*:/html:ro"),
    ([{"destination": "/conf", "read_only": False}], "*:/conf:rw"),
    ([{"type": "volume", "source": "/srv/conf", "destination": "/conf"}], "volume /srv/conf:/conf"),
])
def test_mounts_fail(wanted, expected):
    result, calls = judge({"mounts": wanted}, web(mounts=MOUNTS))
    assert result.passed is False and calls == []
    assert result.found == mismatch("mounts", expected, "bind /srv/conf:/conf:ro, volume site:/html:rw")


# --- restart -----------------------------------------------------------------------------
@pytest.mark.parametrize("policy, wanted, passed, expected, found", [
    ({"Name": "always", "MaximumRetryCount": 0}, "always", True, "always", "always"),
    ({"Name": "", "MaximumRetryCount": 0}, "no", True, "no", "no"),
    ({"Name": "on-failure", "MaximumRetryCount": 3}, {"name": "on-failure", "max_retries": 3}, True, "on-failure:3", "on-failure:3"),
    ({"Name": "on-failure", "MaximumRetryCount": 3}, "on-failure", True, "on-failure", "on-failure:3"),
    ({"Name": "on-failure", "MaximumRetryCount": 5}, {"name": "on-failure", "max_retries": 3}, False, "on-failure:3", "on-failure:5"),
    ({"Name": "no", "MaximumRetryCount": 0}, "unless-stopped", False, "unless-stopped", "no"),
])
def test_restart(policy, wanted, passed, expected, found):
    result, calls = judge({"restart": wanted}, answer=inspected(host_config={"RestartPolicy": policy}))
    assert result.passed is passed and calls == [("inspect", WEB)]
    if not passed:
        assert result.found == mismatch("restart", expected, found)


# --- command, entrypoint, user, tty, open_stdin ------------------------------------------
def test_command_and_entrypoint():
    answer = inspected(config={"Cmd": ["sleep", "3600"], "Entrypoint": ["/entry.sh"]})
    assert judge({"command": ["sleep", "3600"]}, answer=answer)[0].passed
    assert judge({"command": "sleep 3600"}, answer=answer)[0].passed
    assert judge({"entrypoint": ["/entry.sh"], "command": ["sleep", "3600"]}, answer=answer)[0].passed
    result, _ = judge({"command": ["sleep", "60"]}, answer=answer)
    assert result.passed is False and result.found == mismatch("command", "['sleep', '60']", "['sleep', '3600']")
    result, _ = judge({"command": "sleep"}, answer=answer)
    assert result.passed is False and result.found == mismatch("command", "'sleep'", "['sleep', '3600']")
    result, _ = judge({"entrypoint": []}, answer=answer)
    assert result.passed is False and result.found == mismatch("entrypoint", "[]", "['/entry.sh']")
    assert judge({"entrypoint": []}, answer=inspected())[0].passed  # null is none


def test_user():
    assert judge({"user": "1000:1000"}, answer=inspected(config={"User": "1000:1000"}))[0].passed
    assert judge({"user": ""}, answer=inspected())[0].passed
    result, _ = judge({"user": "node"}, answer=inspected(config={"User": "1000"}))
    assert result.passed is False and result.found == mismatch("user", "'node'", "'1000'")


@pytest.mark.parametrize("key, field", [("tty", "Tty"), ("open_stdin", "OpenStdin")])
def test_tty_and_open_stdin(key, field):
    on, off = inspected(config={field: True}), inspected(config={field: False})
    assert judge({key: True}, answer=on)[0].passed and judge({key: False}, answer=off)[0].passed
    result, _ = judge({key: True}, answer=off)
    assert result.passed is False and result.found == mismatch(key, msg("container.yes"), msg("container.no"))
    result, _ = judge({key: False}, answer=on)
    assert result.passed is False and result.found == mismatch(key, msg("container.no"), msg("container.yes"))


def test_it_needs_both():
    it = inspected(config={"Tty": True, "OpenStdin": True})
    assert judge({"tty": True, "open_stdin": True}, answer=it)[0].passed
    result, calls = judge({"tty": True, "open_stdin": True}, answer=inspected(config={"Tty": True}))
    assert result.passed is False and result.found.params["key"] == "open_stdin" and calls == [("inspect", WEB)]


# --- health ------------------------------------------------------------------------------
@pytest.mark.parametrize("status, health", [("Up 3 minutes (healthy)", "healthy"), ("Up 1 second (health: starting)", "starting"),
                                            ("Up 9 seconds (unhealthy)", "unhealthy"), ("Up 2 hours", "none")])
def test_health_of_a_running_container_comes_from_the_list(status, health):
    result, calls = judge({"health": health}, web(status=status))
    assert result.passed and calls == []
    other = "none" if health != "none" else "healthy"
    result, _ = judge({"health": other}, web(status=status))
    assert result.passed is False and result.found == mismatch("health", other, health)


def test_health_of_a_stopped_container_comes_from_its_inspect():
    stopped = web(state="exited", status="Exited (137) 2 seconds ago")
    answer = inspected(state={"Status": "exited", "Health": {"Status": "unhealthy", "FailingStreak": 3}})
    result, calls = judge({"health": "unhealthy"}, stopped, answer)
    assert result.passed and calls == [("inspect", WEB)]
    assert judge({"health": "none"}, stopped, inspected(state={"Status": "exited"}))[0].passed


# --- started_again -----------------------------------------------------------------------
@pytest.mark.parametrize("state, restarts, again", [
    ({}, 0, False),  # docker run: started once, never finished
    ({"StartedAt": "2026-11-29T02:05:00.5Z", "FinishedAt": "2026-11-29T02:04:00.25Z"}, 0, True),  # docker stop; docker start
    ({"StartedAt": "2026-11-29T02:04:00.5Z", "FinishedAt": "2026-11-29T02:04:00.25Z"}, 0, True),  # docker restart, the same second
    ({"StartedAt": "2026-11-29T02:04:00.3Z", "FinishedAt": "2026-11-29T02:04:00.25Z"}, 0, True),  # digits that differ in number
    ({"Status": "exited", "StartedAt": "2026-11-29T02:04:00.1Z", "FinishedAt": "2026-11-29T02:04:00.25Z"}, 0, False),  # ran once
    ({"Status": "exited", "StartedAt": "2026-11-29T02:04:00.4Z", "FinishedAt": "2026-11-29T02:04:00.4000001Z"}, 0, False),  # Z < 0 as text
    ({"StartedAt": "2026-11-29T02:04:01Z", "FinishedAt": "2026-11-29T02:04:00.999Z"}, 0, True),  # trailing zeros dropped
    ({"Status": "exited", "StartedAt": "2026-11-29T02:04:00.1Z", "FinishedAt": "2026-11-29T02:04:00.25Z"}, 2, True),  # --restart
    ({"Status": "exited", "StartedAt": "2026-11-29T02:04:00.1Z", "FinishedAt": "2026-11-29T02:04:00.25Z"}, 1, True),
    ({"StartedAt": "2026-11-29T02:04:00.25Z", "FinishedAt": "2026-11-29T02:04:00.25Z"}, 0, False),
    ({"StartedAt": "2026-11-29T02:04:00.5Z", "FinishedAt": "2026-11-29T02:04:00Z"}, 0, True),  # stopped on a whole second
    ({"Status": "created", "StartedAt": ZERO}, 0, False),
])
def test_started_again(state, restarts, again):
    result, calls = judge({"started_again": again}, answer=inspected(state=state, restart_count=restarts))
    assert result.passed and calls == [("inspect", WEB)]
    result, _ = judge({"started_again": not again}, answer=inspected(state=state, restart_count=restarts))
    assert result.passed is False and result.found == mismatch("started_again", msg("container.yes" if not again else "container.no"),
                                                         msg("container.yes" if again else "container.no"))


# --- a container removed while grading ---------------------------------------------------
@pytest.mark.parametrize("spec", [{"env": {"A": True}}, {"restart": "always"}, {"command": ["x"]}, {"user": ""}, {"tty": True},
                                  {"started_again": False}, {"ports": ["8080:80"]}, {"health": "none", "running": False}])
def test_a_container_removed_while_grading_is_a_clear_failure(spec):
    gone = web(state="exited", status="Exited (0) 1 second ago")
    result, calls = judge(spec, gone)  # the source answers None: the inspect got a 404
    assert result.passed is False and result.found == msg("container.gone", name="web")
    assert calls == [("inspect", WEB)]


def test_keys_from_the_list_are_judged_before_any_inspect():
    result, calls = judge({"env": {"A": True}, "running": True}, web(state="exited", status="Exited (0) 1 second ago"))
    assert result.found.params["key"] == "running" and calls == []


def test_every_key_has_a_judge_and_a_schema_entry():
    assert set(container.JUDGES) == set(container.PROPERTY_KEYS)
    assert set(container.SCHEMA["properties"]) == set(container.PROPERTY_KEYS) | {"select", "count", "match"}
    for key in container.PROPERTY_KEYS:
        entry = container.SCHEMA["properties"][key]
        assert entry.get("description") and entry.get("examples"), key


def test_every_key_is_a_judge_of_one_shape_whose_fragment_is_the_schemas():
    for key in container.PROPERTY_KEYS:
        judge = container.JUDGES[key]
        assert container.SCHEMA["properties"][key] is judge.schema and callable(judge.judge), key
