"""The lab behaves like the Docker host a course teaches (issue 22): the default bridge and `-p`,
a registry out of the student's ports and out of containers' reach, binds of the submission's
own files, a Docker Hub of the lab's own, and Compose v2. Against the tests' real lab."""

from __future__ import annotations

import json
import os

import pytest

from checks import exercises, runner, sandbox
from checks.boundary import Context, Limits, SubmissionCopy, rules
from checks.daemon import connect, read_snapshot
from checks.events import Event, EventLog
from checks.kinds import http, registry
from checks.lab import REGISTRY
from checks.probe import Prober

from apijson import FakeSource, snapshot
from conftest import Daemon

GET = "printf 'GET {path} HTTP/1.0\\r\\n\\r\\n' | nc -w 3 {host} {port}"  # busybox's static wget crashes
SERVE = "mkdir -p /w && echo {text} > /w/index.html && exec httpd -f -p {port} -h /w"


def serve(daemon, text: str, port: int, *options: str) -> str:
    """A container of busybox's httpd answering ``text``, started with the CLI's options."""
    return daemon.docker("run", "-d", *options, "alpine:3.14", "sh", "-c", SERVE.format(text=text, port=port)).strip()


def reach_script(port: int, text: str) -> str:
    """A container's shell script: says REACHED-PUBLISHED when ``port``, published in the lab, answers
    ``text`` through its gateway, and REACHED-REGISTRY when the lab's registry answers it."""
    host, registry_port = REGISTRY.split(":")
    return (
        "gw=$(ip route | awk '/default/ {print $3}'); "
        # The neighbour's httpd may still be starting: a few tries, all bounded.
        "for try in 1 2 3 4 5 6 7 8 9 10; do "
        f"  {GET.format(path='/', host='$gw', port=port)} | grep -q {text} && echo REACHED-PUBLISHED && break; sleep 0.3; "
        "done; "
        f"{GET.format(path='/v2/', host=host, port=registry_port)} | grep -q HTTP && echo REACHED-REGISTRY; true"
    )


def probe(lab, port: int):
    return Prober(namespace=lab.netns).probe(port, "/", attempts=10)


# --- 1. networking like a Docker host ---------------------------------------------------------
def test_a_port_published_on_the_default_network_answers(lab, daemon):
    serve(daemon, "published", 80, "-p", "8080:80")
    answer = probe(lab, 8080)
    assert answer.status == 200, answer.tried
    assert b"published" in answer.body


def test_port_5000_is_the_students_own(lab, daemon):
    """The registry used to listen on the lab's 127.0.0.1:5000: `-p 5000:5000` failed and a probe
    of 5000 was answered by the registry."""
    serve(daemon, "mine", 5000, "-p", "5000:5000")
    answer = probe(lab, 5000)
    assert answer.status == 200, answer.tried
    assert b"mine" in answer.body


@pytest.mark.parametrize("network", ["default", "user-defined"])
def test_containers_reach_published_ports_but_never_the_registry(lab, daemon, network):
    options = ()
    if network == "user-defined":
        daemon.docker("network", "rm", "lab-host-net", check=False)
        daemon.docker("network", "create", "lab-host-net")
        options = ("--network", "lab-host-net")
    serve(daemon, "neighbour", 80, "-p", "8081:80")
    script = reach_script(8081, "neighbour")
    output = daemon.docker("run", "--rm", *options, "alpine:3.14", "sh", "-c", script)
    daemon.docker("network", "rm", "lab-host-net", check=False)
    assert "REACHED-PUBLISHED" in output  # the container has a network: the lab's published ports answer it
    assert "REACHED-REGISTRY" not in output


# --- 2. the submission's own files can be bound -----------------------------------------------
BIND_EXERCISE = """
id: bind-site
lesson: lab-host-tests
order: 1
title: {pt-BR: Arquivos da entrega, en: The submission's files}
description: {pt-BR: Sirva a pasta site., en: Serve the site folder.}
start: {images: [alpine:3.14]}
checks:
  - name: site-served
    kind: http
    container: web
    port: 80
    body_contains: from-the-submission
    points: 1
    hint: {pt-BR: Monte ./site., en: Bind ./site.}
"""


