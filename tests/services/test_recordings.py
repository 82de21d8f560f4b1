"""Recording consent, encrypted recordings through the audio vault, withdrawal and retention purges."""

from datetime import date, timedelta
from decimal import Decimal as D

import pytest

from clinicdesk.domain.errors import IllegalTransition, NotFound, ValidationError
from clinicdesk.services import recordings
from clinicdesk.store import audio_vault
from clinicdesk.store.models_consultation import RecordingConsentRow, RecordingRow
from tests.services.consultation_matrix import PNG, ConsultRoom
from tests.services.helpers import audit_rows, count_rows

PCM = bytes(range(256)) * 250  # 64,000 bytes: two seconds of 16 kHz mono


@pytest.fixture
def room(admin_ctx):
    made = ConsultRoom(admin_ctx)
    made.set_up()
    return made


def _record(room, consultation_id: str, seconds: float = 2.0):
    start, _ = recordings.begin_recording(room.boss, consultation_id)
    with audio_vault.EncryptedAudioWriter(start.path, start.recording_key, sample_rate=start.sample_rate) as writer:
        writer.write(PCM)
    recordings.finish_recording(room.boss, start.recording_id, seconds)
    return start


def _row(room, recording_id: str) -> RecordingRow:
    with room.boss.db.session() as session:
        return session.get(RecordingRow, recording_id)


def test_recording_is_refused_without_consent_and_allowed_with_it(room):
    consultation_id = room.consultation()
    with pytest.raises(ValidationError, match="Recording consent is missing: ask the patient"):
        recordings.begin_recording(room.boss, consultation_id)
    assert count_rows(room.boss, RecordingRow) == 0
    assert recordings.recording_consent_status(room.boss, consultation_id).consent_id is None
    consent_id, _ = recordings.record_recording_consent(room.boss, consultation_id, "verbal",
                                                        witnessed_by=room.boss.user.staff_id)
    status = recordings.recording_consent_status(room.boss, consultation_id)
    assert (status.consent_id, status.kind, status.witness_name) == (consent_id, "verbal", "Asha Menon")
    start = _record(room, consultation_id)
    assert start.path == room.boss.db.data_dir / "recordings" / f"{start.recording_id}.cdaudio"
    row = _row(room, start.recording_id)
    assert (row.state, row.seconds, row.file_name) == ("complete", D("2.00"),
                                                       f"recordings/{start.recording_id}.cdaudio")
    assert row.delete_after == date(2027, 11, 26)  # a year after the recording, by default
    reopened = recordings.open_recording_key(room.boss, start.recording_id)
    assert audio_vault.read_recording(reopened.path, reopened.recording_key) == (16000, 1, PCM)
    assert PCM[:64] not in start.path.read_bytes()  # encrypted at rest


@pytest.mark.parametrize(("kind", "extra", "message"), [
    ("spoken", {}, "Consent kind must be verbal or signed"),
    ("verbal", {}, "Witness is required for verbal consent"),
    ("verbal", {"witnessed_by": "nobody"}, "Witness must be an active member of staff"),
    ("signed", {"signature_png": PNG}, "Typed name is required"),
    ("signed", {"typed_name": "Consult Menon"}, "Signature is missing"),
    ("signed", {"typed_name": "Consult Menon", "signature_png": b"GIF89a"}, "Signature must be a PNG image"),
])
def test_bad_consent_is_refused(room, kind, extra, message):
    consultation_id = room.consultation()
    with pytest.raises(ValidationError, match=message):
        recordings.record_recording_consent(room.boss, consultation_id, kind, **extra)
    assert count_rows(room.boss, RecordingConsentRow) == 0


def test_signed_consent_seals_the_signature(room):
    consultation_id = room.consultation()
    consent_id, _ = recordings.record_recording_consent(room.boss, consultation_id, "signed",
                                                        typed_name=" Consult  Menon ", signature_png=PNG)
    with room.boss.db.session() as session:
        row = session.get(RecordingConsentRow, consent_id)
        assert row.typed_name == "Consult Menon" and PNG not in row.sealed_signature
        assert room.boss.db.sealer.open(row.sealed_signature, context=f"recording-consent:{consent_id}") == PNG
    with pytest.raises(ValidationError, match="already recorded"):
        recordings.record_recording_consent(room.boss, consultation_id, "verbal",
                                            witnessed_by=room.boss.user.staff_id)


def test_withdrawing_consent_deletes_the_recordings_and_their_keys(room):
    consultation_id = room.consented()
    first, second = _record(room, consultation_id), _record(room, consultation_id)
    assert first.path.exists() and second.path.exists()
    deleted, changes = recordings.withdraw_recording_consent(room.boss, consultation_id)
    assert (deleted, changes.consultations) == (2, True)
    for start in (first, second):
        row = _row(room, start.recording_id)
        assert (row.state, row.deletion_reason, row.wrapped_key, row.deleted_at) == (
            "deleted", "consent withdrawn", b"", room.boss.now())
        assert not start.path.exists()
        with pytest.raises(NotFound, match="deleted"):
            recordings.open_recording_key(room.boss, start.recording_id)
    with pytest.raises(ValidationError, match="Recording consent is missing"):
        recordings.begin_recording(room.boss, consultation_id)
    with pytest.raises(NotFound, match="no active consent"):
        recordings.withdraw_recording_consent(room.boss, consultation_id)
    detail = audit_rows(room.boss, action="consult.recording_consent_withdraw")[-1].detail
    assert detail == "2 recordings deleted"


def test_finish_checks_its_input_and_marks_interruptions(room):
    start, _ = recordings.begin_recording(room.boss, room.consented())
    with pytest.raises(ValidationError, match="Length must be between 0 and 6 hours"):
        recordings.finish_recording(room.boss, start.recording_id, -3)
    recordings.finish_recording(room.boss, start.recording_id, "41.257", interrupted=True)
    assert (_row(room, start.recording_id).state, _row(room, start.recording_id).seconds) == (
        "interrupted", D("41.26"))
    with pytest.raises(IllegalTransition, match="already interrupted"):
        recordings.finish_recording(room.boss, start.recording_id, 42)


def test_retention_setting_list_and_purge(room):
    recordings.set_recording_retention(room.boss, 30)
    kept = _record(room, room.consented())
    old = _record(room, room.consented())
    with room.boss.db.session() as session, session.begin():  # make one recording older than the others
        session.get(RecordingRow, old.recording_id).delete_after = date(2026, 12, 1)
    listed = {item.id: item for item in recordings.list_recordings(room.boss)}
    assert listed[kept.recording_id].delete_after == date(2026, 11, 26) + timedelta(days=30)
    assert listed[kept.recording_id].patient_id == room.patient
    assert recordings.purge_expired_recordings(room.boss, date(2026, 11, 30))[0] == 0
    count, changes = recordings.purge_expired_recordings(room.boss, date(2026, 12, 1))
    assert (count, changes.consultations) == (1, True)
    assert not old.path.exists() and kept.path.exists()
    assert (_row(room, old.recording_id).state, _row(room, old.recording_id).deletion_reason) == (
        "deleted", "retention")
    assert recordings.purge_expired_recordings(room.boss, date(2026, 12, 1))[0] == 0  # already gone
    with pytest.raises(ValidationError, match="Retention must be between 1 and 3650 days"):
        recordings.set_recording_retention(room.boss, 0)
