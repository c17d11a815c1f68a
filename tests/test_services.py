"""Exercises with services of their own (compose: file, wait), brought up with pytest-docker.

The same exercise (lessons/compose/compose-app.yaml) under `docker-grader check`, `pytest
exercises` and, in test_compose_lesson.py, `docker-grader run`; after each, nothing of its
project is left: no container, network or volume, also when a check fails, when `up` fails and
when the grading is interrupted.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time

import pytest

from checks import cli, exercises, probe, services
from checks.lab import REGISTRY, netns
from checks.lab import images as lab_images

from conftest import ROOT

PROJECT = "dg-compose-app"
PAGE = "<html><body><h1>Loja do Curso</h1></body></html>\n"


@pytest.fixture(scope="module")
def images(lab):
    """The lesson's stand-ins, pushed to the tests' lab registry (it starts without them)."""
    built = [lab_images.build("nginx:1.25", "httpd"), lab_images.build("redis:7", "busybox", ("sleep", "600"))]
    netns.run_in(lab.netns, lambda: [lab_images.push(image, f"http://{REGISTRY}") for image in built])


@pytest.fixture
def course(daemon, images, tmp_path, monkeypatch):
    """A student's folder with the lesson's compose-app exercise and the course's services file."""
    shutil.copytree(ROOT / "lessons" / "compose-services", tmp_path / "lessons" / "compose-services")
    (tmp_path / "lessons" / "compose").mkdir()
    shutil.copy(ROOT / "lessons" / "compose" / "compose-app.yaml", tmp_path / "lessons" / "compose")
    (tmp_path / "Dockerfile").write_text("FROM nginx:1.25\nCOPY index.html /var/www/index.html\n")
    (tmp_path / "index.html").write_text(PAGE)
    monkeypatch.chdir(tmp_path)
    yield tmp_path
    assert leftovers(daemon) == ([], [], [])


def leftovers(daemon):
    label = {"label": f"com.docker.compose.project={PROJECT}"}
    return (daemon.api.containers(all=True, filters=label),
            [n["Name"] for n in daemon.api.networks() if n["Name"].startswith(PROJECT)],
            [v["Name"] for v in daemon.api.volumes(filters=label)["Volumes"] or []])


def check(lab, capsys, *extra) -> tuple[int, str]:
    code = cli.main(["check", "--host", lab.host, "--exercises", "lessons/compose", "--lang", "en", *extra])
    return code, capsys.readouterr().out


def test_check_brings_the_services_up_grades_and_takes_them_down(course, lab, capsys, daemon):
    code, out = check(lab, capsys)
    assert code == 0, out
    assert "Total: 3/3 points" in out


def test_a_failed_check_still_takes_them_down(course, lab, capsys):
    (course / "index.html").write_text("<html>something else</html>\n")
    code, out = check(lab, capsys)
    assert code == 1
    assert "does not contain 'Loja do Curso'" in out and "Total: 1/3 points" in out


def test_up_failing_half_way_is_the_exercises_error_and_leaves_nothing(course, lab, capsys):
    (course / "Dockerfile").write_text("FROM nginx:1.25\nCOPY missing.html /var/www/index.html\n")
    code, out = check(lab, capsys)
    assert code == 1 and "Total: 0/3 points" in out
    assert "the exercise's services (app.yml) did not come up: docker-compose exited with 1: " in out
    assert "missing.html" in out


def test_up_failing_after_some_containers_started_takes_those_down(course, lab, capsys, daemon):
    """db starts, then app cannot publish a port that another container holds: db and the network go too."""
    # A port held from a network of one's own (the default bridge would do as well).
    daemon.docker("network", "create", "holder")
    holder = daemon.docker("run", "-d", "--network", "holder", "-p", "8095:80", "alpine:3.14", "sleep", "600").strip()
    app = course / "lessons" / "compose-services" / "app.yml"
    app.write_text(app.read_text().replace('      - "80"', '      - "8095:80"'))
    code, out = check(lab, capsys)
    assert code == 1 and "did not come up: docker-compose exited with 1" in out
    daemon.api.remove_container(holder, force=True)
    daemon.docker("network", "rm", "holder")


def test_a_port_that_never_answers_is_waited_for_then_reported(course, lab, daemon):
    exercise = exercises.load([course / "lessons" / "compose"])[0]
    mute = course / "mute.yml"
    mute.write_text('services:\n  app:\n    image: redis:7\n    ports: ["80"]\n')
    exercise = type(exercise)(**{**exercise.__dict__, "compose": {"file": str(mute), "wait": [{"service": "app", "port": 80, "timeout": 2}]}})
    prober = probe.for_host(lab.host)
    with pytest.raises(services.ServicesError) as raised:
        with services.running(exercise, services.daemon_command(lab.host), prober):
            pass
    assert raised.value.render("en").startswith("service app did not answer within 2 s; last try: GET http://127.0.0.1:")
    assert 2 <= len(prober.sent) <= 5  # one request per try, 0.5 s apart, for 2 s


