"""The lab for the course's later lessons, on a real daemon: the distributions' stand-ins, starting
states with volumes, networks and running containers, images shipped as `docker save` archives,
`-it` lines in `run`, and the `output` kind through `run`."""

from __future__ import annotations

import io
import json
import os
import shutil
import tempfile
from pathlib import Path

import pytest

from checks import cli, exercises, runner, submission
from checks.lab import Lab, archives, images
from checks.lab import start as start_state
from checks.lab.control import LabDaemon
from checks.daemon import DaemonClient, Endpoint
from checks.runner import Budget

from conftest import EXERCISES


# --- lab images ----------------------------------------------------------------------------
def test_each_distribution_stand_in_says_which_it_is(daemon):
    for reference, lines in (
        ("alpine:3.14", ["ID=alpine", "VERSION_ID=3.14.2"]),
        ("alpine", ["ID=alpine"]),
        ("debian:11", ["ID=debian", 'VERSION_ID="11"', "VERSION_CODENAME=bullseye"]),
        ("debian", ["ID=debian"]),
        ("ubuntu:20.04", ["ID=ubuntu", 'VERSION_ID="20.04"', "ID_LIKE=debian"]),
        ("ubuntu:focal", ["ID=ubuntu"]),
    ):
        printed = daemon.docker("run", "--rm", reference, "cat", "/etc/os-release").splitlines()
        assert set(lines) <= set(printed), reference
    assert daemon.docker("run", "--rm", "ubuntu", "bash", "-c", "echo from bash") == "from bash\n"
    assert daemon.docker("run", "--rm", "debian", "cat", "/etc/debian_version") == "11.0\n"
    ids = {ref: daemon.docker("image", "inspect", "--format", "{{.Id}}", ref).strip() for ref in ("alpine:3.14", "alpine", "debian:11", "debian", "ubuntu")}
    assert ids["alpine"] == ids["alpine:3.14"] == images.lab_images()[0].id  # alpine:latest is the lesson's alpine
    assert ids["debian"] == ids["debian:11"] != ids["ubuntu"]
    # Each distribution is one layer of its own, shared with no other stand-in (as real images share none):
    # an image built FROM ubuntu does not have alpine's layers first.
    layers = {ref: json.loads(daemon.docker("image", "inspect", "--format", "{{json .RootFS.Layers}}", ref)) for ref in ("alpine", "debian", "ubuntu")}
    assert [len(found) for found in layers.values()] == [1, 1, 1]
    assert len({found[0] for found in layers.values()}) == 3
    assert daemon.docker("image", "inspect", "--format", "{{json .Config.Cmd}}", "debian").strip() == '["bash"]'


# --- starting states -----------------------------------------------------------------------
START = {
    "images": ["alpine:3.14"],
    "volumes": [{"name": "app-data", "labels": {"course": "docker"}}],
    "networks": [{"name": "app-net"}],
    "containers": [
        {"image": "alpine:3.14", "name": "web", "command": ["sleep", "3600"], "running": True, "network": "app-net",
         "volumes": ["app-data:/data"]},
        {"image": "hello-world", "count": 2},
        {"image": "alpine:3.14", "name": "done", "command": ["sh", "-c", "echo ready"]},
    ],
}


def control(daemon) -> LabDaemon:
    """The lab's own client for starting states, in the API version the daemon speaks, as `run` makes it."""
    with DaemonClient(Endpoint(daemon.lab.host)) as client:
        return LabDaemon(daemon.lab.host, client.api_version)


@pytest.fixture
def no_volumes_or_networks(daemon):
    """The daemon fixture empties containers and images; other tests expect no volume or network of ours either."""
    yield daemon
    daemon.reset()
    for volume in daemon.api.volumes().get("Volumes") or ():
        daemon.api.remove_volume(volume["Name"], force=True)
    for network in daemon.api.networks():
        if network["Name"] not in ("bridge", "host", "none"):
            daemon.api.remove_network(network["Id"])


