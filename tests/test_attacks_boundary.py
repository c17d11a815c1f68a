"""Attacks on `docker-grader run` that the API boundary holds (security round 3, issue 20).

Each test is a hostile submission graded by ``runner.run`` in the hostile lab of tests/test_sandbox.py,
and asserts the safe behaviour: it failed while the hole was open. Families:

- host data through answers: ``docker top`` with ps options that print the environment of the
  machine's processes, or that make dockerd quote a line of the host's ps in its error;
- the lab's daemons' work: a non-blocking log buffer, tmpfs volumes and ``--tmpfs`` mounts, a health
  check every millisecond, a huge label, ``docker load`` of a small gzip whose manifest is huge;
- forged evidence: compose's labels set by a plain ``docker run`` (or baked into an image);
- the refusals' language: the run's own, only.
"""

from __future__ import annotations

import gzip
import io
import secrets
import subprocess
import tarfile
from pathlib import Path

import docker
import pytest

from checks import runner
from checks.boundary import Limits
from checks.report import WRITERS

from test_sandbox import complete_documents, labs, probe_course, reset  # noqa: F401 (fixtures)

LIMITS = Limits()


def grade(folder: Path, lines: list[str], hostile, course, files: dict[str, bytes | str] | None = None, lang: str = "en"):
    folder.mkdir()
    (folder / "probe.dc").write_text("\n".join(lines) + "\n")
    for name, content in (files or {}).items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(content if isinstance(content, bytes) else content.encode())
    return runner.run(folder, course, lab=hostile, budget=runner.Budget(command=30, exercise=90, run=120), lang=lang)


def outputs(report) -> str:
    return "\n".join(f"{run.text}\n{run.output}" for run in report.exercises[0].commands)


def everywhere(report) -> str:
    """The report in every format and language: where a leak would show."""
    return "\n".join(write(report, lang) for write in WRITERS.values() for lang in ("en", "pt-BR"))


def api_of(lab) -> docker.APIClient:
    return docker.APIClient(base_url=lab.host, version="auto")


def names(lab, all_containers: bool = True) -> set[str]:
    api = api_of(lab)
    try:
        return {name.lstrip("/") for c in api.containers(all=all_containers) for name in c["Names"]}
    finally:
        api.close()


# --- host data through answers -----------------------------------------------------------------
@pytest.fixture
def planted_secret():
    """A process of the host (not of any lab) with a secret in its environment, as a CI runner's token would be."""
    secret = "SECRET=" + secrets.token_hex(12)
    name, value = secret.split("=")
    process = subprocess.Popen(["cat"], stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, env={name: value})
    yield process.pid, secret
    process.kill()
    process.wait()


@pytest.mark.parametrize("ps_args", [
    "-p {pid} e -o args,pid",  # the host process's line, its environment where dockerd looks for the PID: quoted in the error
    "-e e -o args,pid",
    "eww",
    "e",
    "aux e",
])
def test_docker_top_shows_nothing_of_the_hosts_processes(labs, probe_course, tmp_path, planted_secret, ps_args):
    hostile, _ = labs
    reset(hostile)
    pid, secret = planted_secret
    lines = ["docker run -d --name topped alpine:3.14 sleep 60", f"docker top topped {ps_args.format(pid=pid)}"]
    report = grade(tmp_path / "submission", lines, hostile, probe_course)
    assert report.error is None
    seen = outputs(report) + everywhere(report)  # the lines' outputs as the grader keeps them, and every format
    assert secret.split("=")[1][:8] not in seen  # ps cuts long lines: any part of the secret is a leak
    assert "`docker top` with ps options" in report.exercises[0].commands[-1].output
    complete_documents(report)


def test_docker_top_with_accepted_options_still_works(labs, probe_course, tmp_path):
    hostile, _ = labs
    reset(hostile)
    lines = ["docker run -d --name topped alpine:3.14 sleep 60", "docker top topped", "docker top topped -e -o pid,user,args"]
    report = grade(tmp_path / "submission", lines, hostile, probe_course)
    runs = report.exercises[0].commands
    assert [run.exit_code for run in runs] == [0, 0, 0], outputs(report)
    assert "sleep 60" in runs[1].output and "sleep 60" in runs[2].output


# --- the lab's daemons' work --------------------------------------------------------------------
def test_a_non_blocking_log_buffer_held_by_dockerd_is_bounded(labs, probe_course, tmp_path):
    """1.5 GB of a container's output held in dockerd's memory, outside every cap of the lab."""
    hostile, _ = labs
    reset(hostile)
    lines = ["docker run -d --name flood --log-opt mode=non-blocking --log-opt max-buffer-size=1500m alpine:3.14 true"]
    report = grade(tmp_path / "submission", lines, hostile, probe_course)
    assert "flood" not in names(hostile)
    assert "HostConfig.LogConfig.Config.max-buffer-size = 1500m is over the lab's limit (1m)" in outputs(report), outputs(report)


