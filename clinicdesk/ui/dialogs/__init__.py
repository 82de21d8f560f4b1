"""Dialogs used around the main window: unlock, sign-in, first-run set-up, passwords, about."""
