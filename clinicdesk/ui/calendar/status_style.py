"""How each appointment status looks (fill, edge, label) and the legend that explains the colours."""

from dataclasses import dataclass

from PySide6.QtGui import QColor
from PySide6.QtWidgets import QHBoxLayout, QLabel, QWidget

from clinicdesk.services.appointment_dto import (
    CANCELLED,
    CHECKED_IN,
    COMPLETED,
    CONFIRMED,
    IN_PROGRESS,
    NO_SHOW,
    REQUESTED,
    RESCHEDULED,
)
from clinicdesk.ui.i18n import translate


@dataclass(frozen=True)
class StatusStyle:
    fill: str  # block background
    edge: str  # stripe, border and legend swatch
    text: str = "#1f2a24"
    faded: bool = False  # drawn struck through: the slot is free again


# Chosen to be told apart by people with the common red-green deficiency too: the pairs that matter at the desk
# (waiting vs. confirmed vs. here) differ in lightness as well as hue.
STATUS_STYLES: dict[str, StatusStyle] = {
    REQUESTED: StatusStyle("#fff3c4", "#c48a00"),
    CONFIRMED: StatusStyle("#dbe8ff", "#2f62c8"),
    CHECKED_IN: StatusStyle("#eadcff", "#7442c8"),
    IN_PROGRESS: StatusStyle("#cdeedd", "#1b7a4c"),
    COMPLETED: StatusStyle("#e9ecea", "#6b7a71", "#4a554f"),
    NO_SHOW: StatusStyle("#fde0de", "#b3261e", "#7d1a15"),
    CANCELLED: StatusStyle("#f3f3f3", "#9e9e9e", "#757575", faded=True),
    RESCHEDULED: StatusStyle("#f3f3f3", "#9e9e9e", "#757575", faded=True),
}
LEGEND_ORDER = (REQUESTED, CONFIRMED, CHECKED_IN, IN_PROGRESS, COMPLETED, NO_SHOW, CANCELLED)
_FALLBACK = StatusStyle("#eeeeee", "#888888")

_LABELS = {REQUESTED: "Requested", CONFIRMED: "Confirmed", CHECKED_IN: "Checked in", IN_PROGRESS: "In progress",
           COMPLETED: "Completed", NO_SHOW: "No-show", CANCELLED: "Cancelled", RESCHEDULED: "Rescheduled"}


def status_style(status: str) -> StatusStyle:
    return STATUS_STYLES.get(status, _FALLBACK)


def status_label(status: str) -> str:
    english = _LABELS.get(status) or status.replace("_", " ").capitalize()
    return translate("Status", english)


def status_colour(status: str) -> QColor:
    return QColor(status_style(status).fill)


class StatusLegend(QWidget):
    """A row of swatches: one per status, in the order an appointment moves through them."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(10)
        self.swatches: dict[str, QLabel] = {}
        for status in LEGEND_ORDER:
            style = status_style(status)
            swatch = QLabel(status_label(status))
            swatch.setObjectName("legendSwatch")
            swatch.setStyleSheet(f"QLabel {{ background: {style.fill}; color: {style.text}; "
                                 f"border-left: 5px solid {style.edge}; border-radius: 3px; padding: 2px 6px; }}")
            row.addWidget(swatch)
            self.swatches[status] = swatch
        row.addStretch(1)