def test_a_starting_state_with_volumes_networks_and_a_running_container(no_volumes_or_networks):
    daemon = no_volumes_or_networks
    start_state.apply(START, control(daemon))
    web = daemon.api.inspect_container("web")
    assert web["State"]["Running"] and web["Config"]["Cmd"] == ["sleep", "3600"]
    assert list(web["NetworkSettings"]["Networks"]) == ["app-net"]
    assert [(m["Type"], m["Name"], m["Destination"]) for m in web["Mounts"]] == [("volume", "app-data", "/data")]
    assert web["HostConfig"]["PidsLimit"] == 256 and web["HostConfig"]["LogConfig"]["Config"]["max-size"] == "10m"
    assert daemon.api.inspect_volume("app-data")["Labels"] == {"course": "docker"}
    assert daemon.api.inspect_network("app-net")["Driver"] == "bridge"
    done = daemon.api.inspect_container("done")
    assert done["State"]["Status"] == "exited" and daemon.api.logs("done") == b"ready\n"
    assert len(daemon.api.containers(all=True, filters={"ancestor": "hello-world"})) == 2
    before = sorted(c["Id"] for c in daemon.api.containers(all=True))

    # Where it is there already, nothing is added; a named container that was stopped runs again.
    daemon.api.kill("web")
    start_state.apply(START, control(daemon))
    assert sorted(c["Id"] for c in daemon.api.containers(all=True)) == before
    assert daemon.api.inspect_container("web")["State"]["Running"]
    assert len(daemon.api.networks(names=["app-net"])) == 1 and len(daemon.api.volumes()["Volumes"]) == 1

    # What runs when the exercise ends is killed, like the student's own containers.
    start_state.stop_running(control(daemon))
    assert daemon.api.containers() == []


def test_running_containers_are_counted_only_when_running(daemon):
    item = {"image": "alpine:3.14", "command": ["sleep", "3600"], "running": True, "count": 2}
    start_state.apply({"containers": [item]}, control(daemon))
    assert len(daemon.api.containers()) == 2
    start_state.stop_running(control(daemon))
    start_state.apply({"containers": [item]}, control(daemon))  # the two exited ones do not count
    assert len(daemon.api.containers()) == 2 and len(daemon.api.containers(all=True)) == 4
    start_state.stop_running(control(daemon))


def test_a_running_container_whose_command_ends_does_not_hold_the_start(daemon, monkeypatch):
    asked = []
    call = LabDaemon.call

    def counting(self, method, path, *args, **kwargs):
        if method == "GET" and path.startswith("/containers/") and path.endswith("/json") and path.count("/") == 3:
            asked.append(path)
            if len(asked) == 1:
                daemon.api.wait(path.split("/")[2], timeout=10)  # `true` has ended before the start looks at it
        return call(self, method, path, *args, **kwargs)

    monkeypatch.setattr(LabDaemon, "call", counting)
    start_state.apply({"containers": [{"image": "alpine:3.14", "name": "quick", "command": ["true"], "running": True}]}, control(daemon))
    monkeypatch.undo()
    assert daemon.api.inspect_container("quick")["State"]["Status"] == "exited"
    # Seen ended at the first look, it was not looked at again for the whole UP_WAIT (UP_WAIT / POLL = 100 looks).
    assert len(asked) == 1


@pytest.mark.parametrize("start, where", [
    ({"containers": [{"image": "alpine:3.14", "name": "web", "count": 2}]}, "$.start.containers[0].count"),
    ({"containers": [{"image": "alpine:3.14", "volumes": ["/etc:/host"]}]}, "$.start.containers[0].volumes[0]"),
    ({"containers": [{"image": "alpine:3.14", "count": 21}]}, "$.start.containers[0].count"),
    ({"volumes": [{"name": "bad name"}]}, "$.start.volumes[0].name"),
    ({"networks": [{"name": "net", "driver": "host"}]}, "$.start.networks[0].driver"),
    ({"containers": [{"image": "alpine:3.14", "network": "host"}]}, "$.start.containers[0].network"),
])
def test_starting_states_out_of_bounds_are_refused_with_their_line(tmp_path, capsys, start, where):
    path = tmp_path / "ex.yaml"
    path.write_text(exercise_text("start-bounds", {"start": start}))
    assert cli.main(["validate", str(path), "--lang", "en"]) == 2
    out = capsys.readouterr()
    assert f"{path}:" in out.out + out.err and where in out.out + out.err


