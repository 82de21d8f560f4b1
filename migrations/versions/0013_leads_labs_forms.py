"""leads and their history, lab results, intake form versions and sealed responses

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-26 14:55:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0013'
down_revision: str | None = '0012'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('intake_form_versions',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('form_key', sa.String(length=40), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('first_used_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('form_key', 'version')
    )
    op.create_table('lead_assignment',
    sa.Column('centre_id', sa.String(length=36), nullable=False),
    sa.Column('last_staff_id', sa.String(length=36), nullable=False),
    sa.ForeignKeyConstraint(['centre_id'], ['centres.id'], ),
    sa.PrimaryKeyConstraint('centre_id')
    )
    op.create_table('intake_form_responses',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('patient_id', sa.String(length=36), nullable=False),
    sa.Column('form_version_id', sa.String(length=36), nullable=False),
    sa.Column('sealed_answers', sa.LargeBinary(), nullable=False),
    sa.Column('filled_at', sa.DateTime(), nullable=False),
    sa.Column('filled_by', sa.String(length=36), nullable=False),
    sa.Column('filled_on', sa.String(length=8), nullable=False),
    sa.ForeignKeyConstraint(['filled_by'], ['staff.id'], ),
    sa.ForeignKeyConstraint(['form_version_id'], ['intake_form_versions.id'], ),
    sa.ForeignKeyConstraint(['patient_id'], ['patients.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('intake_form_responses', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_intake_form_responses_patient_id'), ['patient_id'], unique=False)

    op.create_table('leads',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('centre_id', sa.String(length=36), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('phone', sa.String(length=20), nullable=False),
    sa.Column('email', sa.String(length=200), nullable=False),
    sa.Column('source', sa.String(length=12), nullable=False),
    sa.Column('interest', sa.String(length=200), nullable=False),
    sa.Column('problem', sa.Text(), nullable=False),
    sa.Column('referred_by', sa.String(length=120), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('lost_reason', sa.String(length=40), nullable=False),
    sa.Column('assigned_to', sa.String(length=36), nullable=True),
    sa.Column('patient_id', sa.String(length=36), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('created_by', sa.String(length=36), nullable=True),
    sa.Column('status_changed_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['assigned_to'], ['staff.id'], ),
    sa.ForeignKeyConstraint(['centre_id'], ['centres.id'], ),
    sa.ForeignKeyConstraint(['created_by'], ['staff.id'], ),
    sa.ForeignKeyConstraint(['patient_id'], ['patients.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('leads', schema=None) as batch_op:
        batch_op.create_index('ix_leads_centre_status', ['centre_id', 'status', 'status_changed_at'], unique=False)
        batch_op.create_index('ix_leads_created_at', ['created_at'], unique=False)

    op.create_table('lab_results',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('patient_id', sa.String(length=36), nullable=False),
    sa.Column('test', sa.String(length=120), nullable=False),
    sa.Column('taken_on', sa.Date(), nullable=False),
    sa.Column('value_text', sa.String(length=200), nullable=False),
    sa.Column('value_number', sa.String(length=40), nullable=True),
    sa.Column('unit', sa.String(length=30), nullable=False),
    sa.Column('ref_low', sa.String(length=40), nullable=True),
    sa.Column('ref_high', sa.String(length=40), nullable=True),
    sa.Column('critical_low', sa.String(length=40), nullable=True),
    sa.Column('critical_high', sa.String(length=40), nullable=True),
    sa.Column('flag', sa.String(length=10), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('document_id', sa.String(length=36), nullable=True),
    sa.Column('entered_at', sa.DateTime(), nullable=False),
    sa.Column('entered_by', sa.String(length=36), nullable=False),
    sa.Column('alerted_staff_id', sa.String(length=36), nullable=True),
    sa.ForeignKeyConstraint(['alerted_staff_id'], ['staff.id'], ),
    sa.ForeignKeyConstraint(['document_id'], ['patient_documents.id'], ),
    sa.ForeignKeyConstraint(['entered_by'], ['staff.id'], ),
    sa.ForeignKeyConstraint(['patient_id'], ['patients.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('lab_results', schema=None) as batch_op:
        batch_op.create_index('ix_lab_results_patient_test', ['patient_id', 'test', 'taken_on'], unique=False)

    op.create_table('lead_events',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('lead_id', sa.String(length=36), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('by_staff_id', sa.String(length=36), nullable=True),
    sa.Column('event', sa.String(length=12), nullable=False),
    sa.Column('from_status', sa.String(length=12), nullable=False),
    sa.Column('to_status', sa.String(length=12), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['by_staff_id'], ['staff.id'], ),
    sa.ForeignKeyConstraint(['lead_id'], ['leads.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('lead_id', 'seq')
    )
    with op.batch_alter_table('lead_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lead_events_lead_id'), ['lead_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('lead_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lead_events_lead_id'))

    op.drop_table('lead_events')
    with op.batch_alter_table('lab_results', schema=None) as batch_op:
        batch_op.drop_index('ix_lab_results_patient_test')

    op.drop_table('lab_results')
    with op.batch_alter_table('leads', schema=None) as batch_op:
        batch_op.drop_index('ix_leads_created_at')
        batch_op.drop_index('ix_leads_centre_status')

    op.drop_table('leads')
    with op.batch_alter_table('intake_form_responses', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_intake_form_responses_patient_id'))

    op.drop_table('intake_form_responses')
    op.drop_table('lead_assignment')
    op.drop_table('intake_form_versions')
