"""Cutting off the newest audit entries is detected through the anchor kept outside the database."""

from sqlalchemy import text

from clinicdesk.cli import main
from clinicdesk.services import maintenance
from clinicdesk.store.audit_anchor import read_anchor
from clinicdesk.store.audit_log import verify_audit_log


def _write_entries(ctx, n):
    for i in range(n):
        with ctx.unit_of_work() as session:
            ctx.audit(session, "test.entry", entity="test", entity_id=str(i))


def test_deleting_the_newest_entries_is_reported(admin_ctx, capsys):
    _write_entries(admin_ctx, 5)
    maintenance.remember_audit_position(admin_ctx)
    anchor = read_anchor(admin_ctx.db.data_dir)
    with admin_ctx.db.engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_log WHERE seq >= :s"), {"s": anchor.seq - 1})
    with admin_ctx.db.session() as session:
        assert verify_audit_log(session)[1] == []  # the chain alone cannot see a cut-off tail
        _, problems = verify_audit_log(session, anchor)
    assert problems and problems[0].seq == anchor.seq - 1 and "newest entries were deleted" in problems[0].message
    data_dir = str(admin_ctx.db.data_dir)
    admin_ctx.db.close()
    assert main(["audit", "verify", "--data-dir", data_dir]) == 1
    assert f"entry {anchor.seq - 1}" in capsys.readouterr().out


def test_new_entries_after_the_anchor_are_fine(admin_ctx):
    _write_entries(admin_ctx, 2)
    maintenance.remember_audit_position(admin_ctx)
    _write_entries(admin_ctx, 3)
    with admin_ctx.db.session() as session:
        assert verify_audit_log(session, read_anchor(admin_ctx.db.data_dir))[1] == []
