#!/usr/bin/env bash
# Builds the Linux bundle dist/ClinicDesk/ with PyInstaller and packs it as dist/ClinicDesk-<version>-linux-x86_64.tar.gz.
#
# Usage: installer/build-linux.sh [--clean-venv]
#   --clean-venv    build in a fresh virtual environment (build/venv) instead of the project's .venv
# Environment: CLINICDESK_DIST (default dist), CLINICDESK_WORK (default build/pyinstaller),
#              CLINICDESK_FONTS_DIR (Noto fonts to bundle; default the fonts-noto-core folder),
#              CLINICDESK_NO_ARCHIVE=1 to leave out the tar.gz.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
DIST="${CLINICDESK_DIST:-$ROOT/dist}"
WORK="${CLINICDESK_WORK:-$ROOT/build/pyinstaller}"
started=$(date +%s)

if [[ "${1:-}" == "--clean-venv" ]]; then
  VENV="$ROOT/build/venv"
  rm -rf "$VENV"
  python3.11 -m venv "$VENV"
  "$VENV/bin/python" -m pip install -q --upgrade pip
  "$VENV/bin/python" -m pip install -q ".[bundle]"
else
  VENV="$ROOT/.venv"
  [[ -x "$VENV/bin/python" ]] || bash installer/bootstrap.sh
  "$VENV/bin/python" -c "import PyInstaller" 2>/dev/null \
    || "$VENV/bin/python" -m pip install -q pyinstaller pyinstaller-hooks-contrib
fi
# The bundle needs PortAudio for the microphone; Linux wheels of sounddevice do not carry it.
[[ -e /usr/lib/x86_64-linux-gnu/libportaudio.so.2 ]] || echo "WARNING: libportaudio2 is not installed; the" \
  "bundle will have no microphone support (sudo apt install libportaudio2)." >&2

"$VENV/bin/python" -m PyInstaller --noconfirm --clean --log-level WARN \
  --distpath "$DIST" --workpath "$WORK" installer/clinicdesk.spec

built=$(date +%s)
echo "Bundle:  $DIST/ClinicDesk ($(du -sm "$DIST/ClinicDesk" | cut -f1) MB, built in $((built - started)) s)"
if [[ -z "${CLINICDESK_NO_ARCHIVE:-}" ]]; then  # the smoke test skips the archive: it runs the folder itself
  VERSION="$("$VENV/bin/python" -c 'import clinicdesk; print(clinicdesk.__version__)')"
  ARCHIVE="$DIST/ClinicDesk-$VERSION-linux-$(uname -m).tar.gz"
  tar -C "$DIST" -czf "$ARCHIVE" ClinicDesk
  echo "Archive: $ARCHIVE ($(du -sm "$ARCHIVE" | cut -f1) MB)"
fi
finished=$(date +%s)
echo "Build time: $((finished - started)) s"
