"""Unlocking: keyring and passphrase paths, wrong keys refused with the files untouched, no plaintext key."""

import base64
import shutil

import keyring
import pytest

from clinicdesk.services import patients
from clinicdesk.store import keys
from clinicdesk.store.backup import write_backup
from clinicdesk.store.database import create_database, open_database
from clinicdesk.store.errors import KeyUnavailableError, PassphraseNeeded, WrongKeyError
from tests.store.helpers import PASSPHRASE, PATIENTS, NoKeyring, file_hashes, new_clinic, patient_names, sha256_of


@pytest.fixture
def no_keyring(memory_keyring):
    # memory_keyring's teardown puts the previous backend back, after this one.
    keyring.set_keyring(NoKeyring())


def _wal(db_path):
    return db_path.with_name(db_path.name + "-wal")


def test_wrong_key_in_keyring_is_refused_and_files_stay_byte_identical(admin_ctx, memory_keyring):
    for draft in PATIENTS:
        patients.register_patient(admin_ctx, draft)
    db = admin_ctx.db
    assert _wal(db.path).stat().st_size > 0  # the live engine keeps a -wal with data: it must survive too
    before = {p: sha256_of(p) for p in (db.path, _wal(db.path))}
    memory_keyring.set_password(keys.KEYRING_SERVICE, f"database-{db.config.database_id}", keys.new_key().raw.hex())

    with pytest.raises(WrongKeyError, match="cannot be opened with the key or passphrase given.*not changed"):
        open_database(db.data_dir)

    assert {p: sha256_of(p) for p in before} == before


def test_wrong_key_on_a_closed_database_leaves_every_file_identical(tmp_path, clock, memory_keyring):
    db, ctx = new_clinic(tmp_path / "clinic", clock)
    patients.register_patient(ctx, PATIENTS[0])
    db.close()
    before = file_hashes(db.data_dir)
    memory_keyring.set_password(keys.KEYRING_SERVICE, f"database-{db.config.database_id}", keys.new_key().raw.hex())

    with pytest.raises(WrongKeyError):
        open_database(db.data_dir)

    assert file_hashes(db.data_dir) == before
    assert not _wal(db.path).exists()


def test_wrong_passphrase_is_refused_and_files_stay_byte_identical(tmp_path, clock, no_keyring, monkeypatch):
    db, ctx = new_clinic(tmp_path / "clinic", clock, passphrase=PASSPHRASE)
    assert db.config.key_storage == "passphrase"
    patients.register_patient(ctx, PATIENTS[1])
    db.close()
    before = file_hashes(db.data_dir)

    with pytest.raises(WrongKeyError, match="passphrase does not unlock.*nothing was changed"):
        open_database(db.data_dir, passphrase="monsoon over the lagoon")
    monkeypatch.setenv(keys.PASSPHRASE_ENV, "not the clinic passphrase")
    with pytest.raises(WrongKeyError):
        open_database(db.data_dir)

    assert file_hashes(db.data_dir) == before


def test_passphrase_that_unwraps_a_key_for_another_database_file_is_refused(tmp_path, clock, no_keyring):
    """The key file unwraps, but clinic.db was swapped for another clinic's: SQLCipher refuses, nothing written."""
    db, ctx = new_clinic(tmp_path / "clinic", clock, passphrase=PASSPHRASE)
    db.close()
    other, other_ctx = new_clinic(tmp_path / "other", clock, passphrase=PASSPHRASE)
    patients.register_patient(other_ctx, PATIENTS[2])
    other.close()
    shutil.copyfile(other.path, db.path)
    before = file_hashes(db.data_dir)

    with pytest.raises(WrongKeyError, match="cannot be opened"):
        open_database(db.data_dir, passphrase=PASSPHRASE)

    assert file_hashes(db.data_dir) == before


def test_passphrase_from_environment_unlocks_when_there_is_no_keyring(tmp_path, clock, no_keyring, monkeypatch):
    db, ctx = new_clinic(tmp_path / "clinic", clock, passphrase=PASSPHRASE)
    patients.register_patient(ctx, PATIENTS[0])
    db.close()

    with pytest.raises(PassphraseNeeded):
        open_database(db.data_dir)
    monkeypatch.setenv(keys.PASSPHRASE_ENV, PASSPHRASE)
    reopened = open_database(db.data_dir)
    try:
        assert reopened.key == db.key
        assert patient_names(reopened) == {"Zephyrine"}
    finally:
        reopened.close()


def test_key_is_never_written_in_plain_form(tmp_path, clock, no_keyring, monkeypatch):
    db, ctx = new_clinic(tmp_path / "clinic", clock, passphrase=PASSPHRASE)
    for draft in PATIENTS:
        patients.register_patient(ctx, draft)
    write_backup(db)
    raw = db.key.raw
    db.close()
    monkeypatch.setenv(keys.PASSPHRASE_ENV, PASSPHRASE)
    open_database(db.data_dir).close()

    forms = [raw, raw.hex().encode(), raw.hex().upper().encode(), base64.b64encode(raw),
             base64.urlsafe_b64encode(raw), base64.b64encode(raw).rstrip(b"=")]
    files = [p for p in db.data_dir.rglob("*") if p.is_file()]
    assert {p.name for p in files} >= {"clinic.db", "database.key", "clinicdesk.json"}
    for path in files:
        data = path.read_bytes()
        assert not [f for f in forms if f in data], f"key material found in {path.name}"


def test_keyring_path_keeps_no_key_file(tmp_path, memory_keyring):
    db = create_database(tmp_path / "clinic", passphrase=None)
    db.close()
    assert db.config.key_storage == "keyring"
    assert not (db.data_dir / keys.WRAPPED_KEY_FILE).exists()
    stored = memory_keyring.get_password(keys.KEYRING_SERVICE, f"database-{db.config.database_id}")
    assert bytes.fromhex(stored) == db.key.raw
    for path in db.data_dir.rglob("*"):
        if path.is_file():
            assert stored.encode() not in path.read_bytes() and db.key.raw not in path.read_bytes()


def test_no_keyring_and_no_passphrase_refuses_to_create_anything(tmp_path, no_keyring):
    with pytest.raises(PassphraseNeeded, match="Choose a passphrase"):
        create_database(tmp_path / "clinic", passphrase=None)
    assert [p for p in (tmp_path / "clinic").rglob("*") if p.is_file()] == []


def test_keyring_database_on_a_machine_whose_keyring_is_gone_says_what_to_do(tmp_path, memory_keyring):
    db = create_database(tmp_path / "clinic", passphrase=None)
    db.close()
    keyring.set_keyring(NoKeyring())
    with pytest.raises(KeyUnavailableError, match="Unlock the keyring"):
        open_database(db.data_dir)
