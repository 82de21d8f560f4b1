"""Housekeeping the app does by itself: today's automatic backup and the 30-day rotation."""

from pathlib import Path

from clinicdesk.services.context import ServiceContext
from clinicdesk.store.audit_anchor import record_anchor
from clinicdesk.store.backup import ensure_daily_backup

AUTOMATIC_BACKUP_DAYS = 30


def daily_backup(ctx: ServiceContext) -> Path | None:
    """Write today's backup if there is none yet (clinic-local day); audited as a system action."""
    written = ensure_daily_backup(ctx.db, ctx.now().astimezone(), keep_days=AUTOMATIC_BACKUP_DAYS)
    with ctx.unit_of_work() as session:
        if written is not None:
            ctx.audit(session, "backup.automatic", entity="backup", detail=written.name)
        session.flush()
        record_anchor(session, ctx.db.data_dir)
    return written


def remember_audit_position(ctx: ServiceContext) -> None:
    """Copy the audit log's newest entry outside the database (at sign-out), so a cut-off tail is detected."""
    with ctx.unit_of_work() as session:
        record_anchor(session, ctx.db.data_dir)
