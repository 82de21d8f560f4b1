"""One small demo clinic shared by the discharge, FHIR and command-line tests (built once per test process)."""

import atexit
import functools
import shutil
import tempfile
from datetime import UTC, datetime
from pathlib import Path

import keyring

from clinicdesk.services import auth, demo
from clinicdesk.services.context import ServiceContext
from clinicdesk.store.database import open_database
from tests.conftest import MemoryKeyring

PASSPHRASE = "discharge demo passphrase"
FIXED_NOW = datetime(2026, 11, 26, 6, 0, tzinfo=UTC)
PATIENTS = 12  # enough for the Panchakarma course, a few consultations, allergies and ABHA numbers


@functools.cache
def demo_data_dir() -> Path:
    """Built by passphrase: the per-test in-memory keyring is replaced before each test."""
    previous = keyring.get_keyring()
    keyring.set_keyring(MemoryKeyring())
    try:
        root = Path(tempfile.mkdtemp(prefix="clinicdesk-discharge-demo-"))
        atexit.register(shutil.rmtree, root, True)  # pytest's tmp_path_factory is per session fixture, not per process
        data_dir = root / "clinic"
        demo.build_demo_clinic(data_dir, passphrase=PASSPHRASE, patients=PATIENTS, now=FIXED_NOW)
    finally:
        keyring.set_keyring(previous)
    return data_dir


def open_demo(*, username: str = demo.DEMO_ADMIN) -> ServiceContext:
    """A signed-in context on the shared demo; the caller closes `ctx.db`."""
    db = open_database(demo_data_dir(), passphrase=PASSPHRASE)
    ctx = ServiceContext(db, clock=lambda: FIXED_NOW)
    ctx.user = auth.sign_in(ctx, username, demo.DEMO_PASSWORD)
    return ctx
