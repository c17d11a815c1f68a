"""Runs a Python program (a script, or -m module) and, as it exits, writes its peak resident memory
(VmHWM, in KiB) to the file named by DG_PEAK_FILE.

A parent's wait4() cannot say it: Linux carries the forking parent's peak over to the child, so a
child of a large process would seem at least as large. VmHWM belongs to the program's own memory map,
which exec starts afresh.
"""

import atexit
import os
import runpy
import sys


def _write_peak() -> None:
    with open("/proc/self/status") as status:
        peak = next(line.split()[1] for line in status if line.startswith("VmHWM:"))
    with open(os.environ["DG_PEAK_FILE"], "w") as out:
        out.write(peak)


atexit.register(_write_peak)
if sys.argv[1] == "-m":
    sys.argv = sys.argv[2:]
    runpy.run_module(sys.argv[0], run_name="__main__", alter_sys=True)
else:
    sys.argv = sys.argv[1:]
    sys.path.insert(0, os.path.dirname(os.path.abspath(sys.argv[0])))
    runpy.run_path(sys.argv[0], run_name="__main__")
