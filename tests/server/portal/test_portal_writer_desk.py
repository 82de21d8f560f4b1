"""Rows the portal writes reach a real desk: HQ under uvicorn, a desk enrolled with it, the portal's booking request
and feedback pulled at the desk's next sync like any other device's change."""

import uuid
from datetime import UTC, datetime

from sqlalchemy import select

from clinicdesk.server.database import open_server_database
from clinicdesk.server.portal.writer import submit_rows
from clinicdesk.store.models_feedback import FeedbackRow
from clinicdesk.store.models_portal import PortalRequestRow
from clinicdesk.sync.enrolment import enrol
from tests.sync.hq_fixtures import clock, enrolment_code, new_centre, serve_hq_url, set_up_clinic_desk, sync

RATINGS = {"effectiveness": 5, "practitioner": 4, "facility": 4, "staff": 5, "value": 4, "overall": 5}


def test_a_desk_pulls_what_the_portal_wrote(tmp_path):
    ctx = set_up_clinic_desk(tmp_path / "desk-a")
    try:
        with serve_hq_url(tmp_path) as hq_url:
            centre = new_centre(hq_url)
            enrol(ctx.db.data_dir, hq_url, enrolment_code(hq_url, centre), "", device_name="Reception desk",
                  database=ctx.db)
            assert sync(ctx.db).rejected == 0
            desk_centre = ctx.user.centre_id
            feedback_id = str(uuid.uuid4())
            fields = {"centre_id": desk_centre, "scope": "course", "anonymous": True, "patient_id": None,
                      "plan_id": None, "session_id": None, "practitioner_id": None, "therapy": "", **RATINGS,
                      "recommend": 9, "comment": "Kind staff", "submitted_at": "2026-11-26T04:30:00+00:00"}
            request_id = str(uuid.uuid4())
            request = {"centre_id": desk_centre, "patient_id": str(uuid.uuid4()), "kind": "book",
                       "service_id": str(uuid.uuid4()), "appointment_id": None,
                       "requested_start": "2026-11-28T03:30:00+00:00", "note": "Evening if possible",
                       "requested_at": "2026-11-26T04:30:00+00:00", "language": "ml", "status": "pending",
                       "decision_note": "", "result_appointment_id": None, "decided_at": None, "decided_by": None}
            hq_sessions = open_server_database(f"sqlite:///{tmp_path / 'hq' / 'hq.sqlite3'}")
            try:
                with hq_sessions.begin() as session:
                    submit_rows(session, centre, [("feedback", feedback_id, fields),
                                                  ("portal_requests", request_id, request)], clock())
            finally:
                hq_sessions.kw["bind"].dispose()
            pulled = sync(ctx.db)
        assert pulled.pulled >= 1 and pulled.rejected == 0 and pulled.verified
        with ctx.db.session() as session:
            row = session.scalars(select(FeedbackRow).where(FeedbackRow.id == feedback_id)).one()
            assert (row.centre_id, row.overall, row.recommend, row.comment) == (desk_centre, 5, 9, "Kind staff")
            asked = session.get(PortalRequestRow, request_id)
            assert (asked.kind, asked.status, asked.language, asked.note) == ("book", "pending", "ml",
                                                                              "Evening if possible")
            assert asked.requested_start == datetime(2026, 11, 28, 3, 30, tzinfo=UTC)
    finally:
        ctx.db.close()
