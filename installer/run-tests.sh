#!/usr/bin/env bash
# Sets up ClinicDesk (if needed) and runs the whole test suite: lint, layering contracts, then pytest offscreen.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
bash installer/bootstrap.sh --test
export QT_QPA_PLATFORM=offscreen
echo "== ruff"; .venv/bin/ruff check clinicdesk tests migrations migrations_server
echo "== import-linter"; .venv/bin/lint-imports --no-cache
echo "== pytest"; .venv/bin/python -m pytest -n 2 --dist loadgroup "$@"
