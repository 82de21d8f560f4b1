#!/usr/bin/env bash
# Sets up ClinicDesk (if needed), creates the demo clinic (if needed) and launches the app on it.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$ROOT/installer/bootstrap.sh"
DATA_DIR="${CLINICDESK_HOME:-$ROOT/.demo-clinic}"
# Used only where no OS keyring exists: the demo key is then wrapped with this passphrase.
export CLINICDESK_PASSPHRASE="${CLINICDESK_PASSPHRASE:-demo clinic passphrase}"
if [[ ! -f "$DATA_DIR/clinic.db" ]]; then
  "$ROOT/.venv/bin/clinicdesk" demo --data-dir "$DATA_DIR" --no-launch
fi
if [[ -z "${DISPLAY:-}" && -z "${WAYLAND_DISPLAY:-}" && -z "${QT_QPA_PLATFORM:-}" ]]; then
  # No screen to open a window on (a server or a CI box): show the app offscreen as screenshots instead.
  OUT="$ROOT/out/screens"
  echo "No display found, so the app runs offscreen and saves a screenshot of each view in $OUT."
  QT_QPA_PLATFORM=offscreen exec "$ROOT/.venv/bin/clinicdesk" app --data-dir "$DATA_DIR" --screenshot "$OUT"
fi
exec "$ROOT/.venv/bin/clinicdesk" app --data-dir "$DATA_DIR" "$@"
