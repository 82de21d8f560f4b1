"""The dashboards on a small clinic with figures worked out by hand (see tests/services/dashboard_world.py)."""

import sys
from datetime import timedelta
from decimal import Decimal

import pytest

from clinicdesk.domain.dashboard_metrics import Period, View
from clinicdesk.domain.errors import NotFound, PermissionDenied, ValidationError
from clinicdesk.domain.roles import Role
from clinicdesk.services import admin, dashboards
from clinicdesk.services.admin_dto import StaffDraft
from clinicdesk.services.context import ServiceContext, SignedInUser
from tests.conftest import STAFF_PASSWORD
from tests.services.dashboard_world import MONDAY, SUNDAY, DashboardWorld
from tests.services.helpers import standalone_clinic


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    with standalone_clinic(tmp_path_factory.mktemp("dashboards") / "clinic") as boss:
        yield DashboardWorld(boss).build()


def signed_in(world, role: Role) -> ServiceContext:
    username = f"dash.{role.value}".replace("_", "")
    staff_id, _ = admin.create_staff(world.boss, StaffDraft(username, f"Test {role.value}", role.value, world.centre),
                                     STAFF_PASSWORD)
    return ServiceContext(world.boss.db, user=SignedInUser(staff_id, username, "Test", role, world.centre),
                          clock=world.boss.clock)


def build(world, view=View.OWNER, period=Period.DAY, *, centre="kochi", first=MONDAY, last=SUNDAY, ctx=None):
    centre_id = {"kochi": world.centre, "dubai": world.dubai, "all": None}[centre]
    return dashboards.build_dashboard(ctx or world.boss, view=view, period=period, first_day=first, last_day=last,
                                      centre_id=centre_id)


def column(panel, index):
    return [row[index] for row in panel.rows]


def test_appointments_by_day_count_kochi_days_and_leave_out_moved_ones(world):
    """Mon: 00:15 IST (18:45 UTC on Sunday) and 10:00, both completed; Tue: a no-show; Wed: a cancellation (the
    rescheduled one is not counted); Fri: a future confirmed one; 00:15 IST next Monday is outside the range."""
    panel = build(world).panel("appointments")
    assert panel.columns == ("Period", "Booked", "Completed", "Cancelled", "No-shows", "No-show rate")
    assert column(panel, 0) == ["23 Nov 2026", "24 Nov 2026", "25 Nov 2026", "26 Nov 2026", "27 Nov 2026",
                                "28 Nov 2026", "29 Nov 2026"]
    assert column(panel, 1) == [2, 1, 1, 0, 1, 0, 0]
    assert column(panel, 4) == [0, 1, 0, 0, 0, 0, 0]
    # due = attended + missed; a day with only a cancellation or only future bookings has no rate at all
    assert column(panel, 5) == [0.0, 1.0, None, None, None, None, None]
    assert "5 appointments booked, 2 completed, 1 cancelled, 1 no-show; no-show rate 33.3 %" in panel.summary


def test_a_week_and_every_centre(world):
    """All centres adds Dubai's Thursday appointment (bucketed by Dubai's own day): 6 booked, 1 no-show of 4 due."""
    panel = build(world, period=Period.WEEK, centre="all").panel("appointments")
    assert panel.rows == (("Week of 23 Nov 2026", 6, 3, 1, 1, 0.25),)
    assert build(world, centre="all").centre_name == "All centres"
    dubai = build(world, period=Period.MONTH, centre="dubai")
    assert dubai.centre_name == "Dubai"
    assert dubai.panel("appointments").rows == (("Nov 2026", 1, 1, 0, 0, 0.0),)


def test_the_week_after_starts_at_ist_midnight(world):
    """The appointment at 00:15 IST on Monday 30 November is stored as Sunday 18:45 UTC: it belongs to the next week."""
    panel = build(world, period=Period.WEEK, first=MONDAY, last=SUNDAY + timedelta(days=1)).panel("appointments")
    assert [(row[0], row[1]) for row in panel.rows] == [("Week of 23 Nov 2026", 5), ("Week of 30 Nov 2026", 1)]


def test_utilisation_of_rooms_and_therapists(world):
    """Rostered Mon-Sat 09-17 less an hour's break: 42 h. Therapist booked: 60 + 90 min (the no-show, cancelled and
    moved ones hold no time; the 00:15 one has no therapist). Room: the working day is the rota, 42 h; booked 30 + 60 +
    90 min."""
    owner = build(world, period=Period.WEEK)
    assert owner.panel("therapists").rows == (("Week of 23 Nov 2026", 2.5, 42.0, 150 / 2520),)
    assert owner.panel("rooms").rows == (("Week of 23 Nov 2026", 3.0, 42.0, 180 / 2520),)
    each = build(world, View.DIRECTOR, Period.WEEK).panel("therapist_each")
    assert each.rows == (("Rajan Pillai", 2.5, 42.0, 150 / 2520),)


