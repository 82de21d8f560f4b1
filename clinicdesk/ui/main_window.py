"""The main window: a sidebar of the pages this role may use, a toolbar with the user, and the idle lock."""

from collections.abc import Callable

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence, QShowEvent
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QSizePolicy,
    QStackedWidget,
    QToolBar,
    QWidget,
)

import clinicdesk
from clinicdesk.domain.roles import Action
from clinicdesk.services import admin
from clinicdesk.ui.admin.centres_view import CentresView
from clinicdesk.ui.admin.equipment_view import EquipmentView
from clinicdesk.ui.admin.rooms_view import RoomsView
from clinicdesk.ui.admin.staff_view import StaffView
from clinicdesk.ui.app_context import AppContext
from clinicdesk.ui.calendar.calendar_page import CalendarPage
from clinicdesk.ui.calendar.permissions import APPOINTMENT_VIEW
from clinicdesk.ui.dialogs.change_password_dialog import ChangePasswordDialog
from clinicdesk.ui.idle import IdleWatcher
from clinicdesk.ui.lock_page import LockPage
from clinicdesk.ui.notifications.alerts import AlertsHookup
from clinicdesk.ui.notifications.sender import MessageSender
from clinicdesk.ui.reception.reception_page import ReceptionPage
from clinicdesk.ui.sync.controller import SyncController
from clinicdesk.ui.sync.window_hookup import SyncHookup
from clinicdesk.ui.therapy.board_page import TherapyBoardPage
from clinicdesk.ui.therapy.incidents_page import IncidentsPage
from clinicdesk.ui.therapy.my_day import MyDayPage
from clinicdesk.ui.therapy.stock_page import StockPage
from clinicdesk.ui.widgets.messages import show_error, show_info

SIDEBAR_WIDTH = 210


# Pages opened rarely (or only in one room) are imported when first opened: start-up pays only for the first page.
def _consult_page(app: AppContext) -> QWidget:
    from clinicdesk.ui.consult.consult_page import make_consult_page

    return make_consult_page(app)


def _protocol_templates_page(app: AppContext) -> QWidget:
    from clinicdesk.ui.admin.protocol_editor import ProtocolTemplatesPage

    return ProtocolTemplatesPage(app)


def _review_page(app: AppContext) -> QWidget:
    from clinicdesk.ui.sync.review_page import SyncReviewPage

    return SyncReviewPage(app)


def _care_page(app: AppContext, key: str) -> QWidget:
    from clinicdesk.ui.feedback.pages import make_care_page

    return make_care_page(app, key)


def _portal_settings_page(app: AppContext) -> QWidget:
    from clinicdesk.ui.portal.settings_page import PortalSettingsPage

    return PortalSettingsPage(app)


def _leads_page(app: AppContext, key: str) -> QWidget:
    from clinicdesk.ui.leads.pages import make_leads_page

    return make_leads_page(app, key)


def _recordings_page(app: AppContext) -> QWidget:
    from clinicdesk.ui.admin.recordings_view import RecordingsView

    return RecordingsView(app)


def _erasure_page(app: AppContext) -> QWidget:
    from clinicdesk.ui.documents.erasure_page import ErasurePage

    return ErasurePage(app)


def _failed_messages_page(app: AppContext) -> QWidget:
    from clinicdesk.ui.notifications.failed_view import FailedMessagesView

    return FailedMessagesView(app)


def _message_templates_page(app: AppContext) -> QWidget:
    from clinicdesk.ui.notifications.templates_page import TemplatesPage

    return TemplatesPage(app)


def _message_channels_page(app: AppContext) -> QWidget:
    from clinicdesk.ui.notifications.channels_page import ChannelSettingsPage

    return ChannelSettingsPage(app)


def _billing_page(app: AppContext) -> QWidget:
    from clinicdesk.ui.billing.billing_page import BillingPage

    return BillingPage(app)


def _prices_page(app: AppContext) -> QWidget:
    from clinicdesk.ui.billing.prices_view import PricesView

    return PricesView(app)


