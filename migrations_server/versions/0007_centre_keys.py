"""centre keys: each centre's 256-bit key, stored only wrapped (AES-GCM) by the HQ master key

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-26 14:00:00

centre_keys holds one row per centre: the key's public id, the key wrapped with the HQ master key (a file outside
the database; its id is kept so a wrong master key file is named, not mistaken for damage) and when it was made.
On PostgreSQL the table gets the same forced `centre_isolation` policy as 0002/0004's tables.
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0007'
down_revision: str | None = '0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

POLICY = "centre_isolation"
IN_CURRENT_CENTRE = "centre_id = current_setting('clinicdesk.centre_id', true)"
CENTRE_TABLES = ("centre_keys",)


def _on_postgresql() -> bool:
    return op.get_bind().dialect.name == "postgresql"


def upgrade() -> None:
    op.create_table('centre_keys',
    sa.Column('centre_id', sa.String(length=36), sa.ForeignKey('centres.id'), nullable=False),
    sa.Column('key_id', sa.String(length=16), nullable=False),
    sa.Column('wrapped_key', sa.LargeBinary(), nullable=False),
    sa.Column('master_key_id', sa.String(length=16), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('centre_id')
    )
    if _on_postgresql():
        for table in CENTRE_TABLES:
            op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
            op.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
            op.execute(f"CREATE POLICY {POLICY} ON {table} FOR ALL TO PUBLIC "
                       f"USING ({IN_CURRENT_CENTRE}) WITH CHECK ({IN_CURRENT_CENTRE})")


def downgrade() -> None:
    if _on_postgresql():
        for table in CENTRE_TABLES:
            op.execute(f"DROP POLICY {POLICY} ON {table}")
    op.drop_table('centre_keys')
