"""The desktop's sync client: push the outbox to HQ, pull HQ's changes, keep the device's credential and settings."""
