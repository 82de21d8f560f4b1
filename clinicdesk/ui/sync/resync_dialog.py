"""The full-resync question in plain words: HQ was reset or restored on a date, this desk has changes HQ may not
have; "Back up and resync" (the default) or "Not now"."""

from datetime import tzinfo

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QPushButton, QSizePolicy, QVBoxLayout, QWidget

from clinicdesk.ui.sync.controller import SyncController


def headline(notice, tz: tzinfo) -> str:
    """When HQ's data was reset or restored, in the clinic's time zone; `notice` is an EpochNotice or None."""
    reset_at = getattr(notice, "reset_at", None)
    if reset_at is None:
        return "HQ was reset or restored since this desk last synced."
    local = reset_at.astimezone(tz)
    return f"HQ was reset or restored on {local:%d %b %Y} at {local:%H:%M}."


def explanation(notice) -> str:
    changes = getattr(notice, "changes_hq_may_lack", 0)
    lines = []
    if changes:
        lines.append(f"This desk has {changes} change{'' if changes == 1 else 's'} that HQ may not have. "
                     "Syncing as usual could send old data back over HQ's, so the sync stopped.")
    else:
        lines.append("Syncing as usual could send old data back over HQ's, so the sync stopped.")
    lines.append("“Back up and resync” first saves an encrypted backup of this desk's data, then downloads "
                 "everything from HQ again and sends back whatever HQ is missing. Nothing on this desk is deleted: "
                 "where this desk and HQ disagree about clinical details, both versions go to the conflict queue "
                 "for a person to choose; for details such as a phone number the later one is kept and the other "
                 "is logged at HQ.")
    if getattr(notice, "unfinished_step", ""):
        lines.append("A resync started earlier stopped before it finished; it will carry on where it stopped.")
    return "\n\n".join(lines)


class ResyncDialog(QDialog):
    """Asks once; `accepted` means "Back up and resync", `rejected` means "Not now" (the status bar offers it again)."""

    def __init__(self, notice, tz: tzinfo, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("resyncDialog")
        self.setWindowTitle(self.tr("HQ was reset or restored"))
        self.setMinimumWidth(520)
        self.headline = QLabel(headline(notice, tz))
        self.headline.setObjectName("resyncHeadline")
        self.headline.setStyleSheet("font-weight: 600; font-size: 15px;")
        self.headline.setWordWrap(True)
        self.body = QLabel(explanation(notice))
        self.body.setObjectName("resyncExplanation")
        self.body.setWordWrap(True)
        self.body.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        for label in (self.headline, self.body):
            label.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        buttons = QDialogButtonBox()
        self.resync_button = QPushButton(self.tr("Back up and resync"))
        self.later_button = QPushButton(self.tr("Not now"))
        buttons.addButton(self.resync_button, QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(self.later_button, QDialogButtonBox.ButtonRole.RejectRole)
        self.resync_button.setDefault(True)  # Enter chooses the safe path: back up first, then resync
        self.resync_button.setAutoDefault(True)
        self.later_button.setAutoDefault(False)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.setSpacing(12)
        layout.addWidget(self.headline)
        layout.addWidget(self.body)
        layout.addStretch(1)  # extra height goes below the words, not between them
        layout.addWidget(buttons)


def ask_to_resync(parent: QWidget, controller: SyncController, notice) -> ResyncDialog:
    """Show the question (window-modal, without blocking); "Back up and resync" starts the resync on a worker."""
    dialog = ResyncDialog(notice, controller.app.tz, parent)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.accepted.connect(controller.resync_now)
    dialog.open()
    return dialog
