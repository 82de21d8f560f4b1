"""An in-memory keyring backend: stands in for the desktop keyring, which a headless test machine lacks."""

from clinicdesk.store.process_keyring import ProcessKeyring as MemoryKeyring

__all__ = ["MemoryKeyring"]
