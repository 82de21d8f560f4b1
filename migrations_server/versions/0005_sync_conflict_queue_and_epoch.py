"""sync conflict queue, review items and server epoch: resolutions on conflicts, sync_review_items, server_epoch

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26 13:00:00

sync_conflicts gains `resolution` (the value chosen and the change that carried it) and a `resolved_by` long
enough for a staff name. sync_review_items holds "possible duplicate patient" items; on PostgreSQL it gets the
same forced `centre_isolation` policy as 0002/0004's tables. server_epoch holds the one current epoch id (no
centre: it is HQ-wide), seeded here with a random id.
"""
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision: str = '0005'
down_revision: str | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

POLICY = "centre_isolation"
IN_CURRENT_CENTRE = "centre_id = current_setting('clinicdesk.centre_id', true)"
CENTRE_TABLES = ("sync_review_items",)


def _on_postgresql() -> bool:
    return op.get_bind().dialect.name == "postgresql"


def upgrade() -> None:
    with op.batch_alter_table('sync_conflicts') as batch:
        batch.alter_column('resolved_by', existing_type=sa.String(length=36), type_=sa.String(length=80),
                           existing_nullable=True)
        batch.add_column(sa.Column('resolution', sa.JSON(), nullable=True))
    op.create_table('sync_review_items',
    sa.Column('centre_id', sa.String(length=36), sa.ForeignKey('centres.id'), nullable=False),
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('table_name', sa.String(length=60), nullable=False),
    sa.Column('row_id', sa.String(length=80), nullable=False),
    sa.Column('other_row_id', sa.String(length=80), nullable=False),
    sa.Column('matched_on', sa.String(length=64), nullable=False),
    sa.Column('raised_by_op_id', sa.String(length=36), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('resolved_at', sa.DateTime(), nullable=True),
    sa.Column('resolved_by', sa.String(length=80), nullable=True),
    sa.PrimaryKeyConstraint('centre_id', 'id')
    )
    epoch = op.create_table('server_epoch',
    sa.Column('slot', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('epoch_id', sa.String(length=36), nullable=False),
    sa.Column('started_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('slot')
    )
    op.bulk_insert(epoch, [{"slot": 1, "epoch_id": str(uuid.uuid4()),
                            "started_at": datetime.now(UTC).replace(tzinfo=None)}])
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
    op.drop_table('server_epoch')
    op.drop_table('sync_review_items')
    with op.batch_alter_table('sync_conflicts') as batch:
        batch.drop_column('resolution')
        batch.alter_column('resolved_by', existing_type=sa.String(length=80), type_=sa.String(length=36),
                           existing_nullable=True)
