"""What a `run` costs, counted (never timed): its requests to the lab, the modules it imports, what it leaves."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from checks import exercises, runner
from checks.lab.control import LabDaemon

from conftest import EXERCISES, ROOT
from test_lab import leftovers

COUNTED_RUN = """
import json, subprocess, sys
from pathlib import Path
from checks import daemon, exercises, runner
from checks.lab import readiness
paths, started, probes = [], [], []
probe = readiness.probe
readiness.probe = lambda *a, **k: probes.append(1) or probe(*a, **k)
get = daemon.DaemonClient._get
daemon.DaemonClient._get = lambda self, path, *rest, **kw: paths.append(path) or get(self, path, *rest, **kw)
popen = subprocess.Popen
class Counted(popen):
    def __init__(self, args, *rest, **kwargs):
        started.append(args if isinstance(args, str) else " ".join(map(str, args)))
        super().__init__(args, *rest, **kwargs)
subprocess.Popen = Counted
report = runner.run(Path(sys.argv[1]), exercises.load([Path(sys.argv[2])]))
print(json.dumps({"score": report.score, "max": report.max_score, "docker_py": "docker" in sys.modules,
                  "version": sum(path in ("/_ping", "/version") for path in paths),
                  "sandboxes": sum(" bwrap " in args for args in started), "probes": len(probes)}))
"""


def test_a_run_negotiates_the_api_version_once_starts_one_sandbox_and_never_imports_docker_py(tmp_path):
    """Of the full-marks example's 15 lines: one bubblewrap sandbox for all of them (checks.launcher);
    the machine probed once for what a lab needs, before the sandbox (not again by the lab)."""
    done = subprocess.run([sys.executable, "-c", COUNTED_RUN, str(ROOT / "examples" / "full-marks"), str(EXERCISES)],
                          capture_output=True, text=True, timeout=300, cwd=tmp_path, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert done.returncode == 0, done.stderr
    counted = json.loads(done.stdout)
    assert counted == {"score": counted["max"], "max": counted["max"], "docker_py": False, "version": 1, "sandboxes": 1, "probes": 1}


def lab_requests(folder, monkeypatch) -> list[str]:
    """The lab's own requests (starting states, killing what is left running) during a run of ``folder``."""
    sent: list[str] = []
    labs: list = []
    with monkeypatch.context() as patch:
        call, up = LabDaemon.call, runner.Lab.up
        patch.setattr(LabDaemon, "call", lambda self, method, path, *a, **k: sent.append(f"{method} {path.split('/')[-1]}") or call(self, method, path, *a, **k))
        patch.setattr(runner.Lab, "up", lambda self, *a, **k: labs.append(self) or up(self, *a, **k))
        report = runner.run(folder, exercises.load([EXERCISES]))
    assert report.error is None
    assert leftovers(labs[0]) == []
    return sent


def test_containers_left_running_by_the_last_exercise_cost_no_request(tmp_path, monkeypatch):
    """The run's lab is killed whole at the end: what the last exercise left running is not stopped first."""
    last = exercises.load([EXERCISES])[-1].id
    quiet, busy = tmp_path / "quiet", tmp_path / "busy"
    for folder, line in ((quiet, "docker run alpine:3.14 true"), (busy, "docker run -d --restart always alpine:3.14 sleep 600")):
        folder.mkdir()
        (folder / last).write_text(f"docker pull alpine:3.14\n{line}\n")
    assert lab_requests(busy, monkeypatch) == lab_requests(quiet, monkeypatch)
