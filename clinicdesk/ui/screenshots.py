"""Screenshot mode: sign in as the demo admin, open each main view, save one PNG per view, exit."""

import sys
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from tempfile import TemporaryDirectory

from PySide6.QtWidgets import QApplication, QWidget

from clinicdesk.domain.errors import ClinicError
from clinicdesk.domain.prakriti import PRAKRITI_QUESTIONS, Dosha
from clinicdesk.services import auth, patients
from clinicdesk.services.context import ServiceContext
from clinicdesk.store.database import open_database
from clinicdesk.ui.app_context import AppContext
from clinicdesk.ui.calendar.screenshot_steps import CalendarTour
from clinicdesk.ui.consult.screenshot_steps import ConsultTour
from clinicdesk.ui.dialogs.setup_wizard import SetupWizard
from clinicdesk.ui.dialogs.sign_in_dialog import SignInDialog
from clinicdesk.ui.main_window import MainWindow
from clinicdesk.ui.tasks import TaskRunner
from clinicdesk.ui.therapy.screenshot_steps import TherapyTour

WINDOW_SIZE = (1366, 820)


# The desk's other pages, one screenshot each; they load on the database thread, so each gets a moment to fill.
DESK_PAGES = (("billing", "32_desk_billing"), ("dashboards", "33_desk_dashboards"), ("leads", "34_desk_enquiries"),
              ("lead_funnel", "35_desk_conversion_funnel"), ("failed_messages", "36_desk_failed_messages"),
              ("care_tasks", "37_care_tasks"), ("complaints", "38_care_complaints"), ("care_rules", "39_care_rules"),
              ("sync_review", "40_sync_review"), ("prices", "41_admin_prices_packages"),
              ("message_templates", "42_admin_message_templates"), ("erasure", "43_admin_erasure_requests"),
              ("online_requests", "44_desk_online_requests"), ("patient_portal", "45_admin_patient_portal"))
PAGE_LOAD_SECONDS = 1.5


def _settle(app: QApplication, rounds: int = 3) -> None:
    for _ in range(rounds):
        app.processEvents()


