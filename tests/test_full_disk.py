"""A full disk while a result is written: the error names the file and the reason, the file that
was there keeps its content, and no half-written temporary file is left beside it. The disk is a
tmpfs of a few pages mounted for the test (root, as the rest of the suite), and /dev/full."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from checks.errors import UsageError
from checks.result_files import write_file

from conftest import ROOT


@pytest.fixture
def small_disk(tmp_path) -> Path:
    """A 64 KiB tmpfs, filled but for less than a page."""
    disk = tmp_path / "disk"
    disk.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k,mode=0755", "tmpfs", str(disk)], check=True, timeout=30)
    try:
        (disk / "report.json").write_text('{"score": 7}\n')  # the last run's result
        with open(disk / "filler", "wb", buffering=0) as filler:
            try:
                while True:
                    filler.write(b"\0" * 1024)
            except OSError:
                pass  # full
        yield disk
    finally:
        subprocess.run(["umount", str(disk)], check=True, timeout=30)


def test_a_result_that_does_not_fit_keeps_the_last_one_and_leaves_no_temporary_file(small_disk):
    with pytest.raises(UsageError) as refused:
        write_file(small_disk / "report.json", '{"score": 9, "text": "' + "x" * 200_000 + '"}\n')
    assert refused.value.render("en") == f"cannot write {small_disk / 'report.json'}: No space left on device"
    assert (small_disk / "report.json").read_text() == '{"score": 7}\n'
    assert sorted(path.name for path in small_disk.iterdir()) == ["filler", "report.json"]


def test_a_device_that_is_full_is_an_error_that_names_it():
    with pytest.raises(UsageError) as refused:
        write_file(Path("/dev/full"), "x" * 10_000)
    assert refused.value.render("en") == "cannot write /dev/full: No space left on device"


def test_the_cli_says_so_in_one_line_with_exit_code_2(small_disk, tmp_path):
    done = subprocess.run([sys.executable, "-m", "checks.cli", "--lang", "en", "requirements", "--exercises",
                           str(ROOT / "exercises"), "--output", str(small_disk / "requirements.json")],
                          capture_output=True, text=True, cwd=tmp_path, timeout=120)
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr == f"cannot write {small_disk / 'requirements.json'}: No space left on device\n"
    assert sorted(path.name for path in small_disk.iterdir()) == ["filler", "report.json"]