def exercise_text(exercise_id: str, extra: dict, checks: list | None = None) -> str:
    document = {
        "id": exercise_id, "lesson": "courseware", "order": 1,
        "title": {"pt-BR": "Um exercício", "en": "An exercise"},
        "description": {"pt-BR": "Um exercício.", "en": "An exercise."},
        **extra,
        "checks": checks or [{"name": "alpine-here", "kind": "image", "image": "alpine:3.14", "points": 1,
                              "hint": {"pt-BR": "Baixe a alpine.", "en": "Pull alpine."}}],
    }
    return json.dumps(document, indent=1)  # JSON is YAML: one key a line, so faults have lines


# --- images shipped as archives ------------------------------------------------------------
@pytest.fixture
def course_folder():
    path = Path(tempfile.mkdtemp(prefix="dgc-", dir="/tmp"))
    (path / "course" / "images").mkdir(parents=True)
    yield path / "course"
    shutil.rmtree(path, ignore_errors=True)


def saved_image(daemon, target: Path, reference: str = "nginx:1.25") -> str:
    """An image no recipe builds (alpine with a page committed in it), saved as ``reference``; its ID."""
    daemon.docker("run", "--name", "page", "alpine:3.14", "sh", "-c", "mkdir -p /srv && echo 'made by the instructor' > /srv/index.html")
    daemon.docker("commit", "--change", 'CMD ["cat", "/srv/index.html"]', "page", reference)
    daemon.docker("save", "-o", str(target), reference)
    os.chmod(target, 0o644)
    return daemon.docker("image", "inspect", "--format", "{{.Id}}", reference).strip()


def archive_exercise(folder: Path, item: dict) -> Path:
    path = folder / "serve-nginx.yaml"
    path.write_text(exercise_text("serve-nginx", {"images": [item]}))
    return path


def test_an_archive_shipped_with_the_course_is_pulled_offline_with_its_id(daemon, course_folder):
    saved_id = saved_image(daemon, course_folder / "images" / "nginx.tar")
    (exercise,) = exercises.load([archive_exercise(course_folder, {"reference": "nginx:1.25", "archive": "images/nginx.tar"})])
    assert exercise.images[0]["path"] == str(course_folder / "images" / "nginx.tar")
    lab = Lab("archive", course_folder.parent / "lab")
    with lab.running(exercise.images):
        env = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "HOME": "/tmp", **lab.environment()}
        import subprocess

        def docker(*args):
            return subprocess.run(["docker", *args], capture_output=True, text=True, env=env, timeout=120, check=True).stdout

        docker("pull", "nginx:1.25")
        assert docker("image", "inspect", "--format", "{{.Id}}", "nginx:1.25").strip() == saved_id
        assert docker("run", "--rm", "nginx:1.25") == "made by the instructor\n"
        assert lab.read_state()["images"]["nginx:1.25"] == saved_id
    assert not lab.root.exists()


