"""Builders for the message tests: a patient who may be messaged, and readers of the outgoing queue."""

from datetime import time

from sqlalchemy import select

from clinicdesk.services import patient_records
from clinicdesk.services.context import ServiceContext
from clinicdesk.services.patient_dto import CommunicationPreferences
from clinicdesk.store.models_notifications import NotificationAttemptRow, NotificationMessageRow


def reachable(ctx: ServiceContext, patient_id: str, *channels: str, language: str = "en",
              quiet: tuple[time, time] | None = (time(21, 0), time(8, 0)), **prefs) -> None:
    """Preferences naming `channels` (sms by default) and a consent in force for each."""
    channels = channels or ("sms",)
    patient_records.set_preferences(ctx, patient_id, CommunicationPreferences(
        channels=channels, language=language, quiet_start=quiet[0] if quiet else None,
        quiet_end=quiet[1] if quiet else None, **prefs))
    for channel in channels:
        patient_records.record_consent(ctx, patient_id, kind=f"contact_{channel}", version="1", method="signed")


def messages(ctx: ServiceContext, **where) -> list[NotificationMessageRow]:
    with ctx.db.session() as session:
        query = select(NotificationMessageRow).order_by(NotificationMessageRow.send_at,
                                                        NotificationMessageRow.template_key)
        for name, value in where.items():
            query = query.where(getattr(NotificationMessageRow, name) == value)
        return list(session.scalars(query))


def attempts(ctx: ServiceContext, message_id: str) -> list[NotificationAttemptRow]:
    with ctx.db.session() as session:
        return list(session.scalars(select(NotificationAttemptRow).where(
            NotificationAttemptRow.message_id == message_id).order_by(NotificationAttemptRow.at)))


def set_email(ctx: ServiceContext, patient_id: str, email: str) -> None:
    from clinicdesk.store.models import PatientRow

    with ctx.unit_of_work() as session:
        session.get(PatientRow, patient_id).email = email
