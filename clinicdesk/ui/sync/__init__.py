"""Sync with HQ in the desktop app: the status indicator, "Sync now", and the nightly schedule."""
