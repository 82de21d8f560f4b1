"""feedback, complaints, care rules and their firings, clinician tasks

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-26 13:49:49.452895
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0011'
down_revision: str | None = '0010'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('care_rules',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('key', sa.String(length=40), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('saved_at', sa.DateTime(), nullable=False),
    sa.Column('saved_by', sa.String(length=36), nullable=True),
    sa.ForeignKeyConstraint(['saved_by'], ['staff.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('key', 'version')
    )
    op.create_table('rule_firings',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('centre_id', sa.String(length=36), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('rule_key', sa.String(length=40), nullable=False),
    sa.Column('rule_version', sa.Integer(), nullable=False),
    sa.Column('trigger', sa.String(length=24), nullable=False),
    sa.Column('source_id', sa.String(length=36), nullable=False),
    sa.Column('patient_id', sa.String(length=36), nullable=True),
    sa.Column('evidence', sa.JSON(), nullable=False),
    sa.Column('actions', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['centre_id'], ['centres.id'], ),
    sa.ForeignKeyConstraint(['patient_id'], ['patients.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('rule_firings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rule_firings_at'), ['at'], unique=False)

    op.create_table('clinician_tasks',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('centre_id', sa.String(length=36), nullable=False),
    sa.Column('kind', sa.String(length=24), nullable=False),
    sa.Column('patient_id', sa.String(length=36), nullable=True),
    sa.Column('assignee_id', sa.String(length=36), nullable=True),
    sa.Column('due_at', sa.DateTime(), nullable=False),
    sa.Column('reason', sa.String(length=300), nullable=False),
    sa.Column('firing_id', sa.String(length=36), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('done_at', sa.DateTime(), nullable=True),
    sa.Column('done_by', sa.String(length=36), nullable=True),
    sa.ForeignKeyConstraint(['assignee_id'], ['staff.id'], ),
    sa.ForeignKeyConstraint(['centre_id'], ['centres.id'], ),
    sa.ForeignKeyConstraint(['done_by'], ['staff.id'], ),
    sa.ForeignKeyConstraint(['firing_id'], ['rule_firings.id'], ),
    sa.ForeignKeyConstraint(['patient_id'], ['patients.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('clinician_tasks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_clinician_tasks_centre_id'), ['centre_id'], unique=False)

    op.create_table('feedback',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('centre_id', sa.String(length=36), nullable=False),
    sa.Column('scope', sa.String(length=8), nullable=False),
    sa.Column('anonymous', sa.Boolean(), nullable=False),
    sa.Column('patient_id', sa.String(length=36), nullable=True),
    sa.Column('plan_id', sa.String(length=36), nullable=True),
    sa.Column('session_id', sa.String(length=36), nullable=True),
    sa.Column('practitioner_id', sa.String(length=36), nullable=True),
    sa.Column('therapy', sa.String(length=40), nullable=False),
    sa.Column('effectiveness', sa.Integer(), nullable=False),
    sa.Column('practitioner', sa.Integer(), nullable=False),
    sa.Column('facility', sa.Integer(), nullable=False),
    sa.Column('staff', sa.Integer(), nullable=False),
    sa.Column('value', sa.Integer(), nullable=False),
    sa.Column('overall', sa.Integer(), nullable=False),
    sa.Column('recommend', sa.Integer(), nullable=False),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.Column('submitted_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['centre_id'], ['centres.id'], ),
    sa.ForeignKeyConstraint(['patient_id'], ['patients.id'], ),
    sa.ForeignKeyConstraint(['plan_id'], ['care_plans.id'], ),
    sa.ForeignKeyConstraint(['practitioner_id'], ['staff.id'], ),
    sa.ForeignKeyConstraint(['session_id'], ['plan_sessions.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('feedback', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_feedback_patient_id'), ['patient_id'], unique=False)
        batch_op.create_index('ix_feedback_practitioner_at', ['practitioner_id', 'submitted_at'], unique=False)

    op.create_table('session_flags',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('session_id', sa.String(length=36), nullable=False),
    sa.Column('flag', sa.String(length=24), nullable=False),
    sa.Column('reason', sa.String(length=300), nullable=False),
    sa.Column('firing_id', sa.String(length=36), nullable=True),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['firing_id'], ['rule_firings.id'], ),
    sa.ForeignKeyConstraint(['session_id'], ['plan_sessions.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('session_id', 'flag')
    )
    with op.batch_alter_table('session_flags', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_session_flags_session_id'), ['session_id'], unique=False)

    op.create_table('complaints',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('centre_id', sa.String(length=36), nullable=False),
    sa.Column('patient_id', sa.String(length=36), nullable=True),
    sa.Column('feedback_id', sa.String(length=36), nullable=True),
    sa.Column('summary', sa.String(length=300), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('owner_id', sa.String(length=36), nullable=True),
    sa.Column('source', sa.String(length=60), nullable=False),
    sa.Column('opened_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['centre_id'], ['centres.id'], ),
    sa.ForeignKeyConstraint(['feedback_id'], ['feedback.id'], ),
    sa.ForeignKeyConstraint(['owner_id'], ['staff.id'], ),
    sa.ForeignKeyConstraint(['patient_id'], ['patients.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('feedback_id')
    )
    with op.batch_alter_table('complaints', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_complaints_centre_id'), ['centre_id'], unique=False)

    op.create_table('complaint_responses',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('complaint_id', sa.String(length=36), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('by_staff_id', sa.String(length=36), nullable=True),
    sa.Column('from_status', sa.String(length=12), nullable=False),
    sa.Column('to_status', sa.String(length=12), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['by_staff_id'], ['staff.id'], ),
    sa.ForeignKeyConstraint(['complaint_id'], ['complaints.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('complaint_id', 'seq')
    )
    with op.batch_alter_table('complaint_responses', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_complaint_responses_complaint_id'), ['complaint_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('complaint_responses', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_complaint_responses_complaint_id'))

    op.drop_table('complaint_responses')
    with op.batch_alter_table('complaints', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_complaints_centre_id'))

    op.drop_table('complaints')
    with op.batch_alter_table('session_flags', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_session_flags_session_id'))

    op.drop_table('session_flags')
    with op.batch_alter_table('feedback', schema=None) as batch_op:
        batch_op.drop_index('ix_feedback_practitioner_at')
        batch_op.drop_index(batch_op.f('ix_feedback_patient_id'))

    op.drop_table('feedback')
    with op.batch_alter_table('clinician_tasks', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_clinician_tasks_centre_id'))

    op.drop_table('clinician_tasks')
    with op.batch_alter_table('rule_firings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rule_firings_at'))

    op.drop_table('rule_firings')
    op.drop_table('care_rules')
