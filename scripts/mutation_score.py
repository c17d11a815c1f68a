"""Reads `mutmut results --all true` on stdin; prints the survivors and the score per file.

A mutant's name is ``module.function__mutmut_N``; its file is the module. A mutant "not checked"
(the run was stopped first) is counted apart, outside the score. Exit code 1 when a mutant of
checks/kinds survived, the one part where every mutant must be killed.
"""

from __future__ import annotations

import re
import sys
from collections import Counter

LINE = re.compile(r"^\s*(?P<name>checks\.\S+?)__mutmut_\d+: (?P<status>.+)$")


def module_of(name: str) -> str:
    parts = name.split(".")
    while parts and not parts[-1].startswith(("x_", "xǁ")):
        parts.pop()  # never empty for a mutmut name: the last part is the mutated function
    return ".".join(parts[:-1])


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
    kinds_left = sum(total[m] - killed[m] for m in total if m.startswith("checks.kinds."))
    return 1 if kinds_left else 0


if __name__ == "__main__":
    sys.exit(main())