def run_lines(lab, tmp_path, lines: list[str], files: dict[str, str] | None = None, exercise: str = BIND_EXERCISE):
    """Grades ``lines`` as the command file of one exercise (``bind-site``) through `run`, in the tests' lab."""
    course = tmp_path / "course"
    course.mkdir()
    (course / "bind-site.yaml").write_text(exercise)
    folder = tmp_path / "submission"
    folder.mkdir()
    for name, text in (files or {}).items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text)
    (folder / "bind-site.dc").write_text("\n".join(lines) + "\n")
    report = runner.run(folder, exercises.load([course]), lab=lab)
    assert report.error is None, report.error.render("en")
    return report.exercises[0]


def test_a_folder_of_the_submission_is_bound_and_served(lab, daemon, tmp_path):
    outcome = run_lines(lab, tmp_path, [
        "docker run --rm -v ./site:/site alpine:3.14 cat /site/index.html",
        "docker run -d --name web -p 8090:80 -v ./site:/w:ro alpine:3.14 httpd -f -p 80 -h /w",
    ], {"site/index.html": "from-the-submission\n"})
    cat, web = outcome.commands
    assert (cat.exit_code, cat.output.strip()) == (0, "from-the-submission"), cat.output
    assert web.exit_code == 0, web.output
    assert outcome.score == 1, [c.result.found.render("en") for c in outcome.checks]


def test_an_ephemeral_port_is_probed_where_ipv4_reaches_it(lab, daemon):
    """dockerd 20.10 allocates an ephemeral port for 0.0.0.0 and for :: apart (moby/moby#42442): after
    a port published on IPv4 alone, `-p 80` gets one number for each, and the :: one refuses
    127.0.0.1. The compose lesson's http check failed now and then on exactly this."""
    serve(daemon, "other", 81, "-p", "0.0.0.0::81")
    web = serve(daemon, "ephemeral", 80, "--name", "web", "-p", "80")
    bindings = json.loads(daemon.docker("inspect", "-f", "{{json .NetworkSettings.Ports}}", web))["80/tcp"]
    ports = {binding["HostIp"]: int(binding["HostPort"]) for binding in bindings}
    assert ports["0.0.0.0"] != ports["::"], ports  # the case this test is for
    with connect(lab.host) as client:
        result = http.evaluate({"container": "web", "port": 80, "body_contains": "ephemeral", "attempts": 10}, read_snapshot(client))
    assert result.passed, result.found.render("en")


def test_a_container_writes_into_the_bound_copy_and_the_cli_reads_it(lab, daemon, tmp_path):
    """Read-write on the copy: the container's root is remapped, and the copy is shared with it."""
    outcome = run_lines(lab, tmp_path, [
        "docker run --rm -v ./data:/data alpine:3.14 sh -c 'echo written > /data/out.txt && echo edited >> /data/in.txt'",
        "docker build -t bound-result -f data/Dockerfile data",
        "docker run --rm bound-result cat /out.txt /in.txt",
    ], {"data/in.txt": "original\n", "data/Dockerfile": "FROM alpine:3.14\nCOPY out.txt in.txt /\n"})
    assert [run.exit_code for run in outcome.commands] == [0, 0, 0], [run.output for run in outcome.commands]
    assert outcome.commands[2].output.split() == ["written", "original", "edited"]


@pytest.mark.parametrize("line", [
    "docker run --rm -v /etc:/h alpine:3.14 cat /h/hostname",
    "docker run --rm -v /work/../etc:/h alpine:3.14 cat /h/hostname",
    "docker run --rm --mount type=bind,source=/etc,target=/h alpine:3.14 cat /h/hostname",
    "docker run --rm -v ./link:/h alpine:3.14 cat /h/hostname",
    "docker run --rm -v ./link/hostname:/h alpine:3.14 cat /h",
])
def test_paths_outside_the_copy_are_refused(lab, daemon, tmp_path, line):
    """A link is planted in the copy the way a submission can: `docker cp` of a container's link."""
    outcome = run_lines(lab, tmp_path, [
        "docker create --name planter alpine:3.14 true",
        "docker cp planter:/etc/hostname hostname-copy",  # a control: cp works
        "docker run --name linker alpine:3.14 ln -s /etc /link",
        "docker cp linker:/link ./link",
        line,
    ])
    *setup, bind = outcome.commands
    assert [run.exit_code for run in setup] == [0, 0, 0, 0], [run.output for run in setup]
    assert bind.exit_code != 0
    assert "docker-grader refused this request" in bind.output, bind.output


