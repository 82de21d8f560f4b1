"""sync outbox: queued local changes, per-row HLC stamps and this database's sync state

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-26 12:40:00.000000
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0007'
down_revision: str | None = '0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('sync_outbox',
    sa.Column('op_id', sa.String(length=36), nullable=False),
    sa.Column('table_name', sa.String(length=60), nullable=False),
    sa.Column('row_id', sa.String(length=80), nullable=False),
    sa.Column('kind', sa.String(length=6), nullable=False),
    sa.Column('fields_json', sa.Text(), nullable=False),
    sa.Column('base_json', sa.Text(), nullable=False),
    sa.Column('hlc', sa.String(length=90), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('state', sa.String(length=12), nullable=False),
    sa.Column('result_reason', sa.String(length=300), nullable=False),
    sa.PrimaryKeyConstraint('op_id'),
    sa.UniqueConstraint('hlc')
    )
    op.create_index('ix_sync_outbox_state_hlc', 'sync_outbox', ['state', 'hlc'], unique=False)
    op.create_table('sync_row_stamps',
    sa.Column('table_name', sa.String(length=60), nullable=False),
    sa.Column('row_id', sa.String(length=80), nullable=False),
    sa.Column('stamps_json', sa.Text(), nullable=False),
    sa.Column('deleted_hlc', sa.String(length=90), nullable=True),
    sa.PrimaryKeyConstraint('table_name', 'row_id')
    )
    op.create_table('sync_state',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('node_id', sa.String(length=64), nullable=False),
    sa.Column('last_hlc', sa.String(length=90), nullable=False),
    sa.Column('pull_cursor', sa.Integer(), nullable=False),
    sa.Column('epoch', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )


def downgrade() -> None:
    op.drop_table('sync_state')
    op.drop_table('sync_row_stamps')
    op.drop_index('ix_sync_outbox_state_hlc', table_name='sync_outbox')
    op.drop_table('sync_outbox')