def test_a_tmpfs_volume_is_bounded_in_size(labs, probe_course, tmp_path):
    """20 GB of the machine's memory in a tmpfs volume that dockerd fills on `docker cp`."""
    hostile, _ = labs
    reset(hostile)
    lines = ["docker volume create --opt type=tmpfs --opt device=tmpfs --opt o=size=20g big",
             "docker volume create --opt type=tmpfs --opt device=tmpfs --opt o=uid=0 unsized"]
    report = grade(tmp_path / "submission", lines, hostile, probe_course)
    api = api_of(hostile)
    try:
        volumes = {v["Name"]: v for v in api.volumes()["Volumes"] or []}
    finally:
        api.close()
    assert "big" not in volumes and "size=20g" in outputs(report)
    assert volumes["unsized"]["Options"]["o"] == f"uid=0,size={LIMITS.tmpfs}"


def test_a_tmpfs_mount_is_bounded_in_size(labs, probe_course, tmp_path):
    hostile, _ = labs
    reset(hostile)
    lines = ["docker run -d --name bigtmp --tmpfs /t:size=20g alpine:3.14 sleep 5",
             "docker run -d --name unbounded --tmpfs /t:size=0 alpine:3.14 sleep 5",
             "docker run -d --name sized --tmpfs /t alpine:3.14 sleep 5",
             "docker run -d --name mounted --mount type=tmpfs,target=/t alpine:3.14 sleep 5"]
    report = grade(tmp_path / "submission", lines, hostile, probe_course)
    present = names(hostile)
    assert "bigtmp" not in present and "unbounded" not in present, outputs(report)
    api = api_of(hostile)
    try:
        assert api.inspect_container("sized")["HostConfig"]["Tmpfs"] == {"/t": f"size={LIMITS.tmpfs}"}
        mount = api.inspect_container("mounted")["HostConfig"]["Mounts"][0]
        assert mount["TmpfsOptions"]["SizeBytes"] == 64 * 1024**2
    finally:
        api.close()


def test_a_health_check_every_millisecond_is_refused(labs, probe_course, tmp_path):
    """A process started by dockerd, containerd and runc each millisecond: CPU outside the lab's cap."""
    hostile, _ = labs
    reset(hostile)
    files = {"Dockerfile": "FROM alpine:3.14\nHEALTHCHECK --interval=1ms CMD true\n"}
    lines = ["docker run -d --name fast --health-cmd true --health-interval 1ms alpine:3.14 sleep 30",
             "docker build -t fast-health .",
             "docker run -d --name built-fast fast-health sleep 30",
             "docker run -d --name overridden --health-interval 2s fast-health sleep 30"]
    report = grade(tmp_path / "submission", lines, hostile, probe_course, files)
    present = names(hostile)
    assert "fast" not in present and "built-fast" not in present, outputs(report)
    assert "overridden" in present, outputs(report)
    assert outputs(report).count("is below the lab's floor (1s)") == 2, outputs(report)


def test_a_huge_label_is_refused(labs, probe_course, tmp_path):
    hostile, _ = labs
    reset(hostile)
    label = "x=" + "A" * 100_000
    lines = [f"docker run -d --name labelled --label {label} alpine:3.14 true",
             f"docker volume create --label {label} labelled"]
    report = grade(tmp_path / "submission", lines, hostile, probe_course)
    assert "labelled" not in names(hostile), outputs(report)
    assert outputs(report).count(f"over the lab's limit ({LIMITS.labels} bytes)") == 2


def manifest_bomb(megabytes: int) -> bytes:
    """A small gzip whose manifest.json is one string of ``megabytes`` MB (the attack used 350; 20 shows it)."""
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w") as tar:
        data = b'[{"Config": "' + b"A" * (megabytes * 1024 * 1024) + b'", "RepoTags": ["bomb:1"], "Layers": []}]'
        info = tarfile.TarInfo("manifest.json")
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
    return gzip.compress(out.getvalue(), 9)


def test_docker_load_of_a_small_gzip_with_a_huge_manifest_is_refused(labs, probe_course, tmp_path):
    hostile, _ = labs
    reset(hostile)
    bomb = manifest_bomb(20)
    assert len(bomb) < 100_000
    report = grade(tmp_path / "submission", ["docker load -i bomb.tar.gz"], hostile, probe_course, {"bomb.tar.gz": bomb})
    output = report.exercises[0].commands[0].output
    assert "docker load: manifest.json holds" in output and f"({LIMITS.metadata})" in output, output
    complete_documents(report)


