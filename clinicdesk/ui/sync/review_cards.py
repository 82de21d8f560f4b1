"""The cards of the sync review page: a conflict with its versions side by side, a refused change, and two patients
who may be one person. Each card shows values and emits what the person chose; the page does the work."""

from datetime import datetime, tzinfo

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QGridLayout, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from clinicdesk.services.sync_review import ConflictView, DuplicateView, PatientCard, VersionView
from clinicdesk.store.outbox_review import RESENT, SETTLED, RejectedChange

OPEN_EDGE, CLINICAL_EDGE, DONE_EDGE = "#b45309", "#b91c1c", "#9ca3af"
MUTED = "#6b7280"


def when_text(moment: datetime | None, tz: tzinfo) -> str:
    return f"{moment.astimezone(tz):%d %b %Y %H:%M}" if moment else ""


def _label(text: str, *, bold: bool = False, muted: bool = False, wrap: bool = True, name: str = "") -> QLabel:
    label = QLabel(text)
    label.setWordWrap(wrap)
    label.setTextFormat(Qt.TextFormat.PlainText)  # values come from records: never interpreted as markup
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    style = "font-weight: 600;" if bold else ""
    if muted:
        style += f" color: {MUTED};"
    label.setStyleSheet(style)
    if name:
        label.setObjectName(name)
    return label


