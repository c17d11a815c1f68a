"""Verdicts that were guesses (issue 22), graded through `run` on a real lab: each case here
passed or failed wrongly before its fix. The pure halves are in tests/test_kinds_pure.py and
tests/test_health_pure.py."""

from __future__ import annotations

import re

import pytest

from checks import exercises, runner

from conftest import failed

HEADER = """\
id: {id}
lesson: verdicts
order: {order}
title: {{pt-BR: {id}, en: {id}}}
description: {{pt-BR: {id}, en: {id}}}
checks:
"""
HINT = "    points: 1\n    hint: {pt-BR: x, en: x}\n"
COURSE = {
    "tag-is-no-pull": (1, """\
  - name: slim-pulled
    kind: image
    image: debian:stable-slim
    pulled: true
""" + HINT + """\
  - name: eleven-pulled
    kind: image
    image: debian:11
    pulled: true
""" + HINT),
    "healthy": (2, """\
  - name: web-healthy
    kind: container
    select: {name: web}
    health: healthy
""" + HINT),
    "own-steps": (3, """\
  - name: copies
    kind: image_config
    image: app:1
    instructions: [COPY]
""" + HINT + """\
  - name: its-cmd
    kind: image_config
    image: app:1
    instructions: ["CMD [\\"sleep\\""]
""" + HINT),
    "no-depends": (4, """\
  - name: web-after-db
    kind: compose
    project: nodeps
    services: {web: {depends_on: [db]}, db: {}}
""" + HINT),
}
FILES = {
    # no depends_on: db is only started first, by hand
    "docker-compose.yml": "services:\n  web: {image: alpine:3.14, command: [sleep, '60']}\n"
                          "  db: {image: alpine:3.14, command: [sleep, '60']}\n",
    "base.Dockerfile": "FROM alpine:3.14\nCOPY note.txt /note.txt\n",
    "app.Dockerfile": 'FROM base:1\nCMD ["sleep", "1"]\n',  # the course's starter, left unchanged: it copies nothing
    "note.txt": "hi\n",
}
LINES = {
    "tag-is-no-pull": ["docker pull debian:11", "docker tag debian:11 debian:stable-slim"],
    # the first check runs 2 s after the start: graded at once, the container is still `starting`
    "healthy": ["docker run -d --name web --health-cmd true --health-interval 2s alpine:3.14 sleep 120"],
    "own-steps": ["docker build -t base:1 -f base.Dockerfile .", "docker build -t app:1 -f app.Dockerfile ."],
    "no-depends": ["docker-compose -p nodeps up -d db", "docker-compose -p nodeps up -d web"],
}


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory):
    """The course graded once through `run`, by exercise id."""
    tmp_path = tmp_path_factory.mktemp("verdicts")
    course = tmp_path / "course"
    course.mkdir()
    for exercise_id, (order, checks) in COURSE.items():
        (course / f"{exercise_id}.yaml").write_text(HEADER.format(id=exercise_id, order=order) + checks)
    submission = tmp_path / "submission"
    submission.mkdir()
    for exercise_id, lines in LINES.items():
        (submission / f"{exercise_id}.dc").write_text("\n".join(lines) + "\n")
    for name, text in FILES.items():
        (submission / name).write_text(text)
    report = runner.run(submission, exercises.load([course]), budget=runner.Budget(command=30, exercise=90, run=300))
    assert report.error is None, report.error.render("en")
    return {outcome.exercise.id: outcome for outcome in report.exercises}


def test_a_tag_is_no_pull_and_health_starting_is_waited_for(outcomes):
    assert [run.exit_code for run in outcomes["tag-is-no-pull"].commands] == [0, 0]
    found = failed(outcomes["tag-is-no-pull"])
    assert list(found) == ["slim-pulled"]  # debian:11 was pulled
    assert re.fullmatch(r"image debian:stable-slim \(ID [0-9a-f]{12}\) was made by `docker tag` \(tag debian:stable-slim\), "
                        r"not pulled: the daemon saw no pull of debian:stable-slim", found["slim-pulled"])
    assert failed(outcomes["healthy"]) == {}


def test_instructions_are_the_images_own_steps(outcomes):
    assert [run.exit_code for run in outcomes["own-steps"].commands] == [0, 0]
    assert failed(outcomes["own-steps"]) == {
        "copies": "image app:1 (ID " + outcomes["own-steps"].checks[1].result.found.render("en").split("(ID ")[1][:12]
        + ") differs: no step of its history was created by an instruction with 'COPY'"}


def test_depends_on_under_compose_1_is_the_projects_file_not_start_order(outcomes):
    assert [run.exit_code for run in outcomes["no-depends"].commands] == [0, 0]
    assert failed(outcomes["no-depends"]) == {
        "web-after-db": "project nodeps: service web does not depend on db (neither compose's label nor the project's file declares it)"}
