#!/usr/bin/env bash
# Mutation testing with mutmut: mutates the grading logic (every module of checks/kinds,
# checks/refs.py, checks/snapshot.py, checks/report/rows.py) and the API boundary's rules
# (checks/boundary/rules.py), and runs the fast tests (tests/fast.txt, `pytest -m fast`) against
# each mutant. They need no daemon, so this needs no root. Settings: [mutmut] in setup.cfg.
# Prints the surviving mutants and the score, per file, in all and over the target (the kinds
# and the rules: exit 1 below 95%); docs/testing.md has the latest figures. `mutmut show NAME` shows one mutant's diff afterwards.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x .venv/bin/python ] || bash scripts/setup.sh
[ -x .venv/bin/mutmut ] || .venv/bin/python -m pip install -q --disable-pip-version-check "mutmut>=3.8,<4"
rm -rf mutants  # a fresh run: mutmut would otherwise keep the verdicts of unchanged functions
log=$(mktemp)
trap 'rm -f "$log"' EXIT
if ! .venv/bin/mutmut run --max-children "${JOBS:-2}" >"$log" 2>&1; then
  tail -c 4000 "$log" >&2  # mutmut's progress line is long: its end says what went wrong
  exit 2
fi
.venv/bin/mutmut results --all true | .venv/bin/python scripts/mutation_score.py
