"""Which recording of a consultation to transcribe again (the newest one that still has its audio)."""

from sqlalchemy import select

from clinicdesk.domain.roles import Action
from clinicdesk.services.consultation_records import load_consultation
from clinicdesk.services.context import ServiceContext
from clinicdesk.store.models_consultation import RecordingRow


def latest_recording_id(ctx: ServiceContext, consultation_id: str) -> str | None:
    """The newest complete or interrupted recording (None while recording, or when all were deleted)."""
    ctx.authorise(Action.CONSULT_RUN, entity="consultation", entity_id=consultation_id)
    with ctx.unit_of_work() as session:
        load_consultation(session, consultation_id)
        return session.scalars(select(RecordingRow.id).where(
            RecordingRow.consultation_id == consultation_id,
            RecordingRow.state.in_(("complete", "interrupted"))).order_by(
            RecordingRow.started_at.desc(), RecordingRow.id.desc()).limit(1)).first()