def test_bind_sources_resolve_inside_the_copy_only(tmp_path):
    """Pure: the resolution the boundary does on the host side, and the body dockerd then gets."""
    root = tmp_path / "copy"
    (root / "site").mkdir(parents=True)
    (root / "site" / "index.html").write_text("hi")
    (root / "out").symlink_to("/etc")
    (root / "site" / "up").symlink_to(root)  # a link that stays inside is still a link: refused
    copy = SubmissionCopy(root)
    assert copy.resolve("/work/site") == str(root / "site")
    assert copy.resolve("/work/site/") == str(root / "site")
    assert copy.resolve("/work/site/index.html") == str(root / "site" / "index.html")
    assert copy.resolve("/work/new/folder") == str(root / "new" / "folder")  # dockerd creates it, in the copy
    assert copy.resolve("/work") == str(root)
    for outside in ("/etc", "/workshop", "work/site", "./site", "/work/../etc", "/work/./site", "/work//site",
                    "/work/out", "/work/out/passwd", "/work/site/up", "/work/site/up/site", "/work/\0"):
        assert copy.resolve(outside) is None, outside
    context = Context("169.254.42.2:5000", Limits(), submission=copy)
    body = {"Image": "alpine:3.14", "HostConfig": {"Binds": ["/work/site:/w:ro", "data:/data"],
                                                   "Mounts": [{"Type": "bind", "Source": "/work/site", "Target": "/m"}]}}
    decision = rules.container_create(rules.Request("POST", "/containers/create", {}, {}, body), context)
    assert decision.allowed, decision.reason
    assert decision.body["HostConfig"]["Binds"] == [f"{root}/site:/w:ro", "data:/data"]
    assert decision.body["HostConfig"]["Mounts"][0]["Source"] == f"{root}/site"
    for binds, key in ((["/work/site:/w:shared"], "boundary.bind_mode"), (["/work/out:/w"], "boundary.bind_outside")):
        refused = rules.container_create(rules.Request("POST", "/containers/create", {}, {}, {"HostConfig": {"Binds": binds}}), context)
        assert refused.reason.key == key


# --- 3. a Docker Hub of the lab's own ---------------------------------------------------------
HUB_EXERCISE = BIND_EXERCISE.split("checks:")[0] + """checks:
  - {name: pushed-1, kind: registry, pushed: "student/app:1", points: 1, hint: {pt-BR: Envie., en: Push.}}
  - {name: pushed-2, kind: registry, pushed: "student/app:2", points: 1, hint: {pt-BR: Envie., en: Push.}}
"""


def test_login_push_and_pull_of_a_hub_name(lab, daemon, tmp_path):
    outcome = run_lines(lab, tmp_path, [
        "docker login -u student -p anything",
        "docker build -t student/app:1 .",
        "docker push student/app:1",
        "docker images --format {{.Repository}}:{{.Tag}}",
        "docker rmi student/app:1",
        "docker pull student/app:1",
        "docker run --rm student/app:1 cat /note.txt",
        "docker push ghcr.io/student/app:1",
    ], {"Dockerfile": "FROM alpine:3.14\nCOPY note.txt /\n", "note.txt": "pushed and pulled back\n"}, HUB_EXERCISE)
    *worked, elsewhere = outcome.commands
    assert [run.exit_code for run in worked] == [0] * 7, [run.output for run in worked]
    assert "Login Succeeded" in worked[0].output
    listed = worked[3].output.split()
    assert "student/app:1" in listed and not any(REGISTRY in name for name in listed), listed  # the push's own tag is gone
    assert "Deleted" in worked[4].output and "Downloaded newer image" in worked[5].output
    assert worked[6].output.strip() == "pushed and pulled back"
    assert elsewhere.exit_code != 0 and "docker-grader refused this request" in elsewhere.output
    assert {c.check.name: c.passed for c in outcome.checks} == {"pushed-1": True, "pushed-2": False}
    assert outcome.checks[1].result.found.render("en") == "student/app:2 was not pushed (docker push); pushed: student/app:1"


