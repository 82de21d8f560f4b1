#!/usr/bin/env bash
# Installs what ClinicDesk needs on Debian 12: apt libraries, a virtual environment in .venv, Python packages.
# Safe to run again: it only installs what is missing.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

APT_PACKAGES=(python3-venv libegl1 libgl1 libfontconfig1 libxkbcommon0 libxkbcommon-x11-0 libdbus-1-3
              libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-shape0 libxcb-xinerama0 libxcb-randr0
              libxcb-render-util0 libxcb-image0 fonts-noto-core libportaudio2)
if [[ "${1:-}" == "--test" ]]; then
  # PDF pages to PNG; synthetic speech and audio tools; a PulseAudio virtual microphone for the capture test;
  # PostgreSQL for the HQ server tests (they start a throwaway cluster of their own); Chromium for the patient
  # portal's end-to-end tests (Playwright drives this browser; it never downloads one of its own)
  APT_PACKAGES+=(poppler-utils espeak-ng sox pulseaudio pulseaudio-utils postgresql chromium chromium-driver)
fi

missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if (( ${#missing[@]} )); then
  SUDO=""; [[ $(id -u) -ne 0 ]] && SUDO="sudo"
  echo "Installing system packages: ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

PYTHON="${PYTHON:-python3.11}"
command -v "$PYTHON" >/dev/null || PYTHON=python3
if [[ ! -x .venv/bin/python ]]; then
  "$PYTHON" -m venv .venv
fi
STAMP=.venv/.clinicdesk-installed
if [[ ! -f "$STAMP" || pyproject.toml -nt "$STAMP" ]]; then
  # Some machines' pip configs name extra package folders that may be absent; those warnings are noise.
  .venv/bin/python -m pip install -q --upgrade pip 2> >(grep -v "WARNING: Location" >&2)
  .venv/bin/python -m pip install -q -e ".[dev]" 2> >(grep -v "WARNING: Location" >&2)
  touch "$STAMP"
fi
