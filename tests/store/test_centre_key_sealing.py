"""Sealing with the centre key: what one database seals another of the centre opens, older device-sealed values still
open, lookups and pseudonyms agree across devices, the key is stored sealed, and the outbox never carries a value
sealed with a device's own key."""

import base64
import json
import secrets
from dataclasses import replace

import pytest
from sqlalchemy import select

from clinicdesk.services import patients
from clinicdesk.store import audio_vault
from clinicdesk.store.centre_key_store import CENTRE_KEY_SETTING, load_centre_key
from clinicdesk.store.crypto import (
    CENTRE_SEAL_MAGIC,
    CentreKey,
    FieldSealer,
    SealedValueUnavailable,
    is_centre_sealed,
)
from clinicdesk.store.database import open_database
from clinicdesk.store.keys import new_key
from clinicdesk.store.models import PatientRow, SettingRow
from clinicdesk.store.outbox import OutboxRow
from clinicdesk.sync.centre_key import device_lookup_tokens_left, install_centre_key
from clinicdesk.sync.errors import SyncError
from tests.store.helpers import PATIENTS

AADHAAR = "2341 2341 2346"


@pytest.fixture
def centre_key() -> CentreKey:
    return CentreKey(secrets.token_bytes(32))


def test_a_value_sealed_on_one_desk_opens_on_another_desk_of_the_centre(centre_key):
    desk_a, desk_b = FieldSealer(new_key(), centre_key), FieldSealer(new_key(), centre_key)
    sealed = desk_a.seal(b"Sandhivata, vata aggravation", context="clinical-note:n1")
    assert sealed.startswith(CENTRE_SEAL_MAGIC) and is_centre_sealed(sealed)
    assert b"Sandhivata" not in sealed
    assert desk_b.open(sealed, context="clinical-note:n1") == b"Sandhivata, vata aggravation"
    with pytest.raises(SealedValueUnavailable, match="damaged or belongs to another record"):
        desk_b.open(sealed, context="clinical-note:n2")  # bound to its record


def test_values_sealed_before_the_centre_key_still_open_after_it(centre_key):
    sealer = FieldSealer(new_key())
    old = sealer.seal(b"older value", context="aadhaar:p1")
    assert not is_centre_sealed(old)
    sealer.adopt_centre_key(centre_key)
    assert sealer.open(old, context="aadhaar:p1") == b"older value"
    assert is_centre_sealed(sealer.seal(b"new value", context="aadhaar:p1"))


def test_a_value_that_cannot_be_opened_here_says_why_without_the_value(centre_key):
    writer = FieldSealer(new_key(), centre_key)
    sealed = writer.seal(b"9876", context="aadhaar:p1")
    with pytest.raises(SealedValueUnavailable, match="does not have yet; sync with HQ") as without_key:
        FieldSealer(new_key()).open(sealed, context="aadhaar:p1")
    with pytest.raises(SealedValueUnavailable, match="another centre key") as other_centre:
        FieldSealer(new_key(), CentreKey(secrets.token_bytes(32))).open(sealed, context="aadhaar:p1")
    with pytest.raises(SealedValueUnavailable, match="sealed on another device with its own key"):
        writer.open(FieldSealer(new_key()).seal(b"9876", context="aadhaar:p1"), context="aadhaar:p1")
    with pytest.raises(SealedValueUnavailable, match="written on another device before the centre had a shared key"):
        writer.open(b"", context="aadhaar:p1")
    assert "9876" not in str(without_key.value) + str(other_centre.value)


def test_two_desks_of_a_centre_compute_the_same_lookup_token_and_pseudonym(centre_key):
    desk_a, desk_b = FieldSealer(new_key(), centre_key), FieldSealer(new_key(), centre_key)
    token = desk_a.lookup_token("234123412346", kind="aadhaar")
    assert token == desk_b.lookup_token("234123412346", kind="aadhaar") and is_centre_sealed(token)
    assert len(token) == 64 and "234123412346" not in token
    assert desk_a.patient_pseudonym("p1") == desk_b.patient_pseudonym("p1")
    alone_a, alone_b = FieldSealer(new_key()), FieldSealer(new_key())
    assert alone_a.lookup_token("234123412346", kind="aadhaar") != alone_b.lookup_token("234123412346", kind="aadhaar")
    assert not is_centre_sealed(alone_a.lookup_token("234123412346", kind="aadhaar"))
    other_centre = FieldSealer(new_key(), CentreKey(secrets.token_bytes(32)))
    assert other_centre.lookup_token("234123412346", kind="aadhaar") != token


