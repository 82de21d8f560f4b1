"""Admin screens: lists load through services, dialogs refuse bad input field by field, actions apply."""

from datetime import date, time

from clinicdesk.domain.roles import Role
from clinicdesk.services import admin, auth
from clinicdesk.services.admin_dto import RoomDraft
from clinicdesk.ui.admin.centres_view import CentresView
from clinicdesk.ui.admin.equipment_view import EquipmentView
from clinicdesk.ui.admin.rooms_view import RoomsView
from clinicdesk.ui.admin.staff_view import StaffView


def _show(qtbot, view):
    qtbot.addWidget(view)
    view.show()
    return view


def _column(view, column: int) -> list[str]:
    return [view.model.index(r, column).data() for r in range(view.model.rowCount())]


def test_staff_list_shows_role_centre_and_state(qtbot, app_ctx, ctx_for_role):
    ctx_for_role(Role.THERAPIST)
    view = _show(qtbot, StaffView(app_ctx))
    assert _column(view, 0) == ["Asha Menon", "Test therapist"]
    assert _column(view, 2) == ["Administrator", "Therapist"]
    assert _column(view, 3) == ["Kochi (KOC)", "Kochi (KOC)"]


def test_new_staff_dialog_marks_each_wrong_field_then_creates(qtbot, app_ctx):
    view = _show(qtbot, StaffView(app_ctx))
    dialog = view.open_new()
    dialog.username.setText("Bad Name!")
    dialog.password.setText("short")
    dialog.password_again.setText("short")
    dialog.save()
    assert "Username must be 3-40 characters" in dialog.banner.text()
    assert dialog.errors.invalid_fields() == ["username"]

    dialog.username.setText("meera.n")
    dialog.full_name.setText("Dr. Meera Nair")
    dialog.role.set_value("doctor")
    assert dialog.has_profile.isChecked()  # a doctor gets a practitioner profile by default
    dialog.phone.setText("12")
    dialog.password.setText("coconut palms at dawn")
    dialog.password_again.setText("coconut palms at dawn")
    dialog.save()
    banner = dialog.banner.text()
    assert "Phone must be a 10-digit Indian number" in banner
    assert "Licence number is required for a doctor" in banner
    assert dialog.tabs.currentIndex() == 0 and dialog.isVisible()

    dialog.phone.setText("9847000111")
    dialog.licence.setText("TCMC-12345")
    dialog.hours.fill_standard_week()
    dialog.save()
    assert not dialog.isVisible()
    assert "Dr. Meera Nair" in _column(view, 0)
    created = next(s for s in admin.list_staff(app_ctx.ctx) if s.username == "meera.n")
    assert created.profile.licence_number == "TCMC-12345"
    assert [(h.weekday, h.start, h.break_start) for h in created.hours][:2] == [(0, time(9), time(13)),
                                                                                (1, time(9), time(13))]
    assert auth.sign_in(app_ctx.ctx, "meera.n", "coconut palms at dawn").role == Role.DOCTOR


def test_working_hours_with_a_break_outside_them_are_refused_on_their_tab(qtbot, app_ctx, ctx_for_role):
    ctx_for_role(Role.THERAPIST)
    view = _show(qtbot, StaffView(app_ctx))
    view.table.selectRow(1)
    dialog = view.edit_selected()
    from clinicdesk.services.admin_dto import WorkingHours

    dialog.hours.set_hours([WorkingHours(2, time(9), time(13), time(14), time(15))])
    dialog.save()
    assert "Working hours on Wednesday: the break must fall inside working hours" in dialog.banner.text()
    assert dialog.tabs.currentWidget() is dialog.hours


def test_deactivate_reset_and_unlock(qtbot, app_ctx, ctx_for_role, monkeypatch):
    ctx_for_role(Role.NURSE)
    monkeypatch.setattr("clinicdesk.ui.admin.staff_view.confirm", lambda *a, **k: True)
    view = _show(qtbot, StaffView(app_ctx))
    view.table.selectRow(1)
    view.toggle_active()
    assert _column(view, 4) == ["Yes", "No"]
    view.table.selectRow(1)
    view.reset_password()
    view.dialog.password.setText("abc")
    view.dialog.save()
    assert "Password must be at least 10 characters" in view.dialog.banner.text()
    view.dialog.password.setText("river boats in kochi")
    view.dialog.save()
    assert not view.dialog.isVisible()
    view.table.selectRow(0)
    view.toggle_active()  # one's own account cannot be switched off; the message box says so
    assert _column(view, 4)[0] == "Yes"


def test_centre_dialog_with_holidays(qtbot, app_ctx):
    view = _show(qtbot, CentresView(app_ctx))
    assert _column(view, 0) == ["KOC"]
    dialog = view.open_new()
    dialog.code.setText("P1")
    dialog.name.setText("Pune")
    dialog.gstin.setText("27XYZ")
    dialog.save()
    assert "Centre code must be 2-6 capital letters" in dialog.banner.text()
    assert set(dialog.errors.invalid_fields()) == {"code", "gstin"}
    dialog.code.setText("pun")
    dialog.gstin.setText("")
    dialog.state.setCurrentText("Maharashtra")
    dialog.holidays.add_holiday(date(2026, 12, 25), "Christmas")
    dialog.holidays.add_holiday(date(2027, 3, 29), "Gudi Padwa")
    dialog.save()
    assert not dialog.isVisible()
    assert _column(view, 0) == ["KOC", "PUN"] and _column(view, 5) == ["0", "2"]
    assert _column(view, 6)[1] == "Christmas (25 Dec 2026), Gudi Padwa (29 Mar 2027)"


def test_rooms_dialog_validates_and_filters_by_centre(qtbot, app_ctx, monkeypatch):
    view = _show(qtbot, RoomsView(app_ctx))
    dialog = view.open_new()
    dialog.capacity.setValue(0)
    dialog.save()
    assert "Room name is required" in dialog.banner.text()
    assert "Capacity must be between 1 and 50 people" in dialog.banner.text()
    dialog.name.setText("Shirodhara 1")
    dialog.room_type.set_value("shirodhara")
    dialog.capacity.setValue(1)
    dialog.gender.set_value("female")
    dialog.cleaning.setValue(20)
    dialog.save()
    assert _column(view, 0) == ["Shirodhara 1"] and _column(view, 2) == ["Shirodhara"]
    assert _column(view, 5) == ["20 min"]
    monkeypatch.setattr("clinicdesk.ui.admin.rooms_view.confirm", lambda *a, **k: True)
    view.table.selectRow(0)
    view.toggle_active()
    assert _column(view, 6) == ["No"]
    assert view.centre_filter.count() == 2  # "All centres" and Kochi


def test_equipment_offers_only_rooms_of_its_centre(qtbot, app_ctx):
    centre = app_ctx.user.centre_id
    room_id, _ = admin.save_room(app_ctx.ctx, RoomDraft(centre, "Abhyanga 1", "abhyanga"))
    view = _show(qtbot, EquipmentView(app_ctx))
    dialog = view.open_new()
    assert [dialog.room.itemText(i) for i in range(dialog.room.count())] == ["Not kept in one room", "Abhyanga 1"]
    dialog.save()
    assert "Equipment name is required" in dialog.banner.text() and "Kind is required" in dialog.banner.text()
    dialog.name.setText("Droni 1")
    dialog.kind.setCurrentText("droni")
    dialog.room.set_value(room_id)
    dialog.save()
    assert _column(view, 0) == ["Droni 1"] and _column(view, 3) == ["Abhyanga 1"]
