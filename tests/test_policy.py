"""Which command lines a submission may hold: pure rules, no daemon.

The line policy is only a friendly first look; what a line may do is held by the
sandbox and the boundary (tests/test_sandbox.py), so most lines go on to them.
"""

from __future__ import annotations

import pytest

from checks import submission


@pytest.mark.parametrize("line", [
    "docker run hello-world",
    "docker pull alpine:3.14",
    "docker ps -a",
    "docker rm -f 5751a5cd20a6",
    "docker rmi e04c818066af",
    'docker run alpine:3.14 sh -c "echo a; echo b | cat"',
    "docker run -v data:/data alpine:3.14 ls /data",
    "docker compose up -d",
    "docker --log-level debug images",
    "docker-compose up -d",
    "docker run alpine:3.14 sh -c 'echo $HOME; ls $(pwd)'",  # single quotes: no shell would expand these
    # left to the sandbox and the boundary, which refuse or contain them
    "docker cp c:/etc/passwd /etc/passwd",
    "docker context use default",
    "docker run --privileged alpine:3.14",
    "docker run -v /:/host alpine:3.14",
    "docker run --network host alpine:3.14",
    "docker build -t app .",
    "docker image save -o alpine.tar alpine:3.14",
])
def test_accepted(line):
    argv, reason = submission.parse_line(line)
    assert reason is None and argv[0] in ("docker", "docker-compose")


@pytest.mark.parametrize("line, key", [
    ("docker ps -a; docker images", "policy.shell"),
    ("docker ps -aq | xargs docker rm", "policy.shell"),
    ("docker ps && docker images", "policy.shell"),
    ("docker rm -f $(docker ps -aq)", "policy.shell"),
    ("docker rm -f `docker ps -aq`", "policy.shell"),
    ("docker images > out.txt", "policy.shell"),
    ("docker run $IMAGE", "policy.shell"),
    ('docker run alpine:3.14 sh -c "echo $HOME"', "policy.shell"),
    ("docker run alpine:3.14 sh -c 'echo' $HOME", "policy.shell"),
    ("rm -rf /", "policy.program"),
    ("sudo docker ps", "policy.program"),
    ("docker -H tcp://10.0.0.1:2375 ps", "policy.flag"),
    ("docker --host=unix:///var/run/docker.sock ps", "policy.flag"),
    ("docker --context prod ps", "policy.flag"),
    ("docker --config /tmp ps", "policy.flag"),
    ("docker -Hunix:///other.sock ps", "policy.flag"),
    ("docker -cprod ps", "policy.flag"),
    ("docker-compose -H unix:///other.sock up", "policy.flag"),
    ('docker run "unclosed', "policy.quoting"),
])
def test_refused(line, key):
    _, reason = submission.parse_line(line)
    assert reason is not None and reason.key == key


def test_files_binary_long_and_without_final_newline(tmp_path):
    (tmp_path / "binary").write_bytes(b"docker ps\0\n")
    assert submission.read_file(tmp_path / "binary").refused[0].refused.key == "policy.binary"
    (tmp_path / "long").write_text("docker ps\n" * 10_000)
    read = submission.read_file(tmp_path / "long")
    assert read.refused[0].refused.key == "policy.too_many"
    (tmp_path / "plain").write_text("# a comment\n\ndocker ps -a\ndocker images")
    read = submission.read_file(tmp_path / "plain")
    assert [c.line for c in read.commands] == [3, 4] and not read.refused


def test_a_file_named_after_no_exercise_is_a_usage_error(tmp_path):
    from checks import exercises
    from checks.errors import UsageError

    from conftest import EXERCISES

    (tmp_path / "pull-alpne.dc").write_text("docker pull alpine:3.14\n")
    with pytest.raises(UsageError) as raised:
        submission.command_files(tmp_path, exercises.load([EXERCISES]))
    assert "pull-alpine" in raised.value.render("en")