def test_the_registry_kind_reads_push_events(tmp_path):
    """Pure: a push to the lab's registry counts under its Docker Hub name; no record or a gap is unknown."""
    def graded(image: str, events: EventLog | None):
        source = FakeSource()
        source.event_log = events
        return registry.evaluate({"pushed": image}, snapshot((), (), source))

    pushes = EventLog((Event(1, "image", "push", f"{REGISTRY}/student/app:1", f"{REGISTRY}/student/app"),
                       Event(2, "image", "push", f"{REGISTRY}/library/alpine:3.14"),
                       Event(3, "image", "push", "localhost:5000/app:2"),
                       Event(4, "image", "tag", f"{REGISTRY}/student/app:3")))
    assert graded("student/app:1", pushes).passed
    assert graded("docker.io/student/app:1", pushes).passed
    assert graded("alpine:3.14", pushes).passed
    assert graded("localhost:5000/app:2", pushes).passed
    for missing in ("student/app", "student/app:3", "localhost:5000/app:1", "other/app:1"):
        result = graded(missing, pushes)
        assert not result.passed and not result.unknown, missing
    assert graded("student/app:1", None).unknown
    assert graded("student/app:1", EventLog(pushes.events, complete=False)).unknown


def test_the_cli_config_keeps_only_credentials_between_commands(tmp_path):
    """DOCKER_CONFIG is writable (docker login saves there): what else a command writes there is dropped."""
    written = {"auths": {"https://index.docker.io/v1/": {"auth": "c3R1ZGVudDp4"}, "bad": "x"},
               "credsStore": "gcloud", "credHelpers": {"a": "b"}, "cliPluginsExtraDirs": ["/work"],
               "currentContext": "elsewhere", "proxies": {"default": {"httpProxy": "http://x"}}}
    assert sandbox.keep_credentials_only(json.dumps(written)) == {"auths": {"https://index.docker.io/v1/": {"auth": "c3R1ZGVudDp4"}}}
    assert sandbox.keep_credentials_only("not json") == {}
    box = sandbox.Sandbox(tmp_path / "box", tmp_path / "api.sock", uid=os.getuid())
    box.docker_config.mkdir(parents=True)
    (box.docker_config / "config.json").write_text(json.dumps(written))
    (box.docker_config / "cli-plugins").mkdir()
    (box.docker_config / "contexts").mkdir()
    box.command(("docker", "version"))
    assert [p.name for p in box.docker_config.iterdir()] == ["config.json"]
    assert json.loads((box.docker_config / "config.json").read_text()) == {"auths": {"https://index.docker.io/v1/": {"auth": "c3R1ZGVudDp4"}}}


@pytest.mark.parametrize("name, lab_name", [("app", "library/app"), ("docker.io/user/app", "user/app"), ("user/app", "user/app")])
def test_a_hub_push_goes_to_the_labs_registry(name, lab_name):
    """Pure: the boundary's plan for `docker push NAME:1` (tests/test_boundary.py has the refusals)."""
    context = Context("169.254.42.2:5000")
    decision = rules.image_push(rules.Request("POST", f"/images/{name}/push", {"name": name}, {"tag": "1"}), context)
    assert decision.allowed
    assert decision.before == (("POST", f"/images/{name}:1/tag", {"repo": f"169.254.42.2:5000/{lab_name}", "tag": "1"}),)
    assert decision.target == f"/images/169.254.42.2:5000/{lab_name}/push?tag=1"
    assert decision.after == (("DELETE", f"/images/169.254.42.2:5000/{lab_name}:1", {"noprune": "1"}),)
    all_tags = rules.image_push(rules.Request("POST", f"/images/{name}/push", {"name": name}, {"tag": ""}), context)
    assert all_tags.reason.key == "boundary.push_all_tags"
    assert rules.route("POST", "/auth").rule(rules.Request("POST", "/auth", {}, {}, {}), context).answer["Status"] == "Login Succeeded"


