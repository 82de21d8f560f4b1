"""blob sync: how far each recording, document and photo got on its way to or from HQ, and HQ's blob-list cursor

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-26 14:20:00.000000
"""
import re
from collections.abc import Sequence
from pathlib import Path

import sqlalchemy as sa
from alembic import op


def _temporary_parent() -> str:
    """H5-TEMPORARY: this belongs after H2's 0008 (and 0010 after it). Until 0008 lands it sits at the end of the
    chain, so the history keeps one head; a sibling that already names 0009 as its parent puts it back after 0007.
    Becomes the literal '0008' when the lead merges."""
    here = Path(__file__).parent
    if any(here.glob('0008_*.py')):
        return '0008'
    parents = {}
    for path in here.glob('[0-9][0-9][0-9][0-9]_*.py'):
        found = re.search(r"^down_revision: str \| None = '(\d{4})'", path.read_text(), re.MULTILINE)
        if path.name[:4] != '0009' and found:
            parents[path.name[:4]] = found.group(1)
    if '0009' in parents.values():
        return '0007'
    heads = sorted(set(parents) - set(parents.values()))
    return heads[-1] if len(heads) == 1 else '0007'


revision: str = '0009'
down_revision: str | None = _temporary_parent()
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('blob_sync_state',
    sa.Column('blob_id', sa.String(length=36), nullable=False),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('owner_id', sa.String(length=36), nullable=False),
    sa.Column('direction', sa.String(length=4), nullable=False),
    sa.Column('state', sa.String(length=10), nullable=False),
    sa.Column('size', sa.BigInteger(), nullable=False),
    sa.Column('chunk_hashes_json', sa.Text(), nullable=False),
    sa.Column('chunks_confirmed', sa.Integer(), nullable=False),
    sa.Column('hq_seq', sa.BigInteger(), nullable=True),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('blob_id')
    )
    op.create_index('ix_blob_sync_state_direction_state', 'blob_sync_state', ['direction', 'state'], unique=False)
    op.create_table('blob_sync_cursor',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('after_seq', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )


def downgrade() -> None:
    op.drop_table('blob_sync_cursor')
    op.drop_index('ix_blob_sync_state_direction_state', table_name='blob_sync_state')
    op.drop_table('blob_sync_state')
