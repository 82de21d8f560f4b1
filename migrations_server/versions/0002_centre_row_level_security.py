"""centre row-level security on PostgreSQL: every centre-owned table shows and accepts only the current centre's rows

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26 12:30:00

On PostgreSQL only (SQLite has no row-level security): ENABLE and FORCE row-level security on every table with a
centre_id, a policy `centre_id = current_setting('clinicdesk.centre_id', true)` for reading and writing, and two
SECURITY DEFINER functions that answer the only cross-centre questions the server must ask before it knows the
centre: which centre a device, or an enrolment code, belongs to. Unset, the setting is NULL and matches nothing.
"""
from collections.abc import Sequence

from alembic import op
from sqlalchemy import text

revision: str = '0002'
down_revision: str | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CENTRE_OWNED_TABLES = ("devices", "enrolment_codes")
POLICY = "centre_isolation"
IN_CURRENT_CENTRE = "centre_id = current_setting('clinicdesk.centre_id', true)"
LOOKUPS = {  # function name: (table, key column)
    "clinicdesk_centre_of_device": ("devices", "id"),
    "clinicdesk_centre_of_enrolment_code": ("enrolment_codes", "code_sha256"),
}


def _on_postgresql() -> bool:
    return op.get_bind().dialect.name == "postgresql"


def upgrade() -> None:
    if not _on_postgresql():
        return
    bind = op.get_bind()
    schema = bind.dialect.identifier_preparer.quote_schema(bind.execute(text("SELECT current_schema()")).scalar())
    for table in CENTRE_OWNED_TABLES:
        op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
        # FORCE: the table owner is confined too, so reading across centres needs an explicit BYPASSRLS role.
        op.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
        op.execute(f"CREATE POLICY {POLICY} ON {table} FOR ALL TO PUBLIC "
                   f"USING ({IN_CURRENT_CENTRE}) WITH CHECK ({IN_CURRENT_CENTRE})")
    for function, (table, key) in LOOKUPS.items():
        # Runs as the migrating owner (BYPASSRLS) and returns one centre id, nothing else of the row; a fixed
        # search_path so that no caller can slip its own table of the same name in front. The argument is $1, not a
        # name: a parameter named like the column would compare the column with itself and match every row.
        lookup = f"SELECT centre_id FROM {schema}.{table} WHERE {key} = $1"  # noqa: S608 (names are constants)
        op.execute(f"CREATE FUNCTION {function}(text) RETURNS text "
                   f"LANGUAGE sql STABLE STRICT SECURITY DEFINER SET search_path = {schema}, pg_temp AS $$ {lookup} $$")
        # EXECUTE stays with PUBLIC (the default): only roles allowed to connect to this database can call it,
        # and the answer is a centre id for an id or digest the caller must already hold.


def downgrade() -> None:
    if not _on_postgresql():
        return
    for function in LOOKUPS:
        op.execute(f"DROP FUNCTION {function}(text)")
    for table in CENTRE_OWNED_TABLES:
        op.execute(f"DROP POLICY {POLICY} ON {table}")
        op.execute(f"ALTER TABLE {table} NO FORCE ROW LEVEL SECURITY")
        op.execute(f"ALTER TABLE {table} DISABLE ROW LEVEL SECURITY")
