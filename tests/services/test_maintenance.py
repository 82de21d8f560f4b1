"""The automatic daily backup: once per clinic-local day, audited, kept for 30 days."""

from sqlalchemy import select

from clinicdesk.services import maintenance
from clinicdesk.services.context import ServiceContext
from clinicdesk.store.models import AuditEntryRow


def test_daily_backup_runs_once_a_day_and_is_audited(admin_ctx, clock):
    system = ServiceContext(admin_ctx.db, clock=clock)
    first = maintenance.daily_backup(system)
    assert first is not None and first.exists()
    assert maintenance.daily_backup(system) is None  # same day: nothing new
    clock.advance(days=1)
    second = maintenance.daily_backup(system)
    assert second is not None and second != first
    with admin_ctx.db.session() as session:
        actions = session.scalars(select(AuditEntryRow.action).where(AuditEntryRow.action == "backup.automatic")).all()
    assert len(actions) == 2


def test_backups_older_than_thirty_days_are_removed(admin_ctx, clock):
    system = ServiceContext(admin_ctx.db, clock=clock)
    first = maintenance.daily_backup(system)
    for _ in range(31):
        clock.advance(days=1)
        maintenance.daily_backup(system)
    assert not first.exists()
    kept = sorted((admin_ctx.db.data_dir / "backups").glob("clinic-*.cdbak"))
    assert len(kept) == 30
