#!/usr/bin/env bash
# Sets up ClinicDesk (if needed), creates the demo clinic (if needed) and launches the app on it.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$ROOT/installer/bootstrap.sh"
DATA_DIR="${CLINICDESK_HOME:-$ROOT/.demo-clinic}"
if [[ ! -f "$DATA_DIR/clinic.db" ]]; then
  "$ROOT/.venv/bin/clinicdesk" demo --data-dir "$DATA_DIR" --no-launch
fi
exec "$ROOT/.venv/bin/clinicdesk" app --data-dir "$DATA_DIR" "$@"
