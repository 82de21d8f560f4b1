"""sync: merged row states, answered operation ids, the per-centre change log, conflicts and the loser log

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26 12:40:00

Every table has centre_id as the first column of its primary key (row-level security and Citus distribute on it).
Row-level security for these tables is the PostgreSQL revision's job (see 0002's CENTRE_OWNED_TABLES).
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0003'
down_revision: str | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _centre_id() -> sa.Column:
    return sa.Column('centre_id', sa.String(length=36), sa.ForeignKey('centres.id'), nullable=False)


def upgrade() -> None:
    op.create_table('sync_sequences',
    _centre_id(),
    sa.Column('last_seq', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('centre_id')
    )
    op.create_table('sync_row_states',
    _centre_id(),
    sa.Column('table_name', sa.String(length=60), nullable=False),
    sa.Column('row_id', sa.String(length=80), nullable=False),
    sa.Column('field_values', sa.JSON(), nullable=False),
    sa.Column('field_stamps', sa.JSON(), nullable=False),
    sa.Column('deleted', sa.String(length=90), nullable=True),
    sa.Column('server_seq', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('centre_id', 'table_name', 'row_id')
    )
    op.create_table('sync_applied_ops',
    _centre_id(),
    sa.Column('op_id', sa.String(length=36), nullable=False),
    sa.Column('op_sha256', sa.String(length=64), nullable=False),
    sa.Column('batch_id', sa.String(length=36), nullable=False),
    sa.Column('pushed_by_device_id', sa.String(length=36), nullable=False),
    sa.Column('outcome', sa.String(length=16), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('server_seq', sa.BigInteger(), nullable=True),
    sa.Column('received_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('centre_id', 'op_id')
    )
    op.create_table('sync_changes',
    _centre_id(),
    sa.Column('server_seq', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('table_name', sa.String(length=60), nullable=False),
    sa.Column('row_id', sa.String(length=80), nullable=False),
    sa.Column('op_id', sa.String(length=36), nullable=False),
    sa.Column('hlc', sa.String(length=90), nullable=False),
    sa.Column('operation', sa.JSON(), nullable=False),
    sa.Column('pushed_by_device_id', sa.String(length=36), nullable=False),
    sa.Column('recorded_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('centre_id', 'server_seq')
    )
    op.create_table('sync_conflicts',
    _centre_id(),
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('table_name', sa.String(length=60), nullable=False),
    sa.Column('row_id', sa.String(length=80), nullable=False),
    sa.Column('field', sa.String(length=64), nullable=True),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('versions', sa.JSON(), nullable=False),
    sa.Column('raised_by_op_id', sa.String(length=36), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('resolved_at', sa.DateTime(), nullable=True),
    sa.Column('resolved_by', sa.String(length=36), nullable=True),
    sa.PrimaryKeyConstraint('centre_id', 'id')
    )
    op.create_table('sync_loser_log',
    _centre_id(),
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('table_name', sa.String(length=60), nullable=False),
    sa.Column('row_id', sa.String(length=80), nullable=False),
    sa.Column('field', sa.String(length=64), nullable=False),
    sa.Column('lost', sa.JSON(), nullable=False),
    sa.Column('kept', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('centre_id', 'id')
    )


def downgrade() -> None:
    for table in ('sync_loser_log', 'sync_conflicts', 'sync_changes', 'sync_applied_ops', 'sync_row_states',
                  'sync_sequences'):
        op.drop_table(table)