def test_docker_load_of_an_archive_docker_save_made_works(labs, probe_course, tmp_path):
    hostile, _ = labs
    reset(hostile)
    api = api_of(hostile)
    try:
        api.tag("alpine:3.14", "saved", "1")
        saved = b"".join(api.get_image("saved:1"))
        api.remove_image("saved:1")
    finally:
        api.close()
    report = grade(tmp_path / "submission", ["docker load -i saved.tar"], hostile, probe_course, {"saved.tar": saved})
    assert "Loaded image: saved:1" in outputs(report), outputs(report)


# --- forged evidence: compose's labels ------------------------------------------------------------
COMPOSE_FILE = """\
version: "3"
services:
  web:
    image: alpine:3.14
    command: sleep 30
"""


def test_compose_labels_are_set_by_docker_compose_only(labs, probe_course, tmp_path):
    """Three plain containers labelled as a compose project passed a `compose` check."""
    hostile, _ = labs
    reset(hostile)
    forged = "--label com.docker.compose.project=fake --label com.docker.compose.service=web"
    lines = [f"docker run -d --name fake-web {forged} alpine:3.14 sleep 30",
             "docker volume create --label com.docker.compose.project=fake fake-data",
             "docker build --label com.docker.compose.project=fake -t forged-by-build .",
             "docker build -t forged-in-dockerfile -f Dockerfile.labelled .",
             "docker run -d --name from-labelled-image forged-in-dockerfile sleep 30",
             "docker-compose -p legit up -d"]
    files = {"Dockerfile": "FROM alpine:3.14\n", "Dockerfile.labelled": "FROM alpine:3.14\nLABEL com.docker.compose.project=fake\n",
             "docker-compose.yml": COMPOSE_FILE}
    report = grade(tmp_path / "submission", lines, hostile, probe_course, files)
    runs = report.exercises[0].commands
    api = api_of(hostile)
    try:
        projects = {c["Labels"].get("com.docker.compose.project") for c in api.containers(all=True)}
        volumes = {v["Name"] for v in api.volumes()["Volumes"] or []}
    finally:
        api.close()
    assert projects == {"legit"}, outputs(report)  # compose's own container, and nothing else
    assert "fake-data" not in volumes
    for index in (0, 1, 2, 4):
        assert "com.docker.compose.project" in runs[index].output and "docker-compose" in runs[index].output, runs[index].output
    assert runs[5].exit_code == 0, runs[5].output


# --- the refusals' language ---------------------------------------------------------------------------
@pytest.mark.parametrize("lang, shown, hidden", [
    ("en", "docker-grader refused this request", "recusou"),
    ("pt-BR", "docker-grader recusou este pedido", "refused this request"),
])
def test_a_refusal_is_in_the_runs_language_only(labs, probe_course, tmp_path, lang, shown, hidden):
    hostile, _ = labs
    reset(hostile)
    report = grade(tmp_path / "submission", ["docker run --privileged alpine:3.14 true"], hostile, probe_course, lang=lang)
    output = report.exercises[0].commands[0].output
    assert shown in output and hidden not in output, output


def test_a_build_whose_dockerfile_is_huge_is_refused(labs, probe_course, tmp_path):
    """A Dockerfile's LABEL of megabytes ends in the image's configuration, which the grader reads back."""
    hostile, _ = labs
    reset(hostile)
    label = "\\\n".join(["A" * 60_000] * 35)  # dockerd reads lines of up to 64 KiB, and joins continued ones: 2 MB
    files = {"Dockerfile": f"FROM alpine:3.14\nLABEL x={label}\n", "small/Dockerfile": "FROM alpine:3.14\n"}
    report = grade(tmp_path / "submission", ["docker build -t huge-label .", "docker build -t small-one small"],
                   hostile, probe_course, files)
    runs = report.exercises[0].commands
    api = api_of(hostile)
    try:
        tags = {tag for image in api.images() for tag in image.get("RepoTags") or []}
    finally:
        api.close()
    assert "huge-label:latest" not in tags, runs[0].output
    assert "docker build: Dockerfile" in runs[0].output, runs[0].output
    assert "small-one:latest" in tags, runs[1].output


def test_tmpfs_volumes_are_bounded_in_number(labs, probe_course, tmp_path):
    """Each tmpfs volume is memory of the machine that dockerd fills on `docker cp`: bounded in number too."""
    hostile, _ = labs
    reset(hostile)
    bound = 8  # Limits.tmpfs_volumes, as docs/security.md states it
    wanted = bound + 1
    lines = [f"docker volume create --opt type=tmpfs --opt device=tmpfs --opt o=size=1m t{i}" for i in range(wanted)]
    report = grade(tmp_path / "submission", lines, hostile, probe_course)
    api = api_of(hostile)
    try:
        tmpfs = [v for v in api.volumes()["Volumes"] or [] if (v.get("Options") or {}).get("type") == "tmpfs"]
    finally:
        api.close()
    assert len(tmpfs) == bound, outputs(report)
    assert f"the lab already holds the most tmpfs volumes it allows ({bound})" in report.exercises[0].commands[-1].output