@pytest.mark.parametrize("case, item, fault", [
    ("missing", {"archive": "images/none.tar"},
     "$.images[0].archive: file images/none.tar does not exist or is not a regular file; make it with `docker save -o images/none.tar nginx:1.25`"),
    ("outside", {"archive": "../outside.tar"}, "$.images[0].archive: file ../outside.tar is outside the exercise's folder"),
    ("link-out", {"archive": "images/link.tar"}, "$.images[0].archive: file images/link.tar is outside the exercise's folder"),
    ("folder", {"archive": "images"}, "$.images[0].archive: file images does not exist or is not a regular file"),
    ("not-tar", {"archive": "images/text.tar"}, "$.images[0].archive: images/text.tar is not a `docker save` tar ("),
    ("no-manifest", {"archive": "images/plain.tar"}, "$.images[0].archive: images/plain.tar is not a `docker save` tar (no manifest.json)"),
    ("member-missing", {"archive": "images/broken.tar"},
     "$.images[0].archive: images/broken.tar is not a `docker save` tar (c.json is named in manifest.json but not in the tar)"),
    ("other-reference", {"archive": "images/nginx.tar", "reference": "nginx:1.26"},
     "$.images[0].archive: images/nginx.tar does not hold nginx:1.26 (it holds: nginx:1.25); save that reference"),
    ("by-id", {"archive": "images/nginx.tar", "reference": "sha256:abcdef012345"}, "does not hold sha256:abcdef012345"),
    ("both", {"archive": "images/nginx.tar", "recipe": "busybox"}, "$.images[0].archive: give either `recipe`"),
    ("neither", {}, "$.images[0].reference: give either `recipe`"),
    ("cmd", {"archive": "images/nginx.tar", "cmd": ["sh"]}, "$.images[0].cmd: `cmd` is for recipes only"),
    ("too-large", {"archive": "images/nginx.tar"}, "$.images[0].archive: file images/nginx.tar has "),
])
def test_a_bad_archive_is_refused_with_its_line(daemon, course_folder, capsys, monkeypatch, case, item, fault):
    import tarfile

    saved_image(daemon, course_folder / "images" / "nginx.tar")
    (course_folder.parent / "outside.tar").write_bytes((course_folder / "images" / "nginx.tar").read_bytes())
    (course_folder / "images" / "link.tar").symlink_to(course_folder.parent / "outside.tar")
    (course_folder / "images" / "text.tar").write_text("not a tar\n" * 100)
    with tarfile.open(course_folder / "images" / "plain.tar", "w") as plain:
        plain.add(course_folder / "images" / "text.tar", "hello.txt")
    with tarfile.open(course_folder / "images" / "broken.tar", "w") as broken:
        manifest = json.dumps([{"Config": "c.json", "RepoTags": ["nginx:1.25"], "Layers": ["l/layer.tar"]}]).encode()
        info = tarfile.TarInfo("manifest.json")
        info.size = len(manifest)
        broken.addfile(info, io.BytesIO(manifest))
    if case == "too-large":
        monkeypatch.setattr(archives, "MAX_ARCHIVE", 1000)
    path = archive_exercise(course_folder, {"reference": "nginx:1.25", **item})
    key = fault.split(":")[0].rsplit(".", 1)[-1] if fault.startswith("$") else "archive"
    line = next(number for number, text in enumerate(path.read_text().splitlines(), 1) if text.strip().startswith(f'"{key}"'))
    assert cli.main(["validate", str(path), "--lang", "en"]) == 2
    out = capsys.readouterr()
    printed = out.out + out.err
    assert f"{path}:{line}: {fault}" in printed if fault.startswith("$") else f"{path}:{line}: $.images[0].archive: " in printed, printed
    assert fault in printed
    assert "Traceback" not in printed


def test_an_archive_whose_layer_was_changed_stops_the_lab_with_a_clear_error(daemon, course_folder):
    import tarfile

    from checks.errors import LabError

    good = course_folder / "images" / "good.tar"
    saved_image(daemon, good)
    with tarfile.open(good) as source, tarfile.open(course_folder / "images" / "nginx.tar", "w") as changed:
        layers = json.loads(source.extractfile("manifest.json").read())[0]["Layers"]
        for member in source:
            data = source.extractfile(member).read() if member.isfile() else None
            if member.name == layers[-1]:
                data += b"\0" * 512  # one more tar block: the layer's digest no longer matches the config
                member.size = len(data)
            changed.addfile(member, io.BytesIO(data) if data is not None else None)
    (exercise,) = exercises.load([archive_exercise(course_folder, {"reference": "nginx:1.25", "archive": "images/nginx.tar"})])
    lab = Lab("bad-archive", course_folder.parent / "lab")
    with pytest.raises(LabError) as raised:
        lab.up(exercise.images)
    assert raised.value.render("en") == (
        f"cannot read image docker.io/library/nginx:1.25 from {course_folder}/images/nginx.tar: "
        f"{layers[-1]} does not match the config's layer {len(layers)}")
    assert not lab.root.exists()


