"""Forged evidence, graded through `run` on a real lab: points come from what the daemon did.

Each exercise below is one forgery of issue 20 and its honest counterpart: an `output` check fed
text that another image echoed, a `compose` check fed plain `docker run --label
com.docker.compose.*` containers (and an `http` check on such a "service"), and a `files` check fed a container planted in an earlier
exercise. tests/test_output_pure.py and tests/test_provenance_pure.py hold the same cases on
hand-built records.
"""

from __future__ import annotations

from checks import exercises, runner

from conftest import failed

HEADER = """\
id: {id}
lesson: forgery
order: {order}
title: {{pt-BR: {id}, en: {id}}}
description: {{pt-BR: {id}, en: {id}}}
checks:
"""
HINT = "    points: 1\n    hint: {pt-BR: x, en: x}\n"
OS_RELEASE = """\
  - name: os-release
    kind: output
    command: "docker run * ubuntu:20.04 cat /etc/os-release"
    contains: ID=ubuntu
    exit_code: 0
""" + HINT
PLANTED = """\
  - name: status-file
    kind: files
    select: {name: web}
    path: /tmp/status.txt
    contains: ok
""" + HINT
PROJECT = """\
  - name: project
    kind: compose
    project: fake
    services: {web: {}, db: {}}
""" + HINT + """\
  - name: web-answers
    kind: http
    service: web
    port: 80
""" + HINT
HTTPD = 'images: [{reference: "nginx:1.25", recipe: httpd}]\n'
COURSE = {
    "forged-output": (1, OS_RELEASE),
    "honest-output": (2, OS_RELEASE + PLANTED),
    "forged-compose": (3, PROJECT),
}
LINES = {
    "forged-output": [
        "docker run --rm alpine:3.14 echo ID=ubuntu ubuntu:20.04 cat /etc/os-release",
        "docker run --name web alpine:3.14 sh -c 'echo ok > /tmp/status.txt'",  # planted for the next exercise
    ],
    "honest-output": ["docker run --rm -i ubuntu:20.04 cat /etc/os-release"],
    "forged-compose": [
        "docker network create fnet",  # the lab publishes ports on a user-defined network
        "docker run -d --name fweb --network fnet -p 8080:80 --label com.docker.compose.project=fake"
        " --label com.docker.compose.service=fweb nginx:1.25",
        "docker run -d --name fdb --label com.docker.compose.project=fake --label com.docker.compose.service=fdb alpine:3.14 sleep 60",
    ],
}


def test_forged_output_compose_and_planted_files_earn_nothing(tmp_path):
    course = tmp_path / "course"
    course.mkdir()
    for exercise_id, (order, checks) in COURSE.items():
        header = HEADER.format(id=exercise_id, order=order)
        if exercise_id == "forged-compose":  # an image that answers HTTP, served by the lab
            header = header.replace("checks:\n", HTTPD + "checks:\n")
        (course / f"{exercise_id}.yaml").write_text(header + checks)
    submission = tmp_path / "submission"
    submission.mkdir()
    for exercise_id, lines in LINES.items():
        (submission / f"{exercise_id}.dc").write_text("\n".join(lines) + "\n")
    # the services' labels name them fweb/fdb as containers, web/db as services
    (submission / "forged-compose.dc").write_text((submission / "forged-compose.dc").read_text().replace(
        "service=fweb", "service=web").replace("service=fdb", "service=db"))
    report = runner.run(submission, exercises.load([course]), budget=runner.Budget(command=30, exercise=90, run=300))
    assert report.error is None, report.error.render("en")
    forged_output, honest, forged_compose = report.exercises
    assert [run.exit_code for run in forged_output.commands] == [0, 0]
    assert "ID=ubuntu" in forged_output.commands[0].output  # the text is there, echoed by alpine
    assert failed(forged_output) == {
        "os-release": "no line of your command file that ran is like `docker run * ubuntu:20.04 cat /etc/os-release`"}
    assert failed(honest) == {
        "status-file": "no container named web made or used in this exercise (web: left by an earlier exercise, they do not count)"}
    # The boundary refuses compose's labels on a plain `docker run` (tests/test_attacks_boundary.py);
    # the compose kind would not take such containers either (test_provenance_pure.py)
    assert [run.exit_code for run in forged_compose.commands] == [0, 125, 125]
    assert all("com.docker.compose" in run.output for run in forged_compose.commands[1:])
    assert failed(forged_compose) == {"project": "no compose project with the services web, db (projects found: none)",
                                      "web-answers": "no running container of service web"}
