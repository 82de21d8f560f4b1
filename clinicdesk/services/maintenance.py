"""Housekeeping the app does by itself: today's automatic backup and the 30-day rotation."""

from pathlib import Path

from clinicdesk.services.context import ServiceContext
from clinicdesk.store.backup import ensure_daily_backup

AUTOMATIC_BACKUP_DAYS = 30


def daily_backup(ctx: ServiceContext) -> Path | None:
    """Write today's backup if there is none yet (clinic-local day); audited as a system action."""
    written = ensure_daily_backup(ctx.db, ctx.now().astimezone(), keep_days=AUTOMATIC_BACKUP_DAYS)
    if written is not None:
        with ctx.unit_of_work() as session:
            ctx.audit(session, "backup.automatic", entity="backup", detail=written.name)
    return written