def _wait(app: QApplication, seconds: float) -> None:
    """Let work queued on other threads come back and paint (a page's first load)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        app.processEvents()
        time.sleep(0.02)


class ScreenshotTour:
    def __init__(self, app: QApplication, ctx: ServiceContext, runner: TaskRunner, out_dir: Path):
        self.app, self.ctx, self.runner, self.out_dir = app, ctx, runner, out_dir
        self.saved: list[Path] = []

    def shoot(self, name: str, widget: QWidget) -> None:
        _settle(self.app)
        path = self.out_dir / f"{name}.png"
        if not widget.grab().save(str(path)):
            raise OSError(f"could not write {path}")
        self.saved.append(path)

    def run(self, username: str, password: str) -> list[Path]:
        self._sign_in_screens(username, password)
        window = MainWindow(AppContext(self.ctx, self.runner), idle_timeout_ms=0)
        window.resize(*WINDOW_SIZE)
        window.show()
        try:
            self._reception(window)
            self._admin(window)
            self._calendar(window)
            self._therapy(window)
            self._desk_pages(window)
            self._consultation_room()
            window.lock()
            self.shoot("11_lock_screen", window)
        finally:
            window.sign_out()
            window.close()
            window.deleteLater()
            _settle(self.app)
        return self.saved

    def _sign_in_screens(self, username: str, password: str) -> None:
        with TemporaryDirectory() as scratch:
            wizard = SetupWizard(Path(scratch) / "new-clinic", keyring_available=False)
            wizard.show()
            self.shoot("00_setup_wizard", wizard)
            wizard.close()
        dialog = SignInDialog(self.ctx, self.runner, username=username)
        dialog.show()
        self.shoot("01_sign_in", dialog)
        dialog.password.setText(password)
        dialog.sign_in()
        if self.ctx.user is None:
            raise ClinicError(f"Could not sign in as the demo administrator '{username}': "
                              f"{dialog.banner.text() or 'unknown reason'}")
        dialog.close()

    def _pick_patient(self, recent: list) -> str | None:
        """The fullest chart among a few recent patients with a local-script name, so every tab has content."""
        candidates = [p for p in recent if p.name_local][:12] or recent[:12]
        best, best_score = None, -1
        for summary in candidates:
            profile = patients.get_profile(self.ctx, summary.id)
            score = (3 * bool(profile.allergies) + 2 * bool(profile.aadhaar_masked) + bool(profile.medications)
                     + bool(profile.assessments) + bool(profile.documents) + bool(profile.consents))
            if score > best_score:
                best, best_score = summary.id, score
        return best

    def _reception(self, window: MainWindow) -> None:
        window.navigate("patients")
        search = window.reception.search
        recent = patients.search_patients(self.ctx, "", limit=200)
        if not recent:
            return
        latin = next((p for p in recent if p.name_local), recent[0])
        self._type(search, latin.display_name.split()[0][:4])
        self.shoot("02_reception_search", window)
        for suffix, low, high in (("devanagari", "\u0900", "\u097f"), ("malayalam", "\u0d00", "\u0d7f")):
            local = next((p for p in recent if any(low <= ch <= high for ch in p.name_local)), None)
            if local is not None:
                self._type(search, local.name_local.split()[0])
                self.shoot(f"03_reception_search_{suffix}", window)
        patient_id = self._pick_patient(recent)
        window.reception.open_patient(patient_id)
        profile = window.reception.profile
        tabs = profile.tabs
        for index in range(tabs.count()):
            tabs.setCurrentIndex(index)
            if tabs.currentWidget() is profile.assessment:
                self._preview_questionnaire(profile.assessment)
            slug = tabs.tabText(index).lower().replace(" ", "_").replace("&", "")
            self.shoot(f"04_profile_{index}_{slug}", window)
        profile.assessment.clear_answers()
        tabs.setCurrentIndex(0)
        window.reception.show_search()
        self._registration_errors(window)

    @staticmethod
    def _preview_questionnaire(tab) -> None:
        """Tick answers on screen (nothing is saved) so the picture shows the live Vata/Pitta/Kapha result."""
        pattern = [Dosha.PITTA, Dosha.VATA, Dosha.PITTA, Dosha.PITTA, Dosha.KAPHA, Dosha.VATA, Dosha.PITTA,
                   Dosha.VATA, Dosha.PITTA, Dosha.KAPHA]
        for question, dosha in zip(PRAKRITI_QUESTIONS, pattern, strict=False):
            tab.answer(question.key, dosha)

    def _type(self, search, text: str) -> None:
        search.search_box.setText(text)
        search.search_now()

    def _registration_errors(self, window: MainWindow) -> None:
        form = window.reception.search.open_registration()
        if form is None:
            return
        for name, value in (("given_name", "Ravi2"), ("family_name", "Kumar"), ("phone", "12345"),
                            ("email", "ravi@"), ("pincode", "0123"), ("abha_number", "91-2345")):
            form.field_widget(name).setText(value)
        form.save()
        self.shoot("05_registration_errors", form)
        form.reject()

    def _admin(self, window: MainWindow) -> None:
        steps: list[tuple[str, str, Callable[[QWidget], QWidget | None] | None]] = [
            ("staff", "06_admin_staff", None), ("centres", "08_admin_centres", None),
            ("rooms", "09_admin_rooms", None), ("equipment", "10_admin_equipment", None)]
        for key, name, _ in steps:
            if key not in window.nav_keys():
                continue
            page = window.navigate(key)
            self.shoot(name, window)
            if key == "staff" and page.model.rowCount():
                page.table.selectRow(0)
                dialog = page.edit_selected()
                dialog.tabs.setCurrentIndex(2)
                self.shoot("07_admin_staff_hours", dialog)
                dialog.reject()

    def _calendar(self, window: MainWindow) -> None:
        if "calendar" in window.nav_keys():
            page = window.navigate("calendar")
            _settle(self.app)
            CalendarTour(page, window, self.shoot).run()

    def _therapy(self, window: MainWindow) -> None:
        if "therapy_board" in window.nav_keys():
            page = window.navigate("therapy_board")
            _settle(self.app)
            TherapyTour(page, window, self.shoot).run()
        for key, name in (("my_day", "25_therapy_my_day"), ("stock", "26_therapy_stock"),
                          ("incidents", "27_therapy_incidents")):
            if key in window.nav_keys():
                window.navigate(key)
                _settle(self.app)
                self.shoot(name, window)


    def _desk_pages(self, window: MainWindow) -> None:
        for key, name in DESK_PAGES:
            if key in window.nav_keys():
                window.navigate(key)
                _wait(self.app, PAGE_LOAD_SECONDS)
                self.shoot(name, window)
                if key == "dashboards":
                    self._dashboard_trends(window)

    def _dashboard_trends(self, window: MainWindow) -> None:
        """The owner's money and enquiry panels by week over the last quarter, where the trend shows."""
        page = window.page("dashboards")
        today = page.app.today()
        page.set_range(today - timedelta(days=today.weekday(), weeks=12), today)  # thirteen whole weeks
        page.period_choice.setCurrentIndex(page.period_choice.findData("week"))  # reloads the panels
        _wait(self.app, PAGE_LOAD_SECONDS * 2)
        for key, name in (("revenue", "33_desk_dashboards_revenue_by_week"),
                          ("conversion", "33_desk_dashboards_enquiries_by_week")):
            view = next((v for v in page.panel_views if v.panel.key == key), None)
            if view is not None:
                page.scroll.verticalScrollBar().setValue(view.y())
                _settle(self.app)
                self.shoot(name, window)

    def _consultation_room(self) -> None:
        from clinicdesk.services.demo import DEMO_DOCTOR, DEMO_PASSWORD

        ConsultTour(self.ctx, self.runner, self.shoot, doctor=DEMO_DOCTOR, password=DEMO_PASSWORD).run()


def take_screenshots(app: QApplication, data_dir: Path, out_dir: Path) -> int:
    from clinicdesk.services.demo import DEMO_ADMIN, DEMO_PASSWORD  # only screenshot mode needs the demo

    out_dir.mkdir(parents=True, exist_ok=True)
    try:
        database = open_database(data_dir)  # keyring, or CLINICDESK_PASSPHRASE
    except ClinicError as exc:
        print(f"clinicdesk: {exc}", file=sys.stderr)
        return 2
    runner = TaskRunner(threaded=False)  # deterministic: each view is filled before it is grabbed
    ctx = ServiceContext(database)
    try:
        if auth.needs_setup(ctx):
            print("clinicdesk: this clinic is not set up yet; run `clinicdesk demo` first.", file=sys.stderr)
            return 2
        saved = ScreenshotTour(app, ctx, runner, out_dir).run(DEMO_ADMIN, DEMO_PASSWORD)
    except ClinicError as exc:
        print(f"clinicdesk: {exc}", file=sys.stderr)
        return 2
    finally:
        runner.shutdown()
        database.close()
    for path in saved:
        print(path)
    return 0
