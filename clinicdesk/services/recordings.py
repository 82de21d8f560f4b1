"""Consent to record a consultation, the encrypted recordings themselves, their retention and deletion."""

from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path

from sqlalchemy import select

from clinicdesk.domain.errors import IllegalTransition, NotFound, ValidationError
from clinicdesk.domain.roles import Action
from clinicdesk.services.consultation_dto import RecordingConsentStatus, RecordingItem, RecordingStart
from clinicdesk.services.consultation_records import (
    RETENTION_SETTING,
    load_consultation,
    local_today,
    require_open,
    retention_days,
    staff_names,
)
from clinicdesk.services.context import Changes, ServiceContext
from clinicdesk.services.signatures import signature_problem
from clinicdesk.store import audio_vault
from clinicdesk.store.models import SettingRow, StaffRow
from clinicdesk.store.models_consultation import ConsultationRow, RecordingConsentRow, RecordingRow

RECORDINGS_DIR = "recordings"
CONSENT_KINDS = ("verbal", "signed")
SAMPLE_RATES = (8000, 16000, 22050, 44100, 48000)
_LABELS = {"kind": "Consent kind", "witness": "Witness", "typed_name": "Typed name", "signature": "Signature",
           "consent": "Recording consent", "seconds": "Length", "retention_days": "Retention",
           "sample_rate": "Sample rate", "channels": "Channels"}


def _active_consent(session, consultation_id: str) -> RecordingConsentRow | None:
    return session.scalars(select(RecordingConsentRow).where(RecordingConsentRow.consultation_id == consultation_id,
                                                             RecordingConsentRow.withdrawn_at.is_(None))).first()


def record_recording_consent(ctx: ServiceContext, consultation_id: str, kind: str, witnessed_by: str | None = None,
                             typed_name: str | None = None, signature_png: bytes | None = None) -> tuple[str,
                                                                                                     Changes]:
    """Verbal consent needs a staff witness; signed consent needs the typed name and the drawn signature."""
    user = ctx.authorise(Action.CONSULT_RUN, entity="consultation", entity_id=consultation_id)
    problems: dict[str, str] = {}
    if kind not in CONSENT_KINDS:
        problems["kind"] = "must be verbal or signed"
    elif kind == "verbal" and not witnessed_by:
        problems["witness"] = "is required for verbal consent: name the member of staff who heard it"
    elif kind == "signed":
        if not (typed_name or "").strip() or len(typed_name) > 200:
            problems["typed_name"] = "is required (at most 200 characters)"
        if (problem := signature_problem(signature_png)) is not None:
            problems["signature"] = problem
    with ctx.unit_of_work(write_lock=True) as session:
        row = load_consultation(session, consultation_id)
        require_open(row, "record consent to recording")
        if witnessed_by is not None:
            witness = session.get(StaffRow, witnessed_by)
            if witness is None or not witness.active:
                problems["witness"] = "must be an active member of staff"
        if _active_consent(session, consultation_id) is not None:
            problems["consent"] = "is already recorded for this consultation"
        if problems:
            raise ValidationError(problems, _LABELS)
        consent_id = ctx.make_id()
        sealed = ctx.db.sealer.seal(signature_png, context=f"recording-consent:{consent_id}") \
            if kind == "signed" else None
        session.add(RecordingConsentRow(id=consent_id, consultation_id=consultation_id, kind=kind,
                                        witnessed_by=witnessed_by, typed_name=" ".join((typed_name or "").split()),
                                        sealed_signature=sealed, recorded_by=user.staff_id, given_at=ctx.now()))
        ctx.audit(session, "consult.recording_consent", entity="consultation", entity_id=consultation_id,
                  detail=kind)
    return consent_id, Changes(consultations=True)


def recording_consent_status(ctx: ServiceContext, consultation_id: str) -> RecordingConsentStatus:
    ctx.authorise(Action.CONSULT_VIEW, entity="consultation", entity_id=consultation_id)
    with ctx.unit_of_work() as session:
        load_consultation(session, consultation_id)
        row = _active_consent(session, consultation_id)
        if row is None:
            return RecordingConsentStatus(consultation_id)
        witness = staff_names(session, {row.witnessed_by}).get(row.witnessed_by, "")
        return RecordingConsentStatus(consultation_id, row.id, row.kind, row.given_at, witness)


