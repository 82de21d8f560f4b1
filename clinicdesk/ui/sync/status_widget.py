"""The status bar's sync indicator: not connected, last sync and changes waiting, or the failure's sentence."""

from datetime import datetime, tzinfo

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QWidget

from clinicdesk.services.sync_status import SyncStatus

GREY, GREEN, AMBER, RED = "#6b7280", "#15803d", "#b45309", "#b91c1c"
HELD_BACK_LINES = 8  # a tooltip stays readable; the rest are counted


def describe(status: SyncStatus, tz: tzinfo, today: datetime) -> tuple[str, str]:
    """(text, colour) for a status; `today` is now in the clinic's time zone, to leave out the date of today."""
    if not status.enrolled:
        return "Not connected to an HQ", GREY
    if status.needs_resync:
        return "Sync stopped: HQ was reset or restored, so this desk needs a full resync", RED
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
    if status.unverified_tables:  # names of tables only, never rows or values
        parts.append(f"differs from HQ in {', '.join(status.unverified_tables)}")
    if status.held_back:
        count = len(status.held_back)
        parts.append(f"{count} change{' waits' if count == 1 else 's wait'} for records that have not arrived yet")
    colour = AMBER if (status.rejected or status.unverified_tables or status.held_back
                       or status.last_sync_at is None) else GREEN
    return " · ".join(parts), colour


def held_back_detail(status: SyncStatus) -> str:
    """The tooltip's lines about held-back changes: each distinct sentence once, with how many changes it covers."""
    counted: dict[str, int] = {}
    for sentence in status.held_back:
        counted[sentence] = counted.get(sentence, 0) + 1
    lines = [sentence if n == 1 else f"{sentence} ({n} changes)" for sentence, n in counted.items()]
    if len(lines) > HELD_BACK_LINES:
        lines = [*lines[:HELD_BACK_LINES], f"… and {len(lines) - HELD_BACK_LINES} more"]
    return "\n".join(lines)


class SyncStatusWidget(QWidget):
    """A coloured dot and a sentence; a busy bar while a sync runs; a link to the sync review page while anything
    waits for a person there."""

    review_requested = Signal()
    resync_requested = Signal()  # "Resync…" clicked after a sync refused because HQ's epoch changed

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
        self.review_link = QLabel()
        self.review_link.setObjectName("syncReviewLink")
        self.review_link.setTextFormat(Qt.TextFormat.RichText)
        self.review_link.linkActivated.connect(lambda _href: self.review_requested.emit())
        self.review_link.hide()
        self.resync_link = QLabel(f'<a href="resync">{self.tr("Resync…")}</a>')
        self.resync_link.setObjectName("syncResyncLink")
        self.resync_link.setTextFormat(Qt.TextFormat.RichText)
        self.resync_link.linkActivated.connect(lambda _href: self.resync_requested.emit())
        self.resync_link.hide()
        for widget in (self.dot, self.text, self.busy, self.review_link, self.resync_link):
            row.addWidget(widget)
        self.colour = GREY

    def show_status(self, status: SyncStatus, tz: tzinfo, now: datetime) -> None:
        text, self.colour = describe(status, tz, now.astimezone(tz))
        self.text.setText(self.tr(text) if not status.enrolled else text)
        detail = held_back_detail(status) if status.enrolled and not status.failed else ""
        self.text.setToolTip(f"{text}\n\n{detail}" if detail else text)
        self.dot.setStyleSheet(f"color: {self.colour};")
        self.text.setStyleSheet(f"color: {self.colour};")
        self.resync_link.setVisible(status.needs_resync)

    def show_busy(self, busy: bool, message: str = "") -> None:
        self.busy.setVisible(busy)
        if busy:
            self.text.setText(message or self.tr("Syncing with HQ…"))
            self.text.setStyleSheet(f"color: {GREY};")

    def show_review_count(self, count: int) -> None:
        """"3 to review" as a link to the page; hidden when nothing waits (count is figures only, never names)."""
        self.review_link.setVisible(count > 0)
        self.review_link.setText(f'<a href="review">{self.tr("%n to review", "", count)}</a>' if count else "")
