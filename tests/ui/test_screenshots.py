"""Screenshot mode: signs in as the demo admin, saves one PNG per main view, and exits 0."""

import importlib.util
import sys
import types
from datetime import date

from PySide6.QtGui import QImage

from clinicdesk.domain.patients import PatientDraft
from clinicdesk.services import auth, patients
from clinicdesk.services.context import ServiceContext
from clinicdesk.store.database import create_database
from clinicdesk.ui.app import run_app

EXPECTED = {"00_setup_wizard", "01_sign_in", "02_reception_search", "03_reception_search_devanagari",
            "03_reception_search_malayalam", "04_profile_0_details", "04_profile_1_history",
            "04_profile_2_ayurvedic_assessment", "04_profile_3_consents", "04_profile_4_communication_preferences",
            "04_profile_5_documents", "04_profile_6_timeline", "04_profile_7_messages", "04_profile_8_labs",
            "04_profile_9_forms",
            "05_registration_errors", "06_admin_staff",
            "07_admin_staff_hours", "08_admin_centres", "09_admin_rooms", "10_admin_equipment", "11_lock_screen",
            "12_calendar_day_by_practitioner", "13_calendar_day_by_room", "14_calendar_week_by_practitioner",
            "15_calendar_today_queue", "16_booking_wizard_1_patient", "16_booking_wizard_2_service",
            "16_booking_wizard_3_when", "16_booking_wizard_4_slots", "16_booking_wizard_5_room_staff_confirm",
            "17_calendar_drag_in_progress", "18_calendar_refused_drag", "19_calendar_waitlist",
            "20_calendar_appointment", "21_therapy_board", "22_therapy_sop_runner", "23_therapy_progress_chart",
            "24_therapy_outcome", "25_therapy_my_day", "26_therapy_stock", "27_therapy_incidents",
            "31_consult_tablet_signed_visit", "32_desk_billing", "33_desk_dashboards",
            "33_desk_dashboards_revenue_by_week", "33_desk_dashboards_enquiries_by_week", "34_desk_enquiries",
            "35_desk_conversion_funnel", "36_desk_failed_messages", "37_care_tasks", "38_care_complaints",
            "39_care_rules", "40_sync_review", "41_admin_prices_packages", "42_admin_message_templates",
            "43_admin_erasure_requests", "44_desk_online_requests", "45_admin_patient_portal"}


def _small_clinic(data_dir, monkeypatch) -> None:
    """The demo builder when it exists; otherwise a tiny clinic made through the services, with the same login."""
    if importlib.util.find_spec("clinicdesk.services.demo") is not None:
        from clinicdesk.services.demo import build_demo_clinic

        build_demo_clinic(data_dir, passphrase=None, patients=12)
        return
    password = "sukham demo clinic"
    monkeypatch.setitem(sys.modules, "clinicdesk.services.demo",
                        types.SimpleNamespace(DEMO_ADMIN="admin", DEMO_PASSWORD=password))
    db = create_database(data_dir, passphrase=None)
    ctx = ServiceContext(db)
    ctx.user = auth.set_up_clinic(ctx, auth.ClinicSetup("Sukham", "KOC", "Kochi", "Asia/Kolkata", "Kerala", "admin",
                                                        "Anitha Menon", password))
    for given, local, phone in (("Rohit", "रोहित तिवारी", "9812345678"), ("Jisha", "ജിഷ ചാക്കോ", "9447001122")):
        patients.register_patient(ctx, PatientDraft(given_name=given, name_local=local, phone=phone, sex="female",
                                                    date_of_birth=date(1990, 1, 1)))
    db.close()


def test_screenshot_mode_saves_one_png_per_view(qtbot, qapp, tmp_path, monkeypatch):
    data_dir, out = tmp_path / "clinic", tmp_path / "shots"
    _small_clinic(data_dir, monkeypatch)
    assert run_app(data_dir, screenshot_dir=out) == 0
    saved = {p.stem: p for p in out.glob("*.png")}
    assert set(saved) == EXPECTED
    main_views = [name for name in saved if name[:2] in {"02", "03", "04", "06", "08", "09", "10", "11", "12", "13",
                                                         "14", "15", "17", "18", "19",
                                                         "21", "25", "26", "27"}]
    for name in main_views:
        image = QImage(str(saved[name]))
        assert (image.width(), image.height()) == (1366, 820), name
    # Different views really are different pictures (not one screen saved many times).
    assert len({saved[name].read_bytes() for name in main_views}) == len(main_views)


def test_screenshot_mode_without_a_clinic_exits_2(qtbot, qapp, tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "clinicdesk.services.demo",
                        types.SimpleNamespace(DEMO_ADMIN="admin", DEMO_PASSWORD="x"))
    assert run_app(tmp_path / "empty", screenshot_dir=tmp_path / "shots") == 2