# --- `-it` lines and the output kind in `run` ----------------------------------------------
def output_check(name: str, command: str, **wanted) -> dict:
    return {"name": name, "kind": "output", "command": command, **wanted, "points": 1,
            "hint": {"pt-BR": f"Rode `{command}`.", "en": f"Run `{command}`."}}


TTY_CHECKS = [
    output_check("os-release", "docker run -it alpine:3.14 cat /etc/os-release", contains="ID=alpine", exit_code=0),
    output_check("shell-ended", "docker run -it --name shell ubuntu bash", contains="built-in shell", exit_code=0),
    output_check("exec-shell", "docker exec -ti web sh", exit_code=0),
    output_check("tty-only", "docker run --tty alpine:3.14 echo one line", contains="one line\n", exit_code=0),
]
TTY_LINES = """docker run -it alpine:3.14 cat /etc/os-release
docker run -it --name shell ubuntu bash
docker exec -ti web sh
docker run --tty alpine:3.14 echo one line
docker run -t alpine:3.14 sh -c "yes | head -c 100000"
docker run -t alpine:3.14 sh
"""


def graded_run(tmp_path: Path, checks: list, lines: str, start: dict | None = None, timeout: float = 30):
    (tmp_path / "course").mkdir(parents=True)
    (tmp_path / "course" / "lines.yaml").write_text(exercise_text("lines", {"start": start} if start else {}, checks))
    (tmp_path / "submission").mkdir()
    (tmp_path / "submission" / "lines.dc").write_text(lines)
    chosen = exercises.load([tmp_path / "course"])
    report = runner.run(tmp_path / "submission", chosen, budget=Budget(command=timeout))
    assert report.error is None, report.error.render("en")
    (outcome,) = report.exercises
    return outcome, chosen


