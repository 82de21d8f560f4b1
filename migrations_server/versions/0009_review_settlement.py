"""review item settlement: the decision a person took on a possible duplicate, and their note

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-26 14:00:00

sync_review_items gains `decision` ("different_people" or "same_person"; same-person is recorded for a person to
merge later, nothing is merged automatically) and `note`. `resolved_at`/`resolved_by` (0005) say when and who.
The table keeps 0005's row-level security policy; new columns need nothing more. sync_changes gains an index on
(centre_id, hlc): the conflict queue names the device behind each version by the change that carried its stamp
(a stamp's node is the device database's clock name, not its HQ device id).
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0009'
down_revision: str | None = '0008'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('sync_review_items') as batch:
        batch.add_column(sa.Column('decision', sa.String(length=32), nullable=True))
        batch.add_column(sa.Column('note', sa.String(length=200), nullable=True))
    op.create_index('ix_sync_changes_centre_hlc', 'sync_changes', ['centre_id', 'hlc'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_sync_changes_centre_hlc', table_name='sync_changes')
    with op.batch_alter_table('sync_review_items') as batch:
        batch.drop_column('note')
        batch.drop_column('decision')
