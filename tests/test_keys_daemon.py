"""The keys issue 22 found missing, graded through `run` on a real lab: each key once where it
holds and once where it does not. The pure cases are in tests/test_keys_pure.py."""

from __future__ import annotations

import pytest

from checks import exercises, runner

from conftest import failed

HEADER = """\
id: {id}
lesson: keys
order: {order}
title: {{pt-BR: {id}, en: {id}}}
description: {{pt-BR: {id}, en: {id}}}
checks:
"""
HINT = "    points: 1\n    hint: {pt-BR: x, en: x}\n"


def check(name: str, body: str) -> str:
    return f"  - name: {name}\n" + "".join(f"    {line}\n" for line in body.strip().splitlines()) + HINT


COURSE = {
    "keys-output": (1, [
        check("no-error", 'kind: output\ncommand: "docker run * alpine:3.14 *"\ncontains: ok\nnot_contains: [error, denied]'),
        check("no-ok", 'kind: output\ncommand: "docker run * alpine:3.14 *"\nnot_contains: ok'),
    ]),
    "keys-image": (2, [
        check("one-of-bases", "kind: image_config\nimage: app:1\nbase: [debian:11, alpine:3.14]"),
        check("none-of-bases", "kind: image_config\nimage: app:1\nbase: [debian:11, ubuntu:20.04]"),
        check("tiny-from-scratch", "kind: image_config\nimage: tiny:1\nbase: scratch"),
        check("app-from-scratch", "kind: image_config\nimage: app:1\nbase: scratch"),
        check("copy-then-run", "kind: image_config\nimage: app:1\ninstructions: [COPY, echo built]\ninstructions_in_order: true"),
        check("note-checksum", "kind: files\nselect: {name: appc}\npath: /note.txt\nsha256: 98ea6e4f216f2fb4b69fff9b3a44842c38686ca685f3f55dc48c5d3fb1107be4"),
        check("note-other-checksum", "kind: files\nselect: {name: appc}\npath: /note.txt\nsha256: '0000000000000000000000000000000000000000000000000000000000000000'"),
        check("run-then-copy", "kind: image_config\nimage: app:1\ninstructions: [echo built, COPY]\ninstructions_in_order: true"),
    ]),
    "keys-network": (3, [
        check("addresses", "kind: networks\nnetwork: app-net\nsubnet: 172.28.0.0/16\nip_range: 172.28.5.0/24\ngateway: 172.28.5.254"),
        check("other-subnet", "kind: networks\nnetwork: app-net\nsubnet: 10.9.0.0/16"),
        check("db-by-label", "kind: networks\nnetwork: app-net\nselect: {label: {tier: db}}"),
        check("two-alpines", "kind: networks\nnetwork: app-net\nselect: {image: 'alpine:3.14', count: 2}"),
        check("not-dev", "kind: container\nselect: {name: cache}\nenv: {APP_ENV: {not: development}, DEBUG: {not: '1'}}"),
        check("not-prod", "kind: container\nselect: {name: cache}\nenv: {APP_ENV: {not: production}}"),
    ]),
}
FILES = {
    # the legacy builder's history shows a RUN as its command alone (`/bin/sh -c echo built ...`), without "RUN"
    "Dockerfile": "FROM alpine:3.14\nCOPY note.txt /note.txt\nRUN echo built > /built.txt\nCMD [\"cat\", \"/note.txt\"]\n",
    "scratch.Dockerfile": "FROM scratch\nCOPY note.txt /note.txt\n",
    "note.txt": "hi\n",
}
LINES = {
    "keys-output": ["docker run --rm alpine:3.14 echo ok"],
    "keys-image": ["docker build -t app:1 .", "docker build -t tiny:1 -f scratch.Dockerfile .", "docker create --name appc app:1"],
    "keys-network": [
        "docker network create --subnet 172.28.0.0/16 --ip-range 172.28.5.0/24 --gateway 172.28.5.254 app-net",
        "docker run -d --name cache --network app-net --label tier=db -e APP_ENV=production alpine:3.14 sleep 60",
    ],
}


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("keys")
    course, submission = tmp_path / "course", tmp_path / "submission"
    course.mkdir()
    submission.mkdir()
    for exercise_id, (order, checks) in COURSE.items():
        (course / f"{exercise_id}.yaml").write_text(HEADER.format(id=exercise_id, order=order) + "".join(checks))
    for exercise_id, lines in LINES.items():
        (submission / f"{exercise_id}.dc").write_text("\n".join(lines) + "\n")
    for name, text in FILES.items():
        (submission / name).write_text(text)
    report = runner.run(submission, exercises.load([course]), budget=runner.Budget(command=60, exercise=120, run=300))
    assert report.error is None, report.error.render("en")
    for outcome in report.exercises:
        assert all(run.exit_code == 0 for run in outcome.commands), [(run.text, run.output) for run in outcome.commands]
    return {outcome.exercise.id: failed(outcome) for outcome in report.exercises}


def test_output_that_must_not_be_there(outcomes):
    assert outcomes["keys-output"] == {
        "no-ok": "the output of line 1 (`docker run --rm alpine:3.14 echo ok`) contains 'ok', which should not be there"}


def test_bases_scratch_the_order_of_steps_and_a_files_checksum(outcomes):
    assert sorted(outcomes["keys-image"]) == ["app-from-scratch", "none-of-bases", "note-other-checksum", "run-then-copy"]
    assert outcomes["keys-image"]["note-other-checksum"] == (
        "in appc, the sha256 of /note.txt is 98ea6e4f216f2fb4b69fff9b3a44842c38686ca685f3f55dc48c5d3fb1107be4, expected 0000000000000000000000000000000000000000000000000000000000000000")
    assert outcomes["keys-image"]["app-from-scratch"].endswith("it was not built FROM scratch: its history holds steps of another image")
    assert outcomes["keys-image"]["run-then-copy"].endswith("steps 'echo built', 'COPY' are not in that order in its history (oldest to newest)")


def test_network_addresses_containers_by_label_or_image_and_env_not(outcomes):
    assert sorted(outcomes["keys-network"]) == ["not-prod", "other-subnet", "two-alpines"]
    assert outcomes["keys-network"]["two-alpines"] == (
        "network app-net differs: 1 container(s) with image=alpine:3.14 attached to it (expected: 2)")
