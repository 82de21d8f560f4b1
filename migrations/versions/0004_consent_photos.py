"""consent and photos: procedure consents with drawn signatures, before/after session photos (both sealed)

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26 10:25:00.000000
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0004'
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('procedure_consents',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('plan_id', sa.String(length=36), nullable=False),
    sa.Column('patient_id', sa.String(length=36), nullable=False),
    sa.Column('typed_name', sa.String(length=200), nullable=False),
    sa.Column('sealed_signature', sa.LargeBinary(), nullable=False),
    sa.Column('text_version', sa.String(length=20), nullable=False),
    sa.Column('signed_at', sa.DateTime(), nullable=False),
    sa.Column('recorded_by', sa.String(length=36), nullable=False),
    sa.Column('witness_id', sa.String(length=36), nullable=True),
    sa.Column('withdrawn_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['patient_id'], ['patients.id'], ),
    sa.ForeignKeyConstraint(['plan_id'], ['care_plans.id'], ),
    sa.ForeignKeyConstraint(['recorded_by'], ['staff.id'], ),
    sa.ForeignKeyConstraint(['witness_id'], ['staff.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('procedure_consents', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_procedure_consents_patient_id'), ['patient_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_procedure_consents_plan_id'), ['plan_id'], unique=False)

    op.create_table('session_photos',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('session_id', sa.String(length=36), nullable=False),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('mime_type', sa.String(length=20), nullable=False),
    sa.Column('size_bytes', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('sealed_content', sa.LargeBinary(), nullable=False),
    sa.Column('taken_at', sa.DateTime(), nullable=False),
    sa.Column('taken_by', sa.String(length=36), nullable=False),
    sa.ForeignKeyConstraint(['session_id'], ['plan_sessions.id'], ),
    sa.ForeignKeyConstraint(['taken_by'], ['staff.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('session_photos', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_session_photos_session_id'), ['session_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('session_photos', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_session_photos_session_id'))

    op.drop_table('session_photos')
    with op.batch_alter_table('procedure_consents', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_procedure_consents_plan_id'))
        batch_op.drop_index(batch_op.f('ix_procedure_consents_patient_id'))

    op.drop_table('procedure_consents')
