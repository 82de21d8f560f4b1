"""device codes: each device of a centre numbers patients and bookings with its own short code

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-26 14:00:00

devices gains `device_code` (1-4 capital letters), unique within a centre, given at enrolment: the device proposes
its current code and keeps it when free in that centre, otherwise HQ gives the next free one. Devices enrolled
before this revision have none (NULL); a unique constraint lets any number of NULLs through.
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0006'
down_revision: str | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('devices') as batch:
        batch.add_column(sa.Column('device_code', sa.String(length=4), nullable=True))
        batch.create_unique_constraint('uq_devices_centre_device_code', ['centre_id', 'device_code'])


def downgrade() -> None:
    with op.batch_alter_table('devices') as batch:
        batch.drop_constraint('uq_devices_centre_device_code', type_='unique')
        batch.drop_column('device_code')
