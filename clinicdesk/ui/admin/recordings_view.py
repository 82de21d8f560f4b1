"""Consultation recordings for the retention duty: when each goes, the retention setting, and deleting the expired."""

from decimal import Decimal

from PySide6.QtWidgets import QLabel, QPushButton, QSpinBox, QWidget

from clinicdesk.domain.errors import ValidationError
from clinicdesk.services import recordings
from clinicdesk.services.consultation_dto import RecordingItem
from clinicdesk.services.context import Changes
from clinicdesk.ui.admin.list_view import AdminListView
from clinicdesk.ui.app_context import AppContext
from clinicdesk.ui.choices import code_label
from clinicdesk.ui.formatting import format_date, format_datetime
from clinicdesk.ui.widgets.form_errors import FieldErrors
from clinicdesk.ui.widgets.list_model import Column
from clinicdesk.ui.widgets.messages import confirm

# Wider than the service's 1-3650 on purpose: a spin box that silently clamps 5000 to 3650 hides the rule, while
# the service's sentence in the banner states it.
RETENTION_INPUT_RANGE = (0, 99_999)


def short_id(value: str) -> str:
    """The random tail of a time-ordered id: ids made in the same millisecond share their head, never their tail."""
    return value[-8:].upper()


def length_text(seconds: Decimal) -> str:
    whole = int(seconds)
    return f"{whole // 60:02d}:{whole % 60:02d}"


class RecordingsView(AdminListView):
    """Ids only, never names: an administrator keeping to the retention policy has no need to know who was heard."""

    def __init__(self, app: AppContext, parent: QWidget | None = None):
        super().__init__(app, self.tr("Consultation recordings"), [
            Column(self.tr("Started"), lambda r: format_datetime(r.started_at, self.app.tz)),
            Column(self.tr("Patient id"), lambda r: short_id(r.patient_id)),
            Column(self.tr("Consultation"), lambda r: short_id(r.consultation_id)),
            Column(self.tr("Length"), lambda r: length_text(r.seconds)),
            Column(self.tr("State"), lambda r: code_label(r.state)),
            Column(self.tr("Delete after"), lambda r: format_date(r.delete_after)),
            Column(self.tr("Deleted"), self._deleted_text, stretch=True),
        ], parent)
        for column, width in ((0, 170), (1, 100), (2, 110), (3, 70), (4, 100), (5, 120)):
            self.table.setColumnWidth(column, width)
        self.retention = QSpinBox()
        self.retention.setRange(*RETENTION_INPUT_RANGE)
        self.retention.setSuffix(self.tr(" days"))
        self.retention.setAccessibleName(self.tr("Keep new recordings for"))
        self.save_retention_button = QPushButton(self.tr("Save"))
        self.save_retention_button.clicked.connect(self.save_retention)
        keep_label = QLabel(self.tr("Keep new recordings for"))
        keep_label.setBuddy(self.retention)
        for widget in (keep_label, self.retention, self.save_retention_button):
            self.filter_row.addWidget(widget)
        self.errors = FieldErrors(self.banner, {"retention_days": self.retention})
        self.notice = QLabel()
        self.notice.setObjectName("infoBanner")
        self.notice.setWordWrap(True)
        self.notice.hide()
        self.layout().insertWidget(2, self.notice)  # under the error banner, above the table
        self.due_hint = QLabel()
        self.due_hint.setObjectName("muted")
        self.button_row.addWidget(self.due_hint)
        self.button_row.addStretch(1)
        self.purge_button = self.add_button(self.tr("Delete expired recordings now"), self.purge_expired)
        hint = QLabel(self.tr("A new retention applies to recordings made from now on; existing ones keep their "
                              "delete-after date."))
        hint.setObjectName("muted")
        hint.setWordWrap(True)
        self.layout().addWidget(hint)

    def _deleted_text(self, item: RecordingItem) -> str:
        if item.deleted_at is None:
            return ""
        when = format_datetime(item.deleted_at, self.app.tz)
        return f"{when} ({code_label(item.deletion_reason)})" if item.deletion_reason else when

    def is_relevant(self, changes: Changes) -> bool:
        return changes.consultations or changes.settings

    def reload(self) -> None:
        ctx = self.app.ctx

        def fetch():
            return recordings.recording_retention(ctx), recordings.list_recordings(ctx)

        self.app.runner.run(fetch, owner=self, on_done=self._loaded, on_error=self.show_problem)

    def _loaded(self, result: tuple[int, list[RecordingItem]]) -> None:
        days, items = result
        self.errors.clear()
        self.retention.setValue(days)
        self.model.set_rows(items)
        due = self.due_count()
        self.due_hint.setText(self.tr("%1 recording(s) past their delete-after date.").replace("%1", str(due))
                              if due else self.tr("No recording is past its delete-after date."))

    def due_count(self) -> int:
        today = self.app.today()
        return sum(1 for r in self.model.rows() if r.state != "deleted" and r.delete_after <= today)

    def edit_selected(self) -> None:
        """Double-clicking a row does nothing: a recording has nothing an administrator may edit."""

    def _say(self, text: str) -> None:
        self.notice.setText(text)
        self.notice.setVisible(bool(text))

    # --- retention -------------------------------------------------------------------------------------------

    def save_retention(self) -> None:
        self.errors.clear()
        self._say("")
        days = self.retention.value()
        self.app.runner.run(recordings.set_recording_retention, self.app.ctx, days, owner=self,
                            on_done=lambda _: self._say(self.tr("New recordings will be kept for %1 days.")
                                                        .replace("%1", str(days))),
                            on_error=self._retention_refused)

    def _retention_refused(self, exc: Exception) -> None:
        if isinstance(exc, ValidationError):
            self.errors.show(exc)
        else:
            self.show_problem(exc)

    # --- deletion --------------------------------------------------------------------------------------------

    def purge_expired(self) -> None:
        self.errors.clear()
        self._say("")
        question = self.tr("Delete every recording whose delete-after date has come (%1 in this list)? The audio "
                           "cannot be recovered.").replace("%1", str(self.due_count()))
        if not confirm(self, question):
            return
        self.app.runner.run(recordings.purge_expired_recordings, self.app.ctx, self.app.today(), owner=self,
                            on_done=self._purged, on_error=self.show_problem)

    def _purged(self, result: tuple[int, Changes]) -> None:
        count, _ = result
        if count == 0:
            self._say(self.tr("No recording was due for deletion."))
        elif count == 1:
            self._say(self.tr("1 recording was deleted."))
        else:
            self._say(self.tr("%1 recordings were deleted.").replace("%1", str(count)))