# --- 4. Compose v2 -----------------------------------------------------------------------------
COMPOSE_V2 = """services:
  back:
    image: alpine:3.14
    command: ["sh", "-c", "trap 'exit 0' TERM; sleep 600 & wait"]
  front:
    image: alpine:3.14
    command: ["sh", "-c", "exec httpd -f -p 80 -h /site"]
    depends_on: [back]
    ports: ["8095:80"]
    volumes: ["./site:/site"]
"""
COMPOSE_EXERCISE = BIND_EXERCISE.split("checks:")[0] + """checks:
  - name: served
    kind: http
    host_port: 8095
    body_contains: from-the-submission
    points: 1
    hint: {pt-BR: Suba., en: Up.}
"""


def test_compose_v2_up_detached_with_depends_on_and_a_relative_volume(lab, daemon, tmp_path):
    outcome = run_lines(lab, tmp_path, [
        "docker compose version",
        "docker compose up -d",
        "docker compose ps --services",
    ], {"compose.yaml": COMPOSE_V2, "site/index.html": "from-the-submission\n"}, COMPOSE_EXERCISE)
    version, up, ps = outcome.commands
    assert version.exit_code == 0 and f"v{sandbox.COMPOSE_VERSION}" in version.output, version.output  # the pinned one
    assert up.exit_code == 0, up.output
    assert sorted(ps.output.split()) == ["back", "front"], ps.output
    assert outcome.score == 1, [c.result.found.render("en") for c in outcome.checks]
    front = daemon.api.containers(all=True, filters={"label": "com.docker.compose.service=front"})[0]
    assert front["Labels"]["com.docker.compose.depends_on"].startswith("back:")  # what v2 records, and 1.29 does not
    assert front["Labels"]["com.docker.compose.project"] == "work"  # named after the sandbox's folder, as 1.29 does


def test_the_compose_plugin_is_read_only_in_the_sandbox(lab, daemon, tmp_path):
    outcome = run_lines(lab, tmp_path, [
        "docker create --name c1 alpine:3.14",
        f"docker cp c1:/bin/busybox {sandbox.PLUGIN_FOLDER}/docker-compose",
        "docker cp c1:/bin/busybox /run/docker-config/cli-plugins/docker-compose",
        "docker compose version",
    ])
    replace, planted, version = outcome.commands[1:]
    assert replace.exit_code != 0, replace.output
    assert version.exit_code == 0 and f"v{sandbox.COMPOSE_VERSION}" in version.output, version.output
    assert sandbox.compose_plugin() is not None


def test_docker_compose_1_keeps_working(lab, daemon, tmp_path):
    outcome = run_lines(lab, tmp_path, ["docker-compose up -d"],
                        {"docker-compose.yml": COMPOSE_V2, "site/index.html": "from-the-submission\n"}, COMPOSE_EXERCISE)
    assert outcome.commands[0].exit_code == 0, outcome.commands[0].output
    assert outcome.score == 1


def test_docker_compose_v2_against_a_lab(lab, daemon, tmp_path):
    """`docker-grader lab up`, then the lab's environment: the pinned plugin is the CLI's `compose`."""
    assert f"v{sandbox.COMPOSE_VERSION}" in daemon.docker("compose", "version")


def test_without_iptables_publishing_works_and_the_registry_stays_out_of_reach(monkeypatch, tmp_path):
    """A machine without the iptables program: dockerd forwards nothing, docker-proxy still publishes."""
    import shutil as shutil_module

    from checks.lab import Lab, netns

    which = shutil_module.which
    monkeypatch.setattr(netns.shutil, "which", lambda name, **kw: None if name == "iptables" else which(name, **kw))
    with Lab("no-iptables", tmp_path / "lab").running() as bare:
        assert bare.read_state()["firewall"] is False
        control = Daemon(bare)
        try:
            serve(control, "bare", 80, "-p", "8080:80")
            answer = probe(bare, 8080)
            assert answer.status == 200 and b"bare" in answer.body, answer.tried
            script = reach_script(8080, "bare")
            output = control.docker("run", "--rm", "alpine:3.14", "sh", "-c", script)
            assert "REACHED-PUBLISHED" in output and "REACHED-REGISTRY" not in output
        finally:
            control.api.close()
