#!/usr/bin/env bash
# The main job on a fresh machine: sets up, then grades the full-marks example submission in a
# fresh offline lab and prints the score table.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --runtime
exec .venv/bin/docker-grader run examples/full-marks "$@"