def _dashboards_page(app: AppContext) -> QWidget:
    from clinicdesk.ui.dashboards.dashboards_page import DashboardsPage

    return DashboardsPage(app)


class MainWindow(QMainWindow):
    signed_out = Signal()
    closed = Signal()

    def __init__(self, app: AppContext, *, idle_timeout_ms: int | None = None, sync: SyncController | None = None,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.app = app
        self.locked = False
        self._hidden_dialogs: list[QWidget] = []
        self.setObjectName("mainWindow")
        self._set_title()
        self.resize(1366, 820)

        self.pages: dict[str, QWidget] = {}
        self._page_factories: dict[str, Callable[[], QWidget]] = {}
        self.nav_items: dict[str, QListWidgetItem] = {}
        self.sidebar = QListWidget()
        self.sidebar.setObjectName("sidebar")
        self.sidebar.setFixedWidth(SIDEBAR_WIDTH)
        self.sidebar.setIconSize(QSize(0, 0))
        self.page_stack = QStackedWidget()
        self._build_pages()
        self.sidebar.currentItemChanged.connect(self._nav_changed)

        workspace = QWidget()
        row = QHBoxLayout(workspace)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(0)
        row.addWidget(self.sidebar)
        row.addWidget(self.page_stack, 1)
        self.workspace = workspace
        self.lock_page = LockPage(app)
        self.lock_page.unlocked.connect(self.unlock)
        self.lock_page.sign_out_requested.connect(self.sign_out)
        self.outer = QStackedWidget()
        self.outer.addWidget(workspace)
        self.outer.addWidget(self.lock_page)
        self.setCentralWidget(self.outer)
        self._build_toolbar()

        self.status = self.statusBar()
        self.busy_label = QLabel()
        self.status.addPermanentWidget(self.busy_label)
        # Bound methods, not lambdas: the runner outlives this window (sign-out), and Qt drops a connection to
        # a destroyed receiver only when the receiver is a QObject's method.
        app.runner.busy_changed.connect(self._show_busy)
        app.runner.task_failed.connect(self._show_task_error)
        self.sync = SyncHookup(self, self.status, self.toolbar, self.lock_action, sync or SyncController(app))
        self.sync.indicator.review_requested.connect(self._open_sync_review)
        self.message_sender = MessageSender(app, parent=self)  # sends due messages when the scheduler rings
        self.message_sender.start()
        self.alerts = AlertsHookup(app, self.status, self)  # "2 new alerts" for this staff member

        minutes = app.ctx.db.config.idle_lock_minutes
        timeout = idle_timeout_ms if idle_timeout_ms is not None else max(0, minutes) * 60_000
        self.idle: IdleWatcher | None = None
        if timeout > 0:
            self.idle = IdleWatcher(timeout, self)
            self.idle.idle.connect(self.lock)
            self.idle.restart()

        self._centres_requested = False
        first = next(iter(self.nav_items), None)
        if first:
            self.navigate(first)

    # --- building --------------------------------------------------------------------------------------------

    def _add_heading(self, text: str) -> None:
        item = QListWidgetItem(text.upper())
        item.setFlags(Qt.ItemFlag.NoItemFlags)
        font = item.font()
        font.setPointSize(8)
        font.setBold(True)
        item.setFont(font)
        self.sidebar.addItem(item)

    def _add_page(self, key: str, title: str, make_page: Callable[[], QWidget]) -> None:
        """Pages are built when first opened; start-up pays only for the first one."""
        item = QListWidgetItem(title)
        item.setData(Qt.ItemDataRole.UserRole, key)
        self.sidebar.addItem(item)
        self._page_factories[key] = make_page
        self.nav_items[key] = item

    def page(self, key: str) -> QWidget:
        if key not in self.pages:
            page = self._page_factories[key]()
            self.page_stack.addWidget(page)
            self.pages[key] = page
        return self.pages[key]

    def _build_pages(self) -> None:
        # Visibility follows the role matrix; the services refuse anything not allowed regardless.
        app = self.app
        may_search, may_view_calendar = app.may(Action.PATIENT_SEARCH), app.may(APPOINTMENT_VIEW)
        if may_search or may_view_calendar:
            self._add_heading(self.tr("Reception"))
        if may_search:
            self.reception = ReceptionPage(app)
            self._add_page("patients", self.tr("Patients"), lambda: self.reception)
        if may_view_calendar:
            self._add_page("calendar", self.tr("Calendar"), lambda: CalendarPage(app))
        if may_view_calendar and app.may(Action.APPOINTMENT_BOOK):  # the patient portal's requests
            self._add_online_requests()
        if may_search and app.may(Action.MESSAGE_VIEW) and app.may(Action.APPOINTMENT_BOOK):  # the desk
            self._add_page("failed_messages", self.tr("Failed messages"), lambda: _failed_messages_page(app))
        if app.may(Action.THERAPY_VIEW):
            self._add_heading(self.tr("Therapy"))
            if app.may(Action.SESSION_RUN):
                self._add_page("my_day", self.tr("My day"), lambda: MyDayPage(app))
            self._add_page("therapy_board", self.tr("Therapy board"), lambda: TherapyBoardPage(app))
            if app.may(Action.SESSION_RUN) or app.may(Action.STOCK_MANAGE):
                self._add_page("stock", self.tr("Stock"), lambda: StockPage(app))
            if app.may(Action.SESSION_RUN) or app.may(Action.INCIDENT_MANAGE):
                self._add_page("incidents", self.tr("Incidents"), lambda: IncidentsPage(app))
        care_pages = [(key, title) for key, title, action in (
            ("care_tasks", self.tr("Clinician tasks"), Action.CARE_TASKS_WORK),
            ("complaints", self.tr("Complaints"), Action.FEEDBACK_REVIEW),
            ("care_rules", self.tr("Care rules"), Action.CARE_RULES_MANAGE)) if app.may(action)]
        if care_pages:  # the feedback loop; care rules sit here because the medical director is a doctor
            self._add_heading(self.tr("Patient care"))
            for key, title in care_pages:
                self._add_page(key, title, lambda key=key: _care_page(app, key))
        if app.may(Action.LEAD_VIEW):  # the desk, customer relations and the medical director's funnel
            self._add_heading(self.tr("Enquiries"))
            for key, title in (("leads", self.tr("Enquiries")), ("lead_funnel", self.tr("Conversion funnel"))):
                self._add_page(key, title, lambda key=key: _leads_page(app, key))
        if app.may(Action.CONSULT_RUN):
            self._add_heading(self.tr("Consultation room"))
            self._add_page("consult", self.tr("Consultations"), lambda: _consult_page(app))
        if app.may(Action.BILLING_VIEW):
            self._add_heading(self.tr("Billing"))
            self._add_page("billing", self.tr("Invoices & payments"), lambda: _billing_page(app))
        if app.may(Action.DASHBOARD_VIEW):  # the owner (an administrator) and the medical director
            self._add_heading(self.tr("Dashboards"))
            self._add_page("dashboards", self.tr("Dashboards"), lambda: _dashboards_page(app))
        if app.may(Action.SYNC_REVIEW):
            self._add_heading(self.tr("Sync"))
            self._add_page("sync_review", self.tr("Sync review"), lambda: self._sync_review_page())
        admin_pages = []
        if app.may(Action.STAFF_MANAGE):
            admin_pages.append(("staff", self.tr("Staff & roles"), StaffView))
        if app.may(Action.CENTRE_MANAGE):
            admin_pages += [("centres", self.tr("Centres & holidays"), CentresView),
                            ("rooms", self.tr("Rooms"), RoomsView), ("equipment", self.tr("Equipment"), EquipmentView)]
            admin_pages.append(("patient_portal", self.tr("Patient portal"), _portal_settings_page))
        if app.may(Action.PROTOCOL_MANAGE):
            admin_pages.append(("protocols", self.tr("Protocol templates"), _protocol_templates_page))
        if app.may(Action.RECORDING_ADMIN):
            admin_pages.append(("recordings", self.tr("Recordings"), _recordings_page))
        if app.may(Action.ERASURE_CARRY_OUT):  # requests are recorded from the profile; this page works them
            admin_pages.append(("erasure", self.tr("Erasure requests"), _erasure_page))
        if app.may(Action.BILLING_MANAGE):
            admin_pages.append(("prices", self.tr("Prices & packages"), _prices_page))
        if app.may(Action.MESSAGE_MANAGE):
            admin_pages += [("message_templates", self.tr("Message templates"), _message_templates_page),
                            ("message_channels", self.tr("Message channels"), _message_channels_page)]
        if admin_pages:
            self._add_heading(self.tr("Administration"))
            for key, title, view in admin_pages:
                self._add_page(key, title, lambda view=view: view(app))
        if not self.nav_items:
            empty = QLabel(self.tr("Your role has no screens in this version yet. Ask an administrator."))
            empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
            self.page_stack.addWidget(empty)

    def _add_online_requests(self) -> None:
        from clinicdesk.ui.portal.requests_page import OnlineRequestsPage, PendingBadge

        def suggest_another_time(item) -> None:
            self.navigate("calendar").open_booking(patient_id=item.patient_id)

        title = self.tr("Online requests")
        self._add_page("online_requests", title,
                       lambda: OnlineRequestsPage(self.app, open_booking=suggest_another_time))
        self.online_requests_badge = PendingBadge(self.app, self.nav_items["online_requests"], title, self)

    def _build_toolbar(self) -> None:
        toolbar = QToolBar(self.tr("Account"))
        toolbar.setObjectName("accountToolbar")
        toolbar.setMovable(False)
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        user = self.app.user
        self.user_label = QLabel(self.tr("Signed in as %1 (%2)").replace("%1", user.full_name)
                                 .replace("%2", self.tr(user.role_label)) if user else "")
        self.user_label.setContentsMargins(8, 0, 8, 0)
        toolbar.addWidget(self.user_label)
        spacer = QWidget()
        spacer.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        toolbar.addWidget(spacer)
        self.tablet_action = QAction(self.tr("Tablet mode"), self)
        self.tablet_action.setCheckable(True)
        self.tablet_action.setShortcut(QKeySequence("F11"))
        self.tablet_action.toggled.connect(self.set_tablet_mode)
        toolbar.addAction(self.tablet_action)
        self.lock_action = QAction(self.tr("Lock screen"), self)
        self.lock_action.setShortcut(QKeySequence("Ctrl+L"))
        self.lock_action.triggered.connect(self.lock)
        self.password_action = QAction(self.tr("Change password…"), self)
        self.password_action.triggered.connect(self.open_change_password)
        self.about_action = QAction(self.tr("About"), self)
        self.about_action.triggered.connect(self.show_about)
        self.sign_out_action = QAction(self.tr("Sign out"), self)
        self.sign_out_action.triggered.connect(self.sign_out)
        for action in (self.lock_action, self.password_action, self.about_action, self.sign_out_action):
            toolbar.addAction(action)
        self.addToolBar(Qt.ToolBarArea.TopToolBarArea, toolbar)
        self.toolbar = toolbar

    def set_tablet_mode(self, on: bool) -> None:
        """Full screen without the sidebar: the consultation room's wall tablet, worked by touch alone."""
        if self.tablet_action.isChecked() != on:
            self.tablet_action.setChecked(on)  # comes back here through `toggled`
            return
        self.sidebar.setVisible(not on)
        if on:
            if "consult" in self.nav_items:
                self.navigate("consult")
            self.showFullScreen()
        else:
            self.showNormal()

    def _show_busy(self, busy: bool) -> None:
        self.busy_label.setText(self.tr("Working…") if busy else "")

    def _show_task_error(self, text: str) -> None:
        show_error(self, text)

    def _set_title(self, centre: str = "") -> None:
        # Never patient data here: titles show in task bars, window switchers and screen shares.
        self.setWindowTitle(self.tr("ClinicDesk — %1").replace("%1", centre) if centre else self.tr("ClinicDesk"))

    def _centres_loaded(self, centres) -> None:
        user = self.app.user
        mine = next((c for c in centres if user and c.id == user.centre_id), None)
        if mine:
            self.app.set_centre(mine.name, mine.timezone)
            if not self.locked:
                self._set_title(mine.name)

    # --- navigation ------------------------------------------------------------------------------------------

    def nav_keys(self) -> list[str]:
        return list(self.nav_items)

    def navigate(self, key: str) -> QWidget:
        self.sidebar.setCurrentItem(self.nav_items[key])
        return self.page(key)

    def _sync_review_page(self) -> QWidget:
        page = _review_page(self.app)
        page.open_count_changed.connect(self.sync.show_review_count)
        return page

    def _stop_sync_review(self) -> None:
        if "sync_review" in self.pages:
            self.pages["sync_review"].shutdown()  # its HQ calls run on worker threads, which must not outlive it

    def _open_sync_review(self) -> None:
        if "sync_review" in self.nav_items:
            self.navigate("sync_review")

    def _nav_changed(self, item: QListWidgetItem | None, _previous) -> None:
        if item is not None and (key := item.data(Qt.ItemDataRole.UserRole)) in self._page_factories:
            self.page_stack.setCurrentWidget(self.page(key))

    # --- lock, sign-out, account ------------------------------------------------------------------------------

    def lock(self) -> None:
        """Hide everything that may show patient data, dialogs included, until the password is typed again."""
        if self.locked:
            return
        self.locked = True
        if self.idle:
            self.idle.stop()
        self._hidden_dialogs = [w for w in QApplication.topLevelWidgets()
                                if isinstance(w, QDialog) and w.isVisible() and w is not self]
        for dialog in self._hidden_dialogs:
            dialog.hide()
        if hasattr(self, "reception") and self.reception.has_profile():
            self.reception.profile.header.mask_sensitive()
        self.toolbar.hide()
        self.outer.setCurrentWidget(self.lock_page)
        self._set_title(self.tr("Locked"))
        self.lock_page.prepare()

    def unlock(self) -> None:
        if not self.locked:
            return
        self.locked = False
        self.outer.setCurrentWidget(self.workspace)
        self.toolbar.show()
        self._set_title(self.app.centre_name)
        for dialog in self._hidden_dialogs:
            dialog.show()
        self._hidden_dialogs = []
        if self.idle:
            self.idle.restart()

    def sign_out(self) -> None:
        if self.idle:
            self.idle.uninstall()
        self.sync.controller.shutdown()
        self._stop_sync_review()
        self.message_sender.shutdown()
        for dialog in [*self._hidden_dialogs, *[w for w in QApplication.topLevelWidgets()
                                                 if isinstance(w, QDialog) and w.isVisible()]]:
            dialog.close()
        self._hidden_dialogs = []
        if hasattr(self, "reception") and self.reception.has_profile():
            self.reception.profile.clear()
        self.app.ctx.user = None
        self.signed_out.emit()

    def open_change_password(self) -> ChangePasswordDialog:
        dialog = ChangePasswordDialog(self.app, self)
        dialog.saved.connect(lambda _: self.status.showMessage(self.tr("Your password was changed."), 5000))
        dialog.open()
        return dialog

    def show_about(self) -> None:
        user = self.app.user
        show_info(self, self.tr("ClinicDesk %1\nOffline-first records for Ayurveda and Panchakarma clinics.\n\n"
                                "Signed in as %2 (%3) at %4.")
                  .replace("%1", clinicdesk.__version__)
                  .replace("%2", user.full_name if user else "").replace("%3", user.role_label if user else "")
                  .replace("%4", self.app.centre_name or "—"), title=self.tr("About ClinicDesk"))

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self._centres_requested:
            # Queued after the pages' own first loads (children are shown first), so the patient list comes first.
            self._centres_requested = True
            self.app.runner.run(admin.list_centres, self.app.ctx, owner=self, on_done=self._centres_loaded,
                                on_error=lambda _exc: None)  # the title just stays generic

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.idle:
            self.idle.uninstall()
        self.sync.controller.shutdown()
        self.message_sender.shutdown()
        self._stop_sync_review()
        super().closeEvent(event)
        self.closed.emit()
