"""Home, check-in and progress on a real PostgreSQL as the portal's own role (clinicdesk_portal) under row-level
security: the patient's course is read inside their centre, the check-in goes through HQ's merge tables, and a
session of another centre stays out of reach."""

import re

from sqlalchemy import select

from clinicdesk.server.portal.portal_models import PortalAuditRow
from clinicdesk.server.sync_models import RowStateRow
from tests.server.portal.conftest import KOCHI, OWN_PHONE
from tests.server.portal.home_seed import S_ABH, S_RAVI, seed_courses
from tests.server.portal.test_portal_postgres import pg_portal, pg_portal_urls  # noqa: F401 (fixtures)


def test_home_check_in_and_progress_as_the_portal_role(pg_portal):  # noqa: F811 (the imported fixture)
    seed_courses(pg_portal)
    asha = pg_portal.sign_in(OWN_PHONE, record=0)
    home = asha.get("/portal/home")
    assert home.status_code == 200 and "in 2 days, 3 hours" in home.text
    assert f"/portal/check-in/{S_ABH}" in home.text
    assert asha.get(f"/portal/check-in/{S_RAVI}").status_code == 404  # Thrissur's row is invisible from Kochi
    reply = asha.post(f"/portal/check-in/{S_ABH}", data={"score_0": "3", "energy": "8",
                                                         "csrf": pg_portal.csrf_of(asha, "/portal/home")})
    assert reply.status_code == 200 and "Thank you" in reply.text
    with pg_portal.transaction(KOCHI) as session:
        reports = [s.field_values for s in session.scalars(select(RowStateRow).where(
            RowStateRow.centre_id == KOCHI, RowStateRow.table_name == "outcome_reports"))
            if s.field_values["by_staff_id"] is None]
    assert [(r["session_id"], r["symptom_scores"], r["energy"]) for r in reports] == [(S_ABH, {"Joint pain": 3}, 8)]
    assert re.search(r'data-series="Joint pain">.*?data-x="7" data-y="3"', asha.get("/portal/progress").text, re.S)
    with pg_portal.transaction(KOCHI) as session:  # audit rows, like every row with a centre, need the centre set
        actions = set(session.scalars(select(PortalAuditRow.action)))
    assert {"home.view", "checkin.view", "checkin.submit", "progress.view"} <= actions