def test_it_lines_get_a_terminal_whose_input_ends_at_once(tmp_path):
    start = {"containers": [{"image": "alpine:3.14", "name": "web", "command": ["sleep", "3600"], "running": True}]}
    outcome, _ = graded_run(tmp_path, TTY_CHECKS, TTY_LINES, start, timeout=8)
    assert {c.check.name: c.result.found.render("en") for c in outcome.checks if not c.passed} == {}
    runs = outcome.commands
    assert [r.exit_code for r in runs] == [0, 0, 0, 0, 0, None]
    assert runs[0].output.splitlines()[:2] == ['NAME="Alpine Linux"', "ID=alpine"]  # no \r, no escape codes
    assert runs[3].output == "one line\n"
    assert "\r" not in "".join(r.output for r in runs) and "\x1b" not in "".join(r.output for r in runs)
    # A terminal's output is bounded like a pipe's: 64 KiB kept, the rest counted. 50,000 lines "y" are
    # 200,000 bytes here, "y\r\r\n": the container's terminal adds a \r, and ours too (-t alone: not raw).
    kept, more = runs[4].output.rsplit("\n[... ", 1)
    assert kept == "y\n" * (submission.MAX_OUTPUT // 4) and more == f"{200_000 - submission.MAX_OUTPUT} bytes more]"
    # -t without -i: the shell's terminal gets no input at all, as with docker itself: it waits, until the timeout.
    assert runs[5].timed_out and outcome.error.render("en").startswith(
        "line 6 asked for a terminal (-t) and ran past the 8 s limit: in a command file nobody types into it")


def test_which_lines_ask_for_a_terminal():
    from checks.submission import wants_terminal

    asking = ["docker run -it alpine sh", "docker run -ti alpine sh", "docker run -dit alpine", "docker exec -t web ls",
              "docker run --tty alpine", "docker run --tty=true alpine", "docker start -ai web"]
    plain = ["docker run alpine sh", "docker run -i alpine", "docker run --name tty alpine", "docker ps -a",
             "docker run --tty=false alpine", "docker images --format t"]
    assert [line for line in asking if not wants_terminal(tuple(line.split()))] == ["docker start -ai web"]
    assert [line for line in plain if wants_terminal(tuple(line.split()))] == []


OS_CHECKS = [
    output_check("os-release", "docker exec * cat /etc/os-release", contains=["ID=ubuntu", 'VERSION_ID="20.04"'], exit_code=0),
    output_check("ps-filtered", "docker ps --filter name=*", contains="box", match="last"),
]


def test_output_checks_through_run_pass_and_fail(tmp_path):
    start = {"containers": [{"image": "ubuntu:20.04", "name": "box", "command": ["sleep", "3600"], "running": True}]}
    full, chosen = graded_run(tmp_path / "full", OS_CHECKS, "docker exec box cat /etc/os-release\ndocker ps --filter name=box\n", start)
    assert full.score == 2, [c.result.found.render("en") for c in full.checks]
    partial, _ = graded_run(
        tmp_path / "partial", OS_CHECKS,
        "docker exec box cat /etc/hostname\ndocker exec box cat /etc/os-release-x\ndocker ps --filter name=box\ndocker ps --filter name=web\n",
        start,
    )
    found = {c.check.name: c.result.found.render("en") for c in partial.checks if not c.passed}
    assert found == {
        "os-release": "no line of your command file that ran is like `docker exec * cat /etc/os-release`",
        "ps-filtered": "the output of line 4 (`docker ps --filter name=web`) does not contain 'box'",
    }


def test_output_checks_under_check_say_run_only_and_cannot_tell(daemon, tmp_path):
    (tmp_path / "lines.yaml").write_text(exercise_text("lines", {}, OS_CHECKS))
    from checks import grading

    report = grading.grade_daemon(exercises.load([tmp_path]), host=daemon.lab.host)
    assert [c.result.found.render("en") for c in report.exercises[0].checks] == [
        "this check reads your commands' output: only `docker-grader run` grades it"] * 2
    assert (report.score, report.max_score, report.exit_code) == (0, 0, 5)  # cannot tell: 0 of 0 points, exit code 5


def test_a_layer_shared_by_two_repositories_is_stored_once(monkeypatch):
    """lab up writes each blob once: the httpd stand-in's repository links busybox's layer, stored for alpine's."""
    extra = [{"reference": "nginx:1.25", "recipe": "httpd"}]
    written = []
    store = images.store
    monkeypatch.setattr(images, "store", lambda built, root: written.append(store(built, root)) or written[-1])
    built = images.lab_images(extra)
    unique = {blob.digest: len(blob.data) for image in built for blob in (image.config, *image.layers, image.manifest)}
    busybox = built[0].layers[0].digest
    scratch = Path(tempfile.mkdtemp(prefix="dgl-", dir="/tmp"))
    try:
        with Lab("mounts", scratch / "lab").running(extra) as lab:
            repositories = lab.data_root / "registry" / images.STORE / "repositories" / "library"
            linked = (repositories / "nginx" / "_layers" / "sha256" / busybox.split(":")[1] / "link").read_text()
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    assert written == [sum(unique.values())]  # every blob once, whatever the repositories that share it
    assert linked == busybox


@pytest.mark.parametrize("written", ["images/\0.tar", "images/" + "x" * 300 + ".tar", "images/loop.tar"])
def test_archive_paths_that_cannot_be_opened_are_faults_not_tracebacks(course_folder, capsys, written):
    (course_folder / "images" / "loop.tar").symlink_to(course_folder / "images" / "loop.tar")
    path = archive_exercise(course_folder, {"reference": "nginx:1.25", "archive": written})
    assert cli.main(["validate", str(path), "--lang", "en"]) == 2
    printed = "".join(capsys.readouterr())
    assert "$.images[0].archive: file images/" in printed and "does not exist or is not a regular file" in printed
