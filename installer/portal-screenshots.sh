#!/usr/bin/env bash
# Phone-size screenshots of the patient portal (390x844 at 2x, as a mid-range Android phone shows it): builds the
# demo clinic, syncs it into a local HQ with the portal on, signs in with headless Chromium and saves one PNG per
# page (sign-in in English, Hindi and Malayalam; home, appointments, booking, records, progress) in out/portal/.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
bash installer/bootstrap.sh --test  # Debian's chromium; Playwright drives it and never downloads a browser
export CLINICDESK_PORTAL_SCREENSHOTS="${1:-$ROOT/out/portal}"
.venv/bin/python -m pytest -q -s \
  tests/portal_e2e/test_phone_screenshots_and_weight.py
echo "Screenshots in $CLINICDESK_PORTAL_SCREENSHOTS"
