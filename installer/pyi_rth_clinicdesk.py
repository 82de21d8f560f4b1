"""PyInstaller runtime hook: before ClinicDesk code runs in the bundle, make sure nothing reaches for the network."""

import os

# tldextract (Presidio's email recognizer) would fetch the public suffix list; its bundled snapshot is enough.
os.environ.setdefault("TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS", "")
# Hugging Face libraries must never try a hub: the Whisper weights are inside the bundle.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
