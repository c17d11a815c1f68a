"""The lessons after the first (containers, images you build, volumes and networks), each graded
through `run` in a fresh lab, as CI grades a submission: the full-marks example gets every point,
the partial one the total in examples/expected.json and fails exactly the checks listed here."""

from __future__ import annotations


import json
import subprocess

import pytest

from checks import exercises, runner

from conftest import ROOT

EXPECTED = json.loads((ROOT / "examples" / "expected.json").read_text())

# lesson folder → (the lesson's name, its exercise ids in order, the examples' prefix)
LESSONS = {
    "containers": ("docker-containers", ["run-detached", "run-interactive", "lifecycle", "exec-logs", "stop-then-remove"]),
    "images": ("docker-images-build", ["build-first-image", "dockerfile-instructions", "entrypoint-cmd", "tags", "layers-size"]),
    "volumes-networks": ("docker-volumes-networks", ["named-volume", "volume-survives", "user-network", "network-alias", "prune"]),
}

# the checks each partial example fails, with what the grader found for a few of them
PARTIAL_FAILS = {
    "containers": {
        ("run-detached", "app-env"), ("run-detached", "restart-policy"),
        ("run-interactive", "shell-has-terminal"), ("run-interactive", "removed-when-done"), ("run-interactive", "none-left"),
        ("lifecycle", "stop-start-restart"), ("lifecycle", "same-container-running"),
        ("exec-logs", "status-file"),
        ("stop-then-remove", "stopped-then-removed"),
    },
    "images": {
        ("build-first-image", "default-command"),
        ("dockerfile-instructions", "not-root"), ("dockerfile-instructions", "has-healthcheck"), ("dockerfile-instructions", "site-running"),
        ("entrypoint-cmd", "entrypoint-and-cmd"), ("entrypoint-cmd", "argument-replaces-cmd"),
        ("tags", "latest-is-2"), ("tags", "tagged"),
        ("layers-size", "few-layers"), ("layers-size", "small-image"),
    },
    "volumes-networks": {
        ("named-volume", "volume-used"), ("named-volume", "mounted-on-dados"),
        ("volume-survives", "volume-kept"), ("volume-survives", "data-read-back"),
        ("user-network", "both-on-the-network"), ("user-network", "reached-by-name"),
        ("network-alias", "alias-site"),
        ("prune", "second-volume-gone"), ("prune", "used-volume-kept"),
    },
}
PARTIAL_FOUND = {
    "containers": {
        ("run-detached", "restart-policy"): "container web: restart expected unless-stopped; found: no",
        ("run-interactive", "shell-has-terminal"): "container shell: tty expected yes; found: no",
        ("exec-logs", "status-file"): "in app, /tmp/status.txt does not exist",
    },
    "images": {
        ("layers-size", "few-layers"): "5 layer(s) (expected: at most 3)",
        ("layers-size", "small-image"): "size 7.23 MB, over 6 MB",
        ("tags", "latest-is-2"): "image nota:latest is not present",
    },
    "volumes-networks": {
        ("user-network", "both-on-the-network"): "network rede-app differs: cliente not attached to it; attached: api",
        ("user-network", "reached-by-name"): "expected exit code 0 in all of them; found: cliente=1 (exited)",
        ("network-alias", "alias-site"): "network rede-app differs: site-v2 not attached to it; attached: api, cliente-site, site",
        ("prune", "second-volume-gone"): "volume lixo-2 exists (driver local, used by: none)",
    },
}


@pytest.mark.parametrize("lesson", sorted(LESSONS))
def test_the_lesson_loads_in_order_in_both_languages(lesson):
    name, ids = LESSONS[lesson]
    loaded = exercises.load([ROOT / "lessons" / lesson])
    assert [e.id for e in loaded] == ids
    assert {e.lesson for e in loaded} == {name}
    for e in loaded:
        assert set(e.title) == {"pt-BR", "en"} and set(e.description) == {"pt-BR", "en"}
        assert all(set(c.hint) == {"pt-BR", "en"} for c in e.checks)
    assert sum(e.max_score for e in loaded) == EXPECTED[f"{lesson}-full-marks"]["max_score"]


@pytest.mark.parametrize("lesson", sorted(LESSONS))
@pytest.mark.parametrize("variant", ["full-marks", "partial"])
def test_the_examples_get_their_expected_score(lesson, variant):
    example = f"{lesson}-{variant}"
    expected = EXPECTED[example]
    report = runner.run(ROOT / "examples" / example, exercises.load([ROOT / "lessons" / lesson]))
    assert report.error is None
    failed = {(o.exercise.id, c.check.name): c.result.found.render("en") for o in report.exercises for c in o.checks if not c.passed}
    assert (report.score, report.max_score) == (expected["score"], expected["max_score"]), failed
    if variant == "full-marks":
        assert failed == {}
    else:
        assert set(failed) == PARTIAL_FAILS[lesson]
        for key, found in PARTIAL_FOUND[lesson].items():
            assert failed[key].endswith(found), (key, failed[key])


def test_an_image_built_from_ubuntu_does_not_pass_for_one_built_from_alpine(daemon, tmp_path):
    """The lab's distribution stand-ins share no layer, so `base: alpine:3.14` tells FROM ubuntu apart."""
    from checks.daemon import connect, read_snapshot
    from checks.kinds import image_config

    (tmp_path / "Dockerfile").write_text("FROM ubuntu:20.04\nCMD [\"true\"]\n")
    daemon.docker("pull", "alpine:3.14")
    daemon.docker("pull", "ubuntu:20.04")
    env = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "HOME": "/tmp", "DOCKER_BUILDKIT": "0", **daemon.lab.environment()}
    done = subprocess.run(["docker", "build", "-q", "-t", "from-ubuntu", str(tmp_path)], capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    with connect(daemon.lab.host) as client:
        result = image_config.evaluate({"image": "from-ubuntu", "base": "alpine:3.14"}, read_snapshot(client))
    assert not result.passed, result.found.render("en")