def test_a_recording_key_wrapped_with_the_centre_key_unwraps_on_the_other_desk(centre_key):
    desk_a, desk_b = FieldSealer(new_key(), centre_key), FieldSealer(new_key(), centre_key)
    recording_key = audio_vault.new_recording_key()
    wrapped = audio_vault.wrap_recording_key(desk_a, recording_key, recording_id="r1")
    assert audio_vault.is_wrapped_with_centre_key(wrapped) and recording_key not in wrapped
    assert audio_vault.unwrap_recording_key(desk_b, wrapped, recording_id="r1") == recording_key
    with pytest.raises(audio_vault.WrongRecordingKey, match="does not have yet"):
        audio_vault.unwrap_recording_key(FieldSealer(new_key()), wrapped, recording_id="r1")
    with pytest.raises(audio_vault.WrongRecordingKey, match="another centre"):
        audio_vault.unwrap_recording_key(FieldSealer(new_key(), CentreKey(secrets.token_bytes(32))), wrapped,
                                         recording_id="r1")
    with pytest.raises(audio_vault.WrongRecordingKey):
        audio_vault.unwrap_recording_key(desk_b, wrapped, recording_id="r2")


def test_a_recording_key_wrapped_before_the_centre_key_still_unwraps(centre_key):
    db_key = new_key()
    recording_key = audio_vault.new_recording_key()
    old = audio_vault.wrap_recording_key(db_key, recording_key, recording_id="r1")  # the older call, a DatabaseKey
    assert not audio_vault.is_wrapped_with_centre_key(old)
    assert audio_vault.unwrap_recording_key(FieldSealer(db_key, centre_key), old, recording_id="r1") == recording_key


def test_the_centre_key_is_stored_sealed_and_comes_back_when_the_database_is_reopened(clinic_db, centre_key):
    assert load_centre_key(clinic_db.engine, clinic_db.key) is None and not clinic_db.sealer.has_centre_key
    install_centre_key(clinic_db, centre_key)
    assert clinic_db.sealer.centre_key_id == centre_key.key_id
    with clinic_db.session() as session:
        stored = session.get(SettingRow, CENTRE_KEY_SETTING).value
    assert centre_key.raw.hex() not in stored and centre_key.raw not in stored.encode()
    data_dir = clinic_db.data_dir
    clinic_db.close()
    reopened = open_database(data_dir)
    try:
        assert reopened.sealer.centre_key_id == centre_key.key_id
        assert load_centre_key(reopened.engine, reopened.key) == centre_key
    finally:
        reopened.close()


def _outbox_fields(db, patient_id: str) -> list[dict]:
    with db.session() as session:
        rows = session.scalars(select(OutboxRow).where(OutboxRow.table_name == "patients",
                                                       OutboxRow.row_id == patient_id).order_by(OutboxRow.hlc))
        return [json.loads(row.fields_json) for row in rows]


def test_installing_the_key_re_seals_what_was_sealed_before_and_queues_it_once(admin_ctx, centre_key):
    db = admin_ctx.db
    patient_id, _ = patients.register_patient(admin_ctx, replace(PATIENTS[0], aadhaar=AADHAAR))
    [insert] = _outbox_fields(db, patient_id)
    assert "aadhaar_sealed" not in insert and "aadhaar_lookup" not in insert  # device-sealed: never queued
    assert insert["aadhaar_last4"] == "2346"
    with db.session() as session:
        assert device_lookup_tokens_left(session) == 1

    resealed = install_centre_key(db, centre_key)
    assert resealed.values["patients.aadhaar_sealed"] == 1 and resealed.lookup_tokens == 1
    assert resealed.unreadable == 0
    assert patients.reveal_aadhaar(admin_ctx, patient_id).replace(" ", "") == AADHAAR.replace(" ", "")
    with db.session() as session:
        row = session.get(PatientRow, patient_id)
        assert is_centre_sealed(row.aadhaar_sealed) and is_centre_sealed(row.aadhaar_lookup)
        assert device_lookup_tokens_left(session) == 0
    [_, update] = _outbox_fields(db, patient_id)
    assert set(update) == {"aadhaar_sealed", "aadhaar_lookup"}  # the re-sealed values travel, like any edit
    assert update["aadhaar_lookup"] == db.sealer.lookup_token(AADHAAR.replace(" ", ""), kind="aadhaar")

    again = install_centre_key(db, centre_key)  # idempotent: nothing left to re-seal, nothing queued
    assert again.values["patients.aadhaar_sealed"] == 0 and len(_outbox_fields(db, patient_id)) == 2


def test_after_the_key_a_new_aadhaar_is_queued_sealed_for_the_centre(admin_ctx, centre_key):
    install_centre_key(admin_ctx.db, centre_key)
    patient_id, _ = patients.register_patient(admin_ctx, replace(PATIENTS[0], aadhaar=AADHAAR))
    [insert] = _outbox_fields(admin_ctx.db, patient_id)
    assert insert["aadhaar_lookup"].startswith("c:") and "2346" not in insert["aadhaar_sealed"]
    other_desk = FieldSealer(new_key(), centre_key)
    opened = other_desk.open(base64.b64decode(insert["aadhaar_sealed"]), context=f"aadhaar:{patient_id}")
    assert opened.decode().replace(" ", "") == AADHAAR.replace(" ", "")


def test_a_database_holding_another_centre_s_key_refuses_a_different_one(clinic_db, centre_key):
    install_centre_key(clinic_db, centre_key)
    with pytest.raises(SyncError, match="another centre"):
        install_centre_key(clinic_db, CentreKey(secrets.token_bytes(32)))
    assert clinic_db.sealer.centre_key_id == centre_key.key_id
