#!/usr/bin/env bash
# Sets up a fresh machine (scripts/setup.sh), then compares docker-grader with raw HTTP, docker-py (sparse,
# filtered, naive) and testinfra (--format, naive) on daemons of 0, 100, 1,000 and 5,000 containers, and in a
# state matrix; writes docs/bench/compare.{md,json,png}.
# Options go to bench/compare.py, e.g. --sizes 0 100 --runs 1.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/python bench/compare.py "$@"
