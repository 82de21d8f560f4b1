"""The status bar's sync indicator: not connected, last sync and changes waiting, or the failure's sentence."""

from datetime import datetime, tzinfo

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QWidget

from clinicdesk.services.sync_status import SyncStatus

GREY, GREEN, AMBER, RED = "#6b7280", "#15803d", "#b45309", "#b91c1c"


def describe(status: SyncStatus, tz: tzinfo, today: datetime) -> tuple[str, str]:
    """(text, colour) for a status; `today` is now in the clinic's time zone, to leave out the date of today."""
    if not status.enrolled:
        return "Not connected to an HQ", GREY
    if status.failed:
        return f"Sync failed: {status.last_error}", RED
    if status.last_sync_at is None:
        head = "Not synced yet"
    else:
        local = status.last_sync_at.astimezone(tz)
        head = f"Synced {local:%H:%M}" if local.date() == today.date() else f"Synced {local:%d %b %H:%M}"
    parts = [head, f"{status.pending} change{'' if status.pending == 1 else 's'} waiting" if status.pending
             else "all changes sent"]
    if status.rejected:
        parts.append(f"{status.rejected} need{'s' if status.rejected == 1 else ''} attention")
    colour = AMBER if status.rejected or status.last_sync_at is None else GREEN
    return " · ".join(parts), colour


class SyncStatusWidget(QWidget):
    """A coloured dot and a sentence; a busy bar while a sync runs."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("syncStatus")
        self.dot = QLabel("●")
        self.text = QLabel(self.tr("Sync status…"))
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.busy = QProgressBar()
        self.busy.setRange(0, 0)  # no figures until the sync ends: an indeterminate bar
        self.busy.setFixedWidth(90)
        self.busy.setMaximumHeight(12)
        self.busy.setTextVisible(False)
        self.busy.hide()
        row = QHBoxLayout(self)
        row.setContentsMargins(6, 0, 6, 0)
        row.setSpacing(6)
        for widget in (self.dot, self.text, self.busy):
            row.addWidget(widget)
        self.colour = GREY

    def show_status(self, status: SyncStatus, tz: tzinfo, now: datetime) -> None:
        text, self.colour = describe(status, tz, now.astimezone(tz))
        self.text.setText(self.tr(text) if not status.enrolled else text)
        self.text.setToolTip(text)
        self.dot.setStyleSheet(f"color: {self.colour};")
        self.text.setStyleSheet(f"color: {self.colour};")

    def show_busy(self, busy: bool, message: str = "") -> None:
        self.busy.setVisible(busy)
        if busy:
            self.text.setText(message or self.tr("Syncing with HQ…"))
            self.text.setStyleSheet(f"color: {GREY};")