def test_satisfaction_and_nps(world):
    """Recommend 10, 9, 6, 8: two promoters and one detractor of four, NPS 25; overall ratings 5, 4, 3, 4."""
    panel = build(world).panel("satisfaction")
    assert panel.rows[0] == ("23 Nov 2026", 2, 4.5, 5.0, 100.0)
    assert panel.rows[1] == ("24 Nov 2026", 0, None, None, None)
    assert "4 feedback forms; overall rating 4.00 of 5, practitioner 4.50 of 5; NPS 25" in panel.summary


def test_outcomes_per_protocol(world):
    """Virechana: pain 8->3 and stiffness 6->2 in one course, pain 5->6 in another: mean (-5 - 4 + 1) / 3; one
    course improved. Kati basti has a single report: a course, but nothing measured yet."""
    panel = build(world, View.DIRECTOR).panel("outcomes")
    assert panel.rows == (("Kati basti course", 1, 1, 0, None, 0), ("Virechana course", 2, 4, 2, -2.67, 1))


def test_complications_per_step_place_the_incident_at_the_step_under_way(world):
    """Step 2 was skipped as a deviation; the incident came eight minutes in, before step 3 was ticked."""
    panel = build(world, View.DIRECTOR).panel("complications")
    assert panel.rows == (("swedana", 2, "Fresh linen", 1, 1, 0), ("swedana", 3, "Steam", 0, 0, 1))
    assert "1 therapy session started in this range: 1 step skipped, 1 deviation and 1 incident." == panel.summary


def test_revenue_collections_and_outstanding(world):
    """Tue: invoice 1000, 400 paid at 23:50 IST (18:20 UTC, still Tuesday); Wed: credit note 100 on it and an invoice
    of 250. Outstanding today: 1000 - 100 - 400 on Tuesday's bill, 250 on Wednesday's."""
    panel = build(world).panel("revenue")
    assert panel.rows[1] == ("24 Nov 2026", Decimal("1000.00"), Decimal("400.00"), Decimal("500.00"))
    assert panel.rows[2] == ("25 Nov 2026", Decimal("150.00"), Decimal("0"), Decimal("250.00"))
    assert "2 invoices: ₹1,150.00 invoiced (less credit notes), ₹400.00 collected, ₹750.00 still outstanding" \
        in panel.summary


def test_enquiry_conversion(world):
    panel = build(world, period=Period.WEEK).panel("conversion")
    assert panel.rows == (("Week of 23 Nov 2026", 3, 1, 1, 1, 1 / 3),)
    assert "3 enquiries, 1 converted to patients, 1 lost; conversion 33.3 %; best source: walk in (1 of 1)." \
        == panel.summary


def test_views_show_their_own_panels(world):
    assert [p.key for p in build(world, View.OWNER).panels] == list(dashboards.PANELS[View.OWNER])
    assert [p.key for p in build(world, View.DIRECTOR).panels] == list(dashboards.PANELS[View.DIRECTOR])
    assert {name for _, name in build(world).centres} == {"Kochi", "Dubai"}
    assert build(world).clinic_name == "Sukham Ayurveda"


def test_without_the_billing_module_the_panel_says_so(world, monkeypatch):
    monkeypatch.setitem(sys.modules, "clinicdesk.services.dashboard_money", None)  # makes the import fail
    revenue = build(world).panel("revenue")
    assert revenue.rows == ()
    assert revenue.unavailable == "Billing data is not available in this version."


def test_doctors_see_the_dashboards_and_therapists_do_not(world):
    assert build(world, View.DIRECTOR, ctx=signed_in(world, Role.DOCTOR)).panels
    with pytest.raises(PermissionDenied, match="may not do this"):
        build(world, ctx=signed_in(world, Role.THERAPIST))


@pytest.mark.parametrize(("kwargs", "error", "message"), [
    ({"period": "year"}, ValidationError, "Period must be one of: day, week, month"),
    ({"view": "accountant"}, ValidationError, "View must be one of: owner, director"),
    ({"first": SUNDAY, "last": MONDAY}, ValidationError, "To must not be before the first day"),
])
def test_bad_requests_say_what_is_wrong(world, kwargs, error, message):
    with pytest.raises(error, match=message):
        build(world, **kwargs)


def test_an_unknown_centre_is_refused(world):
    with pytest.raises(NotFound, match="That centre was not found"):
        dashboards.build_dashboard(world.boss, view="owner", period="day", first_day=MONDAY, last_day=SUNDAY,
                                   centre_id="no-such-centre")
