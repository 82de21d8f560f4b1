"""patient portal: sign-in codes, rate-limit events, portal sessions, the portal's audit log, and its database role

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-26 17:00:00

Four tables (clinicdesk/server/portal/portal_models.py). On PostgreSQL also:
- portal_sessions and portal_audit_log get forced row-level security: a row is visible inside its own centre, or
  while it has no centre yet (a session before its record is chosen, an audit row of a sign-in step: these carry
  no patient id, only a phone's last 4 digits and keyed hash). portal_codes and portal_rate_events have no centre.
- two SECURITY DEFINER functions for the questions asked before the centre is known, in 0002's pattern:
  clinicdesk_portal_session_centre(token_sha256) -> the session's centre id, and
  clinicdesk_portal_records_of_phone(stored phone forms, adult cut-off date) -> (centre_id, patient_id,
  as_guardian) rows of the patients a verified phone opens, nothing else of any row.
- grants to the portal's own role `clinicdesk_portal` if it exists (the DBA creates it, NOLOGIN until the operator
  gives it LOGIN; docs/portal.md): SELECT on synced rows and centre keys, what sync_push.apply_batch writes, the
  portal tables, and nothing on devices, enrolment codes or centres.
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy import text

revision: str = '0010'
down_revision: str | None = '0009'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PORTAL_ROLE = "clinicdesk_portal"
POLICY = "portal_centre_isolation"
IN_CENTRE_OR_UNASSIGNED = "centre_id IS NULL OR centre_id = current_setting('clinicdesk.centre_id', true)"
CENTRE_SCOPED_TABLES = ("portal_sessions", "portal_audit_log")
GRANTS = {
    "SELECT": ("sync_row_states", "centre_keys", "server_epoch"),
    "SELECT, INSERT, UPDATE": ("portal_codes", "portal_rate_events", "portal_sessions",
                               # what apply_batch writes when the portal submits a patient's request or feedback
                               "sync_sequences", "sync_row_states", "sync_applied_ops", "sync_changes",
                               "sync_conflicts", "sync_loser_log", "sync_review_items"),
    "SELECT, INSERT": ("portal_audit_log",),  # append-only: the portal cannot rewrite its own audit trail
}
SEQUENCES = ("portal_rate_events_id_seq", "portal_audit_log_id_seq")


def _on_postgresql() -> bool:
    return op.get_bind().dialect.name == "postgresql"


def _create_tables() -> None:
    op.create_table(
        'portal_codes',
        sa.Column('id', sa.String(length=36), nullable=False),
        sa.Column('challenge_sha256', sa.String(length=64), nullable=False),
        sa.Column('phone_key', sa.String(length=64), nullable=False),
        sa.Column('phone_last4', sa.String(length=4), nullable=False),
        sa.Column('code_salt', sa.String(length=32), nullable=False),
        sa.Column('code_hash', sa.String(length=64), nullable=False),
        sa.Column('records', sa.JSON(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('expires_at', sa.DateTime(), nullable=False),
        sa.Column('wrong_tries', sa.Integer(), nullable=False),
        sa.Column('used_at', sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('challenge_sha256'))
    op.create_index('ix_portal_codes_phone_key_created', 'portal_codes', ['phone_key', 'created_at'], unique=False)
    op.create_table(
        'portal_rate_events',
        sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
        sa.Column('bucket', sa.String(length=100), nullable=False),
        sa.Column('at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id'))
    op.create_index('ix_portal_rate_events_bucket_at', 'portal_rate_events', ['bucket', 'at'], unique=False)
    op.create_table(
        'portal_sessions',
        sa.Column('id', sa.String(length=36), nullable=False),
        sa.Column('token_sha256', sa.String(length=64), nullable=False),
        sa.Column('phone_key', sa.String(length=64), nullable=False),
        sa.Column('phone_last4', sa.String(length=4), nullable=False),
        sa.Column('records', sa.JSON(), nullable=False),
        sa.Column('centre_id', sa.String(length=36), nullable=True),
        sa.Column('patient_id', sa.String(length=36), nullable=True),
        sa.Column('as_guardian', sa.Boolean(), nullable=False),
        sa.Column('language', sa.String(length=8), nullable=False),
        sa.Column('csrf_token', sa.String(length=64), nullable=False),
        sa.Column('client_ip_key', sa.String(length=64), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('last_seen_at', sa.DateTime(), nullable=False),
        sa.Column('ended_at', sa.DateTime(), nullable=True),
        sa.Column('end_reason', sa.String(length=20), nullable=True),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('token_sha256'))
    op.create_table(
        'portal_audit_log',
        sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
        sa.Column('at', sa.DateTime(), nullable=False),
        sa.Column('session_id', sa.String(length=36), nullable=True),
        sa.Column('centre_id', sa.String(length=36), nullable=True),
        sa.Column('patient_id', sa.String(length=36), nullable=True),
        sa.Column('action', sa.String(length=60), nullable=False),
        sa.Column('subject', sa.String(length=120), nullable=False),
        sa.Column('phone_last4', sa.String(length=4), nullable=True),
        sa.Column('phone_key', sa.String(length=64), nullable=True),
        sa.Column('client_ip_key', sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint('id'))
    op.create_index('ix_portal_audit_log_centre_patient', 'portal_audit_log', ['centre_id', 'patient_id'],
                    unique=False)


def _functions(schema: str) -> dict[str, str]:
    session_centre = f"SELECT centre_id FROM {schema}.portal_sessions WHERE token_sha256 = $1"  # noqa: S608
    # $1: the stored forms of the phone (+91XXXXXXXXXX, the bare 10 digits...), $2: the ISO date 18 years ago
    # (born after it = under 18; ISO dates compare correctly as text, so a malformed date cannot fail a cast).
    records = f"""
        SELECT centre_id::text, row_id::text, false FROM {schema}.sync_row_states
         WHERE table_name = 'patients' AND deleted IS NULL AND field_values->>'phone' = ANY($1)
        UNION
        SELECT centre_id::text, row_id::text, true FROM {schema}.sync_row_states
         WHERE table_name = 'patients' AND deleted IS NULL AND field_values->>'emergency_contact_phone' = ANY($1)
           AND lower(trim(field_values->>'emergency_contact_relation')) IN ('parent', 'mother', 'father', 'guardian')
           AND field_values->>'date_of_birth' > $2"""  # noqa: S608 (names are constants)
    return {
        "clinicdesk_portal_session_centre(text)":
            f"RETURNS text LANGUAGE sql STABLE STRICT SECURITY DEFINER SET search_path = {schema}, pg_temp "
            f"AS $$ {session_centre} $$",
        "clinicdesk_portal_records_of_phone(text[], text)":
            "RETURNS TABLE (centre_id text, patient_id text, as_guardian boolean) LANGUAGE sql STABLE STRICT "
            f"SECURITY DEFINER SET search_path = {schema}, pg_temp AS $$ {records} $$",
    }


def _grant_to_portal_role() -> None:
    exists = op.get_bind().execute(text("SELECT 1 FROM pg_roles WHERE rolname = :role"), {"role": PORTAL_ROLE}).first()
    if exists is None:
        # the owner role cannot create roles; the DBA creates clinicdesk_portal (docs/portal.md) and runs the
        # grants of docs/portal.md, or creates the role before migrating
        return
    op.execute(f"GRANT USAGE ON SCHEMA {_schema()} TO {PORTAL_ROLE}")
    for privileges, tables in GRANTS.items():
        op.execute(f"GRANT {privileges} ON {', '.join(tables)} TO {PORTAL_ROLE}")
    op.execute(f"GRANT USAGE, SELECT ON SEQUENCE {', '.join(SEQUENCES)} TO {PORTAL_ROLE}")


def _schema() -> str:
    bind = op.get_bind()
    return bind.dialect.identifier_preparer.quote_schema(bind.execute(text("SELECT current_schema()")).scalar())


def upgrade() -> None:
    _create_tables()
    if not _on_postgresql():
        return
    for table in CENTRE_SCOPED_TABLES:
        op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
        op.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
        op.execute(f"CREATE POLICY {POLICY} ON {table} FOR ALL TO PUBLIC "
                   f"USING ({IN_CENTRE_OR_UNASSIGNED}) WITH CHECK ({IN_CENTRE_OR_UNASSIGNED})")
    for signature, body in _functions(_schema()).items():
        op.execute(f"CREATE FUNCTION {signature} {body}")
    _grant_to_portal_role()


def downgrade() -> None:
    if _on_postgresql():
        for signature in _functions(_schema()):
            op.execute(f"DROP FUNCTION {signature}")
        exists = op.get_bind().execute(text("SELECT 1 FROM pg_roles WHERE rolname = :role"),
                                       {"role": PORTAL_ROLE}).first()
        if exists is not None:
            for privileges, tables in GRANTS.items():
                kept = [t for t in tables if not t.startswith("portal_")]
                if kept:
                    op.execute(f"REVOKE {privileges} ON {', '.join(kept)} FROM {PORTAL_ROLE}")
            op.execute(f"REVOKE USAGE ON SCHEMA {_schema()} FROM {PORTAL_ROLE}")
    op.drop_index('ix_portal_audit_log_centre_patient', table_name='portal_audit_log')
    op.drop_table('portal_audit_log')
    op.drop_table('portal_sessions')
    op.drop_index('ix_portal_rate_events_bucket_at', table_name='portal_rate_events')
    op.drop_table('portal_rate_events')
    op.drop_index('ix_portal_codes_phone_key_created', table_name='portal_codes')
    op.drop_table('portal_codes')
