"""Where a lab can run: the readiness probe, `doctor`, and `run` inside an unprivileged container."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from checks import cli, doctor
from checks.errors import EXIT_LAB
from checks.lab import readiness

ROOT = Path(__file__).resolve().parent.parent


def names(findings, ok=None):
    return [f.name for f in findings if ok is None or f.ok == ok]


def test_this_machine_can_host_a_lab():
    """The machine the tests run on has what a lab needs: every probe answers yes."""
    findings = readiness.probe()
    assert names(findings) == ["linux", "root", "programs", "namespaces", "overlay", "cgroups"]
    assert all(f.ok for f in findings), [f.message.render("en") for f in findings if not f.ok]
    assert readiness.require() == []


def test_not_linux_and_not_root_are_said_first():
    (finding,) = readiness.probe(system="darwin")
    assert not finding.ok and "the lab needs Linux" in finding.message.render("en") and "darwin" in finding.message.render("en")
    findings = readiness.probe(uid=1000)
    assert names(findings, ok=False) == ["root"]
    assert "uid 1000" in findings[-1].message.render("en") and "sudo" in findings[-1].message.render("en")


def test_a_missing_program_names_its_package(monkeypatch):
    real = readiness.which
    monkeypatch.setattr(readiness, "which", lambda name: None if name == "docker-registry" else real(name))
    findings = readiness.probe()
    (missing,) = [f for f in findings if not f.ok]
    assert missing.name == "programs" and "install the docker-registry package" in missing.message.render("en")


def test_cgroups_that_cannot_be_written_stop_the_lab(monkeypatch, tmp_path):
    (tmp_path / "pids").write_text("")  # a file where the pids hierarchy should be: mkdir under it fails
    monkeypatch.setattr(readiness, "CGROUP_ROOT", tmp_path)
    findings = readiness.probe()
    assert names(findings, ok=False) == ["cgroups"]
    with pytest.raises(Exception) as raised:
        readiness.require()
    assert raised.value.exit_code == EXIT_LAB and "no process, memory or CPU limits" in raised.value.message.render("en")


def test_no_overlay_is_a_warning_not_a_stop(monkeypatch):
    monkeypatch.setattr(readiness, "_SCRIPT", readiness._SCRIPT.replace("-t overlay overlay", "-t no-such-filesystem overlay"))
    findings = readiness.probe()
    assert names(findings, ok=False) == ["overlay"]
    (warning,) = readiness.require()
    assert "vfs driver" in warning.render("en")


def test_run_where_no_lab_can_start_exits_4_with_a_complete_document(monkeypatch, tmp_path, capsys):
    """Nothing is started: no lab folder, no scratch folder, one clear line, every format complete."""
    monkeypatch.setattr(readiness, "current_uid", lambda: 1000)
    before = set(Path("/tmp").glob("dg-run-*"))
    out = tmp_path / "out.json"
    code = cli.main(["run", str(ROOT / "examples" / "full-marks"), "--format", "json", "--output", str(out),
                     "--report", f"junit={tmp_path / 'junit.xml'}", "--lang", "en"])
    assert code == EXIT_LAB
    err = capsys.readouterr().err
    assert "the lab needs root" in err and "Traceback" not in err
    document = json.loads(out.read_text())
    assert document["status"] == "error" and "the lab needs root" in document["error"]
    assert "the lab needs root" in (tmp_path / "junit.xml").read_text()
    assert set(Path("/tmp").glob("dg-run-*")) - before == set()  # none made (another test's run may end meanwhile)


def test_doctor_on_this_machine(lab, capsys):
    code = cli.main(["doctor", "--host", lab.host, "--lang", "en"])
    out = capsys.readouterr().out.splitlines()
    assert code == 0
    assert out[0].startswith(f"check    ✔ {lab.host}: Docker ") and "(API 1." in out[0]
    assert "lab      ✔ can start a lab" in out
    assert any(line.startswith("sandbox  ✔ bubblewrap ") for line in out)
    assert "sandbox  ✔ cgroup limits: writable" in out
    assert any(line.startswith("tools    - docker: Docker version ") for line in out)
    assert any(line.startswith("tools    - docker-compose: ") for line in out)
    assert out[-1] == "`run` works on this machine"


def test_doctor_says_why_run_cannot_work(monkeypatch, capsys):
    monkeypatch.setattr(readiness, "current_uid", lambda: 1000)
    code = cli.main(["doctor", "--host", "unix:///nonexistent/docker.sock", "--lang", "pt-BR"])
    out = capsys.readouterr().out
    assert code == EXIT_LAB
    assert "check    ✘ unix:///nonexistent/docker.sock: " in out and "não responde" in out
    assert "lab      ✘ o laboratório precisa de root" in out
    assert out.splitlines()[-1].startswith("`run` não funciona nesta máquina")


def test_run_inside_an_unprivileged_container_says_so_and_exits_4(daemon):
    """As a Gradescope autograder would: a default `docker run` (no privileges, no network), with the
    project and the host's programs bind-mounted read-only. The lab must not start, must say why in
    one line, and must not hang."""
    daemon.docker("pull", "alpine:3.14")
    python = Path(sys.executable)
    script = (f"{python} -m checks run {ROOT}/examples/full-marks --lang en --format json --output /tmp/out.json 2>&1; "
              "echo exit=$?; cat /tmp/out.json; echo; echo END; "
              f"{python} -m checks doctor --lang en --host unix:///nonexistent 2>&1; echo doctor=$?")
    mounts = ["/usr:/usr:ro", "/usr/lib:/lib:ro", "/usr/lib64:/lib64:ro", f"{ROOT}:{ROOT}:ro"]
    if not Path(sys.base_prefix).is_relative_to("/usr"):  # an interpreter of its own (pyenv): it too
        mounts.append(f"{sys.base_prefix}:{sys.base_prefix}:ro")
    output = daemon.docker(
        "run", "--rm", "--network", "none", "--tmpfs", "/tmp", "--workdir", "/tmp",
        *[arg for mount in mounts for arg in ("-v", mount)], "alpine:3.14", "/bin/sh", "-c", script,
    )
    lines = output.splitlines()
    assert "exit=4" in lines, output
    document = json.loads("\n".join(lines[lines.index("exit=4") + 1 : lines.index("END")]))
    assert document["status"] == "error" and document["max_score"] == 17
    assert "does not allow creating namespaces or mounting a tmpfs" in document["error"]
    assert "inside an unprivileged container" in document["error"]
    assert "lab      ✘ this machine does not allow creating namespaces" in output
    assert "sandbox  ✘ bubblewrap cannot create the sandbox's namespaces" in output
    assert "doctor=4" in lines
