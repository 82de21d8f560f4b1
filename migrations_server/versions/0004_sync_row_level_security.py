"""sync row-level security on PostgreSQL: the sync tables of 0003 get 0002's centre policy

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26 12:45:00

On PostgreSQL only: every table that has a centre_id column and no row-level security yet (at this revision: the
sync tables that 0003 created) gets ENABLE + FORCE ROW LEVEL SECURITY and the same `centre_isolation` policy as
0002's tables. The tables are found by their column rather than listed, so that the schema 0003 leaves is covered
whatever it holds; the schema at revision 0003 is fixed by the history, so the result is the same on every database.
"""
from collections.abc import Sequence

from alembic import op
from sqlalchemy import text

revision: str = '0004'
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

POLICY = "centre_isolation"
IN_CURRENT_CENTRE = "centre_id = current_setting('clinicdesk.centre_id', true)"
_UNPROTECTED_CENTRE_TABLES = """
    SELECT c.relname FROM pg_class c
    JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'centre_id' AND NOT a.attisdropped
    WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind = 'r' AND NOT c.relrowsecurity
    ORDER BY c.relname"""
_POLICY_TABLES = "SELECT tablename FROM pg_policies WHERE schemaname = current_schema() AND policyname = :policy"
_ALREADY_PROTECTED = ("devices", "enrolment_codes")  # 0002's; its own downgrade removes their policy


def _on_postgresql() -> bool:
    return op.get_bind().dialect.name == "postgresql"


def upgrade() -> None:
    if not _on_postgresql():
        return
    preparer = op.get_bind().dialect.identifier_preparer
    for (table,) in op.get_bind().execute(text(_UNPROTECTED_CENTRE_TABLES)).all():
        quoted = preparer.quote(table)
        op.execute(f"ALTER TABLE {quoted} ENABLE ROW LEVEL SECURITY")
        op.execute(f"ALTER TABLE {quoted} FORCE ROW LEVEL SECURITY")
        op.execute(f"CREATE POLICY {POLICY} ON {quoted} FOR ALL TO PUBLIC "
                   f"USING ({IN_CURRENT_CENTRE}) WITH CHECK ({IN_CURRENT_CENTRE})")


def downgrade() -> None:
    if not _on_postgresql():
        return
    preparer = op.get_bind().dialect.identifier_preparer
    for (table,) in op.get_bind().execute(text(_POLICY_TABLES), {"policy": POLICY}).all():
        if table in _ALREADY_PROTECTED:
            continue
        quoted = preparer.quote(table)
        op.execute(f"DROP POLICY {POLICY} ON {quoted}")
        op.execute(f"ALTER TABLE {quoted} NO FORCE ROW LEVEL SECURITY")
        op.execute(f"ALTER TABLE {quoted} DISABLE ROW LEVEL SECURITY")