def _path(ctx: ServiceContext, row: RecordingRow) -> Path:
    return ctx.db.data_dir / row.file_name


def _forget(row: RecordingRow, *, reason: str, ctx: ServiceContext, today: date) -> None:
    """Mark deleted and drop the wrapped key: without it, any copy of the file (a backup) can never be opened."""
    row.state, row.deleted_at, row.deletion_reason, row.wrapped_key = "deleted", ctx.now(), reason, b""
    row.delete_after = min(row.delete_after, today)


def withdraw_recording_consent(ctx: ServiceContext, consultation_id: str) -> tuple[int, Changes]:
    """Stops recording: every recording of this consultation is deleted now. Returns how many were deleted."""
    user = ctx.authorise(Action.CONSULT_RUN, entity="consultation", entity_id=consultation_id)
    with ctx.unit_of_work(write_lock=True) as session:
        consultation = load_consultation(session, consultation_id)
        consent = _active_consent(session, consultation_id)
        if consent is None:
            raise NotFound("This consultation has no active consent to recording to withdraw.")
        consent.withdrawn_at, consent.withdrawn_by = ctx.now(), user.staff_id
        today = local_today(session, consultation.centre_id, ctx.now())
        doomed = session.scalars(select(RecordingRow).where(RecordingRow.consultation_id == consultation_id,
                                                            RecordingRow.state != "deleted")).all()
        paths = [_path(ctx, row) for row in doomed]
        for row in doomed:
            _forget(row, reason="consent withdrawn", ctx=ctx, today=today)
        ctx.audit(session, "consult.recording_consent_withdraw", entity="consultation", entity_id=consultation_id,
                  detail=f"{len(doomed)} recordings deleted")
    # Files go after the commit: if this failed half-way the rows would still point at audio that is gone, while a
    # file left behind by a crash here is unreadable anyway (its key is gone).
    for path in paths:
        audio_vault.delete_recording_file(path)
    return len(paths), Changes(consultations=True)


def begin_recording(ctx: ServiceContext, consultation_id: str, *, sample_rate: int = 16000,
                    channels: int = 1) -> tuple[RecordingStart, Changes]:
    """A new recording row and its key; refused unless the patient's consent to recording is in force."""
    user = ctx.authorise(Action.CONSULT_RUN, entity="consultation", entity_id=consultation_id)
    problems = {}
    if sample_rate not in SAMPLE_RATES:
        problems["sample_rate"] = "must be one of " + ", ".join(str(r) for r in SAMPLE_RATES)
    if channels not in (1, 2):
        problems["channels"] = "must be 1 or 2"
    if problems:
        raise ValidationError(problems, _LABELS)
    with ctx.unit_of_work(write_lock=True) as session:
        consultation = load_consultation(session, consultation_id)
        require_open(consultation, "record")
        if _active_consent(session, consultation_id) is None:
            raise ValidationError({"consent": "is missing: ask the patient and record their consent before "
                                              "recording"}, _LABELS)
        recording_id = ctx.make_id()
        key = audio_vault.new_recording_key()
        today = local_today(session, consultation.centre_id, ctx.now())
        row = RecordingRow(id=recording_id, consultation_id=consultation_id,
                           file_name=f"{RECORDINGS_DIR}/{recording_id}.cdaudio",
                           wrapped_key=audio_vault.wrap_recording_key(ctx.db.sealer, key, recording_id=recording_id),
                           sample_rate=sample_rate, channels=channels, seconds=Decimal(0), state="recording",
                           started_at=ctx.now(), started_by=user.staff_id,
                           delete_after=today + timedelta(days=retention_days(session)))
        session.add(row)
        (ctx.db.data_dir / RECORDINGS_DIR).mkdir(mode=0o700, exist_ok=True)
        ctx.audit(session, "consult.recording_begin", entity="consultation", entity_id=consultation_id,
                  detail=f"recording {recording_id}")
        return (RecordingStart(recording_id, _path(ctx, row), key, sample_rate, channels),
                Changes(consultations=True))


