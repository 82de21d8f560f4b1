"""The demo clinic's patient portal: online booking on in Kochi for three therapies, a person confirms, two
requests waiting at free times, and the free times published."""

from sqlalchemy import func, select

from clinicdesk.services import appointments, portal_requests
from clinicdesk.services.portal_settings import get_settings
from clinicdesk.store.models_portal import PortalAvailabilityRow
from tests.services.test_demo import FIXED_NOW, demo_ctx, demo_dir  # noqa: F401 (fixtures)


def test_the_demo_has_online_booking_and_two_requests_a_person_can_confirm(demo_ctx):  # noqa: F811
    centre = demo_ctx.user.centre_id
    settings = get_settings(demo_ctx, centre)
    names = {s.id: s.name for s in appointments.list_services(demo_ctx)}
    assert settings.booking_enabled and not settings.auto_approve
    assert sorted(names[i].split(" ")[0] for i in settings.bookable_service_ids) == ["Abhyanga", "Nasya",
                                                                                      "Shirodhara"]
    waiting = portal_requests.list_requests(demo_ctx, centre)
    assert len(waiting) == 2 and {r.kind for r in waiting} == {"book"}
    assert all(r.requested_start.date() > FIXED_NOW.date() for r in waiting)
    with demo_ctx.db.session() as session:
        assert session.scalar(select(func.count()).select_from(PortalAvailabilityRow)) == 3 * 15
    booked, _ = portal_requests.confirm_request(demo_ctx, waiting[0].id)  # still free: the engine agrees
    assert appointments.get_appointment(demo_ctx, booked).source == "portal"
