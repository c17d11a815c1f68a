#!/usr/bin/env bash
# Sets up a fresh machine (scripts/setup.sh) and runs the project's tests against a real
# Docker daemon that the tests start and stop themselves.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/python -m pytest tests -p no:cacheprovider "$@"
