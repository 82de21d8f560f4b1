"""chunks: encrypted blob chunks per (centre, SHA-256), blob manifests numbered per centre, and their counter

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-26 14:10:00

blob_chunks holds pieces of ciphertext (recordings as they are on the device's disk, documents and photos as their
sealed bytes), at most 1 MiB each, addressed by their SHA-256 within one centre. blob_manifests lists a blob's chunks
in order with its kind and owner row; blob_sequences numbers a centre's manifests so devices can list them since a
cursor. On PostgreSQL all three get the same forced `centre_isolation` policy as 0002/0004's tables.
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0008'
down_revision: str | None = '0007'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

POLICY = "centre_isolation"
IN_CURRENT_CENTRE = "centre_id = current_setting('clinicdesk.centre_id', true)"
CENTRE_TABLES = ("blob_chunks", "blob_manifests", "blob_sequences")


def _on_postgresql() -> bool:
    return op.get_bind().dialect.name == "postgresql"


def upgrade() -> None:
    op.create_table('blob_chunks',
    sa.Column('centre_id', sa.String(length=36), sa.ForeignKey('centres.id'), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=False),
    sa.Column('stored_at', sa.DateTime(), nullable=False),
    sa.Column('stored_by_device_id', sa.String(length=36), nullable=False),
    sa.PrimaryKeyConstraint('centre_id', 'sha256')
    )
    op.create_table('blob_manifests',
    sa.Column('centre_id', sa.String(length=36), sa.ForeignKey('centres.id'), nullable=False),
    sa.Column('blob_id', sa.String(length=36), nullable=False),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('owner_id', sa.String(length=80), nullable=False),
    sa.Column('size', sa.BigInteger(), nullable=False),
    sa.Column('chunk_hashes', sa.JSON(), nullable=False),
    sa.Column('seq', sa.BigInteger(), nullable=False),
    sa.Column('pushed_by_device_id', sa.String(length=36), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('centre_id', 'blob_id')
    )
    op.create_index('ix_blob_manifests_centre_seq', 'blob_manifests', ['centre_id', 'seq'], unique=True)
    op.create_table('blob_sequences',
    sa.Column('centre_id', sa.String(length=36), sa.ForeignKey('centres.id'), nullable=False),
    sa.Column('last_seq', sa.BigInteger(), nullable=False),
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
    op.drop_table('blob_sequences')
    op.drop_index('ix_blob_manifests_centre_seq', table_name='blob_manifests')
    op.drop_table('blob_manifests')
    op.drop_table('blob_chunks')