def test_check_interrupted_while_waiting_leaves_nothing(course, lab, daemon):
    """Ctrl-C during `docker-grader check`, once the services run: they are taken down before it exits."""
    _never_answering(course)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen([sys.executable, "-m", "checks", "check", "--host", lab.host, "--exercises", "lessons/compose"],
                               cwd=course, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _interrupt_once_running(daemon, process)


def test_pytest_exercises_brings_them_up_and_down(course, lab, pytester, monkeypatch):
    monkeypatch.setenv("PYTHONPATH", str(ROOT))
    for name in ("lessons", "Dockerfile", "index.html"):
        source = course / name
        (shutil.copytree if source.is_dir() else shutil.copy)(source, pytester.path / name)
    pytester.makeini("[pytest]\ngrader_exercises = lessons/compose\n")
    pytester.makeconftest('pytest_plugins = ["checks.pytest_plugin"]')
    result = pytester.runpytest("lessons/compose", "--docker-host", lab.host, "--grader-lang", "en", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=2)
    (pytester.path / "index.html").write_text("nothing here\n")
    result = pytester.runpytest("lessons/compose", "--docker-host", lab.host, "--grader-lang", "en", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(["*does not contain 'Loja do Curso'*", "Total: 1/3 points"])


def test_pytest_dockers_own_fixtures_use_docker_compose_1_29_on_the_graded_daemon(course, lab, pytester, monkeypatch):
    """An instructor's plain test with pytest-docker's docker_services: the plugin's overrides bring it up in the lab."""
    monkeypatch.setenv("PYTHONPATH", str(ROOT))
    (pytester.path / "app.yml").write_text('services:\n  app:\n    image: nginx:1.25\n    ports: ["80"]\n')
    pytester.makeconftest('pytest_plugins = ["checks.pytest_plugin"]')
    pytester.makepyfile(test_own=f'''
        import pytest
        from checks import probe

        @pytest.fixture(scope="session")
        def docker_compose_file(pytestconfig):
            return str(pytestconfig.rootpath / "app.yml")

        @pytest.fixture(scope="session")
        def docker_compose_project_name():
            return "{PROJECT}"

        def test_app_answers(docker_compose_command, docker_services):
            assert docker_compose_command.split()[-3:-2] == ["docker-compose"]
            port = docker_services.port_for("app", 80)
            prober = probe.for_host("{lab.host}")
            docker_services.wait_until_responsive(lambda: prober.probe(port, "/", 1).status == 200, timeout=30, pause=0.5)
    ''')
    result = pytester.runpytest("test_own.py", "--docker-host", lab.host, "-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)


def _never_answering(course):
    """The course's services, waiting on a port nothing listens on: grading stays in the wait."""
    app = course / "lessons" / "compose-services" / "app.yml"
    app.write_text(app.read_text().replace('      - "80"', '      - "81"'))
    exercise = course / "lessons" / "compose" / "compose-app.yaml"
    exercise.write_text(exercise.read_text().replace("port: 80, timeout: 60", "port: 81, timeout: 120"))


def _interrupt_once_running(daemon, process) -> None:
    try:
        for _ in range(600):
            if daemon.api.containers(filters={"label": f"com.docker.compose.project={PROJECT}", "status": "running"}):
                break
            time.sleep(0.1)
        else:
            raise AssertionError("the services never came up: " + process.stderr.read().decode()[-2000:])
        process.send_signal(signal.SIGINT)
        process.wait(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode != 0


def test_pytest_exercises_interrupted_while_waiting_leaves_nothing(course, lab, daemon):
    _never_answering(course)
    (course / "pytest.ini").write_text("[pytest]\ngrader_exercises = lessons/compose\n")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen([sys.executable, "-m", "pytest", "-p", "checks.pytest_plugin", "lessons/compose", "--docker-host", lab.host,
                                "-p", "no:cacheprovider"], cwd=course, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _interrupt_once_running(daemon, process)


def test_run_takes_the_services_down_before_the_next_exercise(course, lab, daemon):
    """`run` in a lab it is given (so the lab outlives it): the exercise's project is gone after it, pass or fail."""
    from checks import runner

    submission = course / "submission"
    submission.mkdir()
    for name in ("Dockerfile", "index.html"):
        shutil.copy(course / name, submission / name)
    (submission / "compose-app.dc").write_text("docker build -t loja .\n")
    chosen = exercises.load([course / "lessons" / "compose"])
    report = runner.run(submission, chosen, lab=lab)
    seen = [(c.check.name, c.result.found.render("en")) for o in report.exercises for c in o.checks] + [
        (o.error.render("en") if o.error else None, [(r.text, r.exit_code, r.output[-300:]) for r in o.commands]) for o in report.exercises]
    assert (report.score, report.error) == (3, None), seen
    assert leftovers(daemon) == ([], [], [])
    (submission / "index.html").write_text("nothing\n")
    assert runner.run(submission, chosen, lab=lab).score == 1


def test_run_reports_services_that_did_not_come_up_as_the_exercises_error(course, lab, daemon):
    from checks import runner

    submission = course / "submission"
    submission.mkdir()
    (submission / "Dockerfile").write_text("FROM nginx:1.25\nCOPY missing.html /var/www/index.html\n")
    (submission / "compose-app.dc").write_text("docker images\n")
    report = runner.run(submission, exercises.load([course / "lessons" / "compose"]), lab=lab)
    outcome = report.exercises[0]
    assert outcome.score == 0 and outcome.commands[0].exit_code == 0
    assert outcome.error.render("en").startswith("the exercise's services (app.yml) did not come up: docker-compose exited with 1: ")