class _Card(QFrame):
    """A bordered box with a coloured left edge; settled ones are greyed."""

    def __init__(self, edge: str, settled: bool, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("reviewCard")
        fill = "#f3f4f6" if settled else "#ffffff"
        self.setStyleSheet(f"QFrame#reviewCard {{ background: {fill}; border: 1px solid #d1d5db; "
                           f"border-left: 8px solid {edge}; border-radius: 6px; }}")
        self.setEnabled(True)
        self.column = QVBoxLayout(self)
        self.column.setContentsMargins(14, 10, 14, 10)
        self.column.setSpacing(6)


class ConflictCard(_Card):
    """Record, field, and every version (value, device, time) side by side, each with "Keep this one"."""

    keep_requested = Signal(str, int)  # conflict id, version index
    enter_requested = Signal(str)  # conflict id

    def __init__(self, conflict: ConflictView, tz: tzinfo, *, may_settle: bool, parent: QWidget | None = None):
        edge = DONE_EDGE if not conflict.is_open else CLINICAL_EDGE if conflict.needs_clinician else OPEN_EDGE
        super().__init__(edge, not conflict.is_open, parent)
        self.conflict = conflict
        head = QHBoxLayout()
        head.addWidget(_label(f"{conflict.record.text} · {conflict.field_label}", bold=True, name="conflictRecord"), 1)
        if conflict.is_open:
            who = self.tr("A doctor decides") if conflict.needs_clinician else self.tr("Reception or a doctor decides")
            head.addWidget(_label(who, muted=True, wrap=False))
        self.column.addLayout(head)
        versions = QHBoxLayout()
        versions.setSpacing(10)
        self.keep_buttons: list[QPushButton] = []
        for version in conflict.versions:
            versions.addWidget(self._version_box(version, tz, may_settle), 1)
        self.column.addLayout(versions)
        foot = QHBoxLayout()
        if conflict.is_open:
            self.enter_button = QPushButton(self.tr("Enter the right value…"))
            self.enter_button.setObjectName("enterValue")
            self.enter_button.setEnabled(may_settle and conflict.may_enter_value)
            self.enter_button.clicked.connect(lambda: self.enter_requested.emit(conflict.id))
            foot.addWidget(_label(self.tr("Raised %1").replace("%1", when_text(conflict.created_at, tz)),
                                  muted=True), 1)
            foot.addWidget(self.enter_button)
        else:
            foot.addWidget(_label(self.tr("Settled by %1 on %2: %3").replace("%1", conflict.resolved_by or "?")
                                  .replace("%2", when_text(conflict.resolved_at, tz))
                                  .replace("%3", conflict.resolved_text), muted=True, name="settledLine"), 1)
        self.column.addLayout(foot)

    def _version_box(self, version: VersionView, tz: tzinfo, may_settle: bool) -> QWidget:
        box = QFrame()
        box.setObjectName("versionBox")
        box.setStyleSheet("QFrame#versionBox { border: 1px solid #e5e7eb; border-radius: 4px; background: #fafafa; }")
        column = QVBoxLayout(box)
        column.setContentsMargins(10, 8, 10, 8)
        value = _label(version.text, bold=True, name="versionValue")
        value.setStyleSheet("font-size: 15px; font-weight: 600;")
        column.addWidget(value)
        column.addWidget(_label(self.tr("%1 · %2").replace("%1", version.device_name)
                                .replace("%2", when_text(version.at, tz)), muted=True))
        if self.conflict.is_open:
            keep = QPushButton(self.tr("Keep this one"))
            keep.setObjectName("keepVersion")
            keep.setEnabled(may_settle and version.may_keep)
            if not version.may_keep:
                keep.setToolTip(self.tr("Bringing a deleted record back is not offered yet."))
            keep.clicked.connect(lambda _=False, index=version.index: self.keep_requested.emit(self.conflict.id,
                                                                                                index))
            column.addWidget(keep)
            self.keep_buttons.append(keep)
        return box


class RefusedChangeCard(_Card):
    """A change HQ refused, in words, with "Send again" and "Keep this device's record, stop sending"."""

    send_again_requested = Signal(str)  # operation id
    keep_requested = Signal(str)

    def __init__(self, change: RejectedChange, tz: tzinfo, *, may_settle: bool, parent: QWidget | None = None):
        done = change.state in (RESENT, SETTLED)
        super().__init__(DONE_EDGE if done else OPEN_EDGE, done, parent)
        self.change = change
        what = self.tr("Deleted") if change.kind == "delete" else ", ".join(change.fields)
        self.column.addWidget(_label(f"{change.record.text} · {what}", bold=True, name="changeRecord"))
        self.column.addWidget(_label(self.tr("Changed on this device %1").replace("%1", when_text(change.at, tz)),
                                     muted=True))
        self.column.addWidget(_label(self.tr("HQ said: %1").replace("%1", change.reason), name="changeReason"))
        if not done:
            buttons = QHBoxLayout()
            buttons.addStretch(1)
            self.send_button = QPushButton(self.tr("Send again"))
            self.send_button.setToolTip(self.tr("After the cause was settled (e.g. a conflict), queue it for the "
                                                "next sync"))
            self.keep_button = QPushButton(self.tr("Keep this device's record, stop sending…"))
            for button, signal in ((self.send_button, self.send_again_requested),
                                   (self.keep_button, self.keep_requested)):
                button.setEnabled(may_settle)
                button.clicked.connect(lambda _=False, s=signal: s.emit(change.op_id))
                buttons.addWidget(button)
            self.column.addLayout(buttons)


def _patient_column(title: str, card: PatientCard, matched: tuple[str, ...]) -> QWidget:
    box = QWidget()
    grid = QGridLayout(box)
    grid.setContentsMargins(0, 0, 0, 0)
    grid.addWidget(_label(title, muted=True), 0, 0, 1, 2)
    if not card.held_here:
        grid.addWidget(_label(QLabel.tr("Not on this device yet: sync, then look again."), muted=True), 1, 0, 1, 2)
        return box
    rows = (("UHID", card.uhid, None), ("Name", card.name, "Name"),
            ("Date of birth", f"{card.date_of_birth:%d %b %Y}" if card.date_of_birth else "", "Date of birth"),
            ("Phone", card.phone, "Phone"))
    for row, (caption, value, match_key) in enumerate(rows, start=1):
        grid.addWidget(_label(QLabel.tr(caption), muted=True, wrap=False), row, 0)
        shown = _label(value, bold=match_key in matched, name=f"patient{caption.replace(' ', '')}")
        grid.addWidget(shown, row, 1)
    grid.setColumnStretch(1, 1)
    return box


class DuplicateCard(_Card):
    """Two registrations side by side (matched fields in bold) with "Different people" / "Same person, merge later"."""

    decided = Signal(str, str)  # item id, decision

    def __init__(self, item: DuplicateView, tz: tzinfo, *, may_settle: bool, parent: QWidget | None = None):
        super().__init__(OPEN_EDGE if item.is_open else DONE_EDGE, not item.is_open, parent)
        self.item = item
        self.column.addWidget(_label(self.tr("Possibly the same person: matched on %1")
                                     .replace("%1", ", ".join(item.matched_on).lower()), bold=True))
        pair = QHBoxLayout()
        pair.setSpacing(24)
        pair.addWidget(_patient_column(self.tr("Registered first"), item.existing, item.matched_on), 1)
        pair.addWidget(_patient_column(self.tr("Registered later"), item.new, item.matched_on), 1)
        self.column.addLayout(pair)
        foot = QHBoxLayout()
        if item.is_open:
            foot.addWidget(_label(self.tr("Nothing was merged. Raised %1").replace("%1", when_text(item.created_at,
                                                                                               tz)), muted=True), 1)
            self.different_button = QPushButton(self.tr("Different people"))
            self.same_button = QPushButton(self.tr("Same person, merge later"))
            for button, decision in ((self.different_button, "different_people"), (self.same_button, "same_person")):
                button.setEnabled(may_settle)
                button.clicked.connect(lambda _=False, d=decision: self.decided.emit(item.id, d))
                foot.addWidget(button)
        else:
            note = f" ({item.note})" if item.note else ""
            foot.addWidget(_label(self.tr("%1 — decided by %2 on %3").replace("%1", item.decision_text)
                                  .replace("%2", item.resolved_by or "?").replace("%3", when_text(item.resolved_at, tz))
                                  + note, muted=True, name="settledLine"), 1)
        self.column.addLayout(foot)
