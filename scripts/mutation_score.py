"""Reads `mutmut results --all true` on stdin; prints the survivors and the score per file.

A mutant's name is ``module.function__mutmut_N``; its file is the module. A mutant "not checked"
(the run was stopped first) is counted apart, outside the score. Every other status but "killed"
(survived, no tests, timeout...) counts against it: an equivalent mutant too, which docs/testing.md
names with the reason. The target is TARGET percent over every module of checks/kinds and the
boundary's rules together; exit code 1 below it, or when a mutant there was not checked.
"""

from __future__ import annotations

import re
import sys
from collections import Counter

TARGET = 95.0
TARGET_MODULES = ("checks.kinds", "checks.boundary.rules")  # a module named so, or inside one
LINE = re.compile(r"^\s*(?P<name>checks\.\S+?)__mutmut_\d+: (?P<status>.+)$")


def module_of(name: str) -> str:
    parts = name.split(".")
    while parts and not parts[-1].startswith(("x_", "xǁ")):
        parts.pop()  # never empty for a mutmut name: the last part is the mutated function
    return ".".join(parts[:-1])


def in_target(module: str) -> bool:
    return any(module == name or module.startswith(name + ".") for name in TARGET_MODULES)


def main() -> int:
    killed: Counter[str] = Counter()
    total: Counter[str] = Counter()
    unchecked: Counter[str] = Counter()  # a run stopped before it reached them: not in the score
    survivors = []
    for line in sys.stdin:
        match = LINE.match(line)
        if not match:
            continue
        module = module_of(match["name"])
        if match["status"] == "not checked":
            unchecked[module] += 1
            continue
        total[module] += 1
        if match["status"] == "killed":
            killed[module] += 1
        else:
            survivors.append(line.strip())
    if not total:
        print("no mutant results: did `mutmut run` fail?", file=sys.stderr)
        return 2
    for line in survivors:
        print(line)
    print()
    for module in sorted(total | unchecked):
        score = f" ({100 * killed[module] / total[module]:.1f}%)" if total[module] else ""
        left = f", {unchecked[module]} not checked" if unchecked[module] else ""
        print(f"{module:28} {killed[module]:4}/{total[module]:<4} killed{score}{left}")
    all_killed, all_total = sum(killed.values()), sum(total.values())
    left = f", {sum(unchecked.values())} not checked" if unchecked else ""
    print(f"{'all':28} {all_killed:4}/{all_total:<4} killed ({100 * all_killed / all_total:.1f}%){left}")
    aimed = [module for module in total | unchecked if in_target(module)]
    aimed_killed, aimed_total = sum(killed[m] for m in aimed), sum(total[m] for m in aimed)
    aimed_left = sum(unchecked[m] for m in aimed)
    score = 100 * aimed_killed / aimed_total if aimed_total else 0.0
    left = f", {aimed_left} not checked" if aimed_left else ""
    print(f"{'kinds and rules':28} {aimed_killed:4}/{aimed_total:<4} killed ({score:.1f}%, target {TARGET:g}%){left}")
    return 1 if score < TARGET or aimed_left else 0

if __name__ == "__main__":
    sys.exit(main())
