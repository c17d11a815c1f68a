"""What runs killed by SIGKILL left behind, found by what the grader recorded, and removed: `lab down --all`.

A run (``docker-grader run``) makes a scratch folder ``dg-run-*`` in the temporary folder (in a
batch, under ``dg-batch-*/N/``) with its lab (``lab/``, locked through ``lab.lock`` while it is
made or removed) and its sandbox (``sandbox/``, a tmpfs and a cgroup). Killed by SIGKILL, it
leaves all of them: the lab's daemons and containers, mounts, cgroups and folders.

A run's folder counts as left behind only on the grader's own records, never on a name alone:
its lab.json names the process that started the lab (pid and start time), and that process has
ended; or its lab's lock is free and no lab.json is there (killed while making or removing it).
A folder of a run still going is never touched. Everything of a left-behind run is then found
from its folder: the lab's cgroups and data-root by the lab's tag, the sandbox's by its own.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from checks.lab import Lab, labs, processes
from checks.sandbox import Sandbox


def left_behind(folder: Path) -> bool:
    """Whether the run whose scratch folder this is has ended without cleaning up."""
    lab = Lab("leftover", folder / "lab")
    state = lab.read_state()
    if state:
        return bool(state.get("owner")) and not processes.alive(state["owner"])
    if not lab.lock_file.exists():
        return False  # a run that has not begun making its lab looks the same as one killed before: left alone
    return not lab.locked()


def runs(temporary: Path) -> list[Path]:
    """The scratch folders of runs, in ``temporary`` and in batches' folders there."""
    return sorted(path for pattern in ("dg-run-*", "dg-batch-*/*/dg-run-*") for path in temporary.glob(pattern) if path.is_dir())


def remove_run(folder: Path) -> None:
    """The sandbox first (no command runs on), then the lab, then the folder."""
    Sandbox(folder / "sandbox", folder / "api" / "docker.sock").close()
    Lab("leftover", folder / "lab").down()
    shutil.rmtree(folder, ignore_errors=True)


def remove_all() -> tuple[int, int]:
    """Every lab in the labs' folder, and every run's folder left behind. Returns (labs, runs) removed."""
    removed_labs = sum(lab.down() for lab in labs())
    left = [folder for folder in runs(Path(tempfile.gettempdir())) if left_behind(folder)]
    for folder in left:
        remove_run(folder)
    return removed_labs, len(left)
