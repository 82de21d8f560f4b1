"""Admin > Patient portal: the rules are saved as given, wrong values are refused with a specific message."""

import pytest

from clinicdesk.domain.errors import PermissionDenied, ValidationError
from clinicdesk.domain.roles import Role
from clinicdesk.services.portal_settings import PortalSettings, get_settings, save_settings
from tests.services.helpers import audit_rows


def test_a_centre_that_never_set_it_up_has_online_booking_off(world):
    settings = get_settings(world.boss, world.centre)
    assert (settings.booking_enabled, settings.min_notice_hours, settings.max_days_ahead,
            settings.change_notice_hours, settings.bookable_service_ids) == (False, 12, 14, 24, ())


def test_saved_settings_read_back_and_are_audited(world):
    wanted = PortalSettings(world.centre, booking_enabled=True, auto_approve=True, min_notice_hours=6,
                            max_days_ahead=21, change_notice_hours=48,
                            bookable_service_ids=tuple(sorted((world.services["ABH"], world.services["NAS"]))))
    save_settings(world.boss, wanted)
    assert get_settings(world.boss, world.centre) == wanted
    assert [r.detail for r in audit_rows(world.boss, action="portal_settings.save")] == [
        "booking on; auto-approve on; 2 services"]


@pytest.mark.parametrize(("overrides", "message"), [
    ({"max_days_ahead": 0}, "Days ahead must be between 1 and 60 days"),
    ({"max_days_ahead": 61}, "Days ahead must be between 1 and 60 days"),
    ({"min_notice_hours": -1}, "Minimum notice must be between 0 and 336 hours"),
    ({"min_notice_hours": 48, "max_days_ahead": 2}, "Minimum notice must be shorter than the days ahead"),
    ({"change_notice_hours": 400}, "Notice to change or cancel must be between 0 and 336 hours"),
    ({"bookable_service_ids": ()}, "Bookable services must include at least one service"),
    ({"bookable_service_ids": ("no-such-service",)}, "Bookable services must all be services the clinic still"),
])
def test_wrong_values_are_refused_with_a_specific_message_and_nothing_is_saved(world, overrides, message):
    wanted = PortalSettings(world.centre, booking_enabled=True, bookable_service_ids=(world.services["ABH"],))
    fields = {**wanted.__dict__, **overrides}
    with pytest.raises(ValidationError, match=message):
        save_settings(world.boss, PortalSettings(**fields))
    assert get_settings(world.boss, world.centre).booking_enabled is False


def test_only_an_administrator_changes_them(world):
    with pytest.raises(PermissionDenied):
        save_settings(world.ctx(Role.FRONT_DESK), PortalSettings(world.centre))