def finish_recording(ctx: ServiceContext, recording_id: str, seconds, interrupted: bool = False) -> Changes:
    """The capture stopped: complete, or interrupted (the app or the microphone failed part-way)."""
    ctx.authorise(Action.CONSULT_RUN, entity="recording", entity_id=recording_id)
    try:
        length = Decimal(str(seconds))
    except InvalidOperation:
        length = Decimal(-1)
    if not Decimal(0) <= length <= Decimal(6 * 3600):
        raise ValidationError({"seconds": "must be between 0 and 6 hours"}, _LABELS)
    with ctx.unit_of_work() as session:
        row = session.get(RecordingRow, recording_id)
        if row is None:
            raise NotFound("That recording was not found.")
        if row.state != "recording":
            raise IllegalTransition(f"This recording is already {row.state}, so it cannot be finished again.")
        row.state = "interrupted" if interrupted else "complete"
        row.seconds = length.quantize(Decimal("0.01"))
        ctx.audit(session, "consult.recording_finish", entity="recording", entity_id=recording_id,
                  detail=row.state)
    return Changes(consultations=True)


def open_recording_key(ctx: ServiceContext, recording_id: str) -> RecordingStart:
    """Path and key to read a recording (for transcription or playback); audited."""
    ctx.authorise(Action.CONSULT_RUN, entity="recording", entity_id=recording_id)
    with ctx.unit_of_work() as session:
        row = session.get(RecordingRow, recording_id)
        if row is None:
            raise NotFound("That recording was not found.")
        if row.state == "deleted":
            raise NotFound("That recording was deleted and can no longer be played.")
        key = audio_vault.unwrap_recording_key(ctx.db.sealer, row.wrapped_key, recording_id=row.id)
        ctx.audit(session, "consult.recording_open", entity="recording", entity_id=recording_id)
        return RecordingStart(row.id, _path(ctx, row), key, row.sample_rate, row.channels)


def list_recordings(ctx: ServiceContext) -> list[RecordingItem]:
    """Every recording with its retention date, for the administrator; newest first."""
    ctx.authorise(Action.RECORDING_ADMIN, entity="recording")
    with ctx.unit_of_work() as session:
        rows = session.execute(select(RecordingRow, ConsultationRow.patient_id).join(
            ConsultationRow, ConsultationRow.id == RecordingRow.consultation_id)
            .order_by(RecordingRow.started_at.desc(), RecordingRow.id.desc())).all()
        return [RecordingItem(r.id, r.consultation_id, patient_id, r.state, r.seconds, r.started_at, r.delete_after,
                              r.deleted_at, r.deletion_reason) for r, patient_id in rows]


def purge_expired_recordings(ctx: ServiceContext, today: date) -> tuple[int, Changes]:
    """Delete recordings whose delete-after date has come; returns how many were deleted."""
    ctx.authorise(Action.RECORDING_ADMIN, entity="recording")
    with ctx.unit_of_work(write_lock=True) as session:
        doomed = session.scalars(select(RecordingRow).where(RecordingRow.delete_after <= today,
                                                            RecordingRow.state != "deleted")).all()
        paths = [_path(ctx, row) for row in doomed]
        for row in doomed:
            _forget(row, reason="retention", ctx=ctx, today=today)
        ctx.audit(session, "consult.recording_purge", entity="recording", detail=f"{len(doomed)} recordings deleted")
    for path in paths:  # after the commit, as in withdraw_recording_consent
        audio_vault.delete_recording_file(path)
    return len(paths), Changes(consultations=True) if paths else Changes(audit=True)


def recording_retention(ctx: ServiceContext) -> int:
    """How many days new recordings are kept, as set_recording_retention left it (365 until someone sets it)."""
    ctx.authorise(Action.RECORDING_ADMIN, entity="setting")
    with ctx.unit_of_work() as session:
        return retention_days(session)


def set_recording_retention(ctx: ServiceContext, days: int) -> Changes:
    """How long new recordings are kept (existing ones keep their date)."""
    ctx.authorise(Action.RECORDING_ADMIN, entity="setting")
    if not isinstance(days, int) or not 1 <= days <= 3650:
        raise ValidationError({"retention_days": "must be between 1 and 3650 days"}, _LABELS)
    with ctx.unit_of_work() as session:
        row = session.get(SettingRow, RETENTION_SETTING)
        if row is None:
            session.add(SettingRow(key=RETENTION_SETTING, value=str(days)))
        else:
            row.value = str(days)
        ctx.audit(session, "consult.recording_retention", entity="setting", detail=f"{days} days")
    return Changes(settings=True)


