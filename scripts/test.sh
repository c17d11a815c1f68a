#!/usr/bin/env bash
# Sets up a fresh machine (scripts/setup.sh) and runs the project's tests against a real
# Docker daemon that the tests start and stop themselves.
# `--fast`: only the fast tests of tests/fast.txt (no daemon, no root, no setup; seconds).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${1:-}" = --fast ]; then
  shift
  [ -x .venv/bin/python ] || bash scripts/setup.sh
  exec .venv/bin/python -m pytest tests -m fast -p no:cacheprovider "$@"
fi
bash scripts/setup.sh
exec .venv/bin/python -m pytest tests -p no:cacheprovider "$@"
