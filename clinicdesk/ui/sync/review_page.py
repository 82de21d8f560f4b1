"""The "Sync review" page: conflicts, changes HQ refused ("needs attention") and possible duplicate patients, for a
person to settle. HQ is asked on a worker thread; when it cannot be reached the page keeps what it last fetched."""

import logging
import threading
from collections.abc import Callable, Iterator
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from clinicdesk.domain.errors import ClinicError
from clinicdesk.domain.roles import Action
from clinicdesk.services import sync_review
from clinicdesk.services.context import Changes
from clinicdesk.services.sync_review import ReviewHq, ReviewSnapshot
from clinicdesk.speech.progress import Progress
from clinicdesk.store.outbox_review import RejectedChange
from clinicdesk.sync.errors import SyncError
from clinicdesk.ui.app_context import AppContext
from clinicdesk.ui.long_jobs import LongJob
from clinicdesk.ui.sync.review_cards import ConflictCard, DuplicateCard, RefusedChangeCard, when_text
from clinicdesk.ui.tasks import error_text
from clinicdesk.ui.widgets.messages import show_error

log = logging.getLogger(__name__)

EMPTY_CONFLICTS = "Nothing to review. Conflicts appear here when two devices change the same clinical field."
EMPTY_ATTENTION = ("Nothing needs attention. A change appears here when HQ refuses it; it stays on this device "
                   "until someone sends it again or keeps it here.")
EMPTY_DUPLICATES = ("No possible duplicates. When two desks register what may be the same person, both records "
                    "appear here side by side.")


def real_hq(app: AppContext) -> ReviewHq:
    """This device's HQ (httpx and the client load when the page first asks HQ, not at start-up)."""
    from clinicdesk.sync.review_client import ReviewClient
    from clinicdesk.sync.settings import load_hq_settings

    return ReviewClient(load_hq_settings(app.ctx.db.data_dir))


def ask_text(parent: QWidget | None, title: str, prompt: str, text: str = "") -> str | None:
    """A short text typed by the person; None if they backed out. Blocking on purpose (tests replace it)."""
    typed, ok = QInputDialog.getText(parent, title, prompt, QLineEdit.EchoMode.Normal, text)
    return typed.strip() if ok else None


def sentence(error: BaseException) -> str:
    """SyncError and ClinicError sentences are written for staff and carry no patient data."""
    return str(error) if isinstance(error, SyncError | ClinicError) else error_text(error)


def _editable(value: Any) -> str:
    """A version's value as the person would type it (dates stay ISO: 1984-03-09)."""
    return "" if value is None or isinstance(value, dict) else str(value)


class _CardColumn(QScrollArea):
    """A scrolling column of cards, or a sentence saying what an empty list means."""

    def __init__(self, empty_text: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWidgetResizable(True)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.empty_text = empty_text
        self.cards: list[QWidget] = []
        self._fill([])

    def _fill(self, cards: list[QWidget]) -> None:
        box = QWidget()
        column = QVBoxLayout(box)
        column.setContentsMargins(12, 12, 12, 12)
        column.setSpacing(10)
        self.empty = QLabel(self.empty_text)
        self.empty.setObjectName("emptyState")
        self.empty.setWordWrap(True)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setStyleSheet("color: #6b7280; font-size: 14px; padding: 40px;")
        self.empty.setVisible(not cards)
        column.addWidget(self.empty)
        for card in cards:
            column.addWidget(card)
        column.addStretch(1)
        self.cards = cards
        self.setWidget(box)  # the previous box and its cards are deleted with it

    def show_cards(self, cards: list[QWidget]) -> None:
        self._fill(cards)


class SyncReviewPage(QWidget):
    """Three tabs: Conflicts, Needs attention, Possible duplicates. `refresh()` asks HQ and reads this device."""

    open_count_changed = Signal(int)  # open conflicts + open possible duplicates at HQ, when it was last asked

    def __init__(self, app: AppContext, *, open_hq: Callable[[], ReviewHq] | None = None, synchronous: bool = False,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("syncReviewPage")
        self.app = app
        self._open_hq = open_hq or (lambda: real_hq(app))
        self._synchronous = synchronous
        self._jobs: list[LongJob] = []
        self.snapshot: ReviewSnapshot | None = None
        self.refused: list[RejectedChange] = []
        self.last_error = ""
        self._may_settle = app.may(Action.SYNC_RESOLVE)
        self._may_settle_clinical = app.may(Action.SYNC_RESOLVE_CLINICAL)

        title = QLabel(self.tr("Sync review"))
        title.setStyleSheet("font-size: 18px; font-weight: 600;")
        self.status = QLabel()
        self.status.setObjectName("reviewStatus")
        self.status.setWordWrap(True)
        self.busy = QProgressBar()
        self.busy.setRange(0, 0)
        self.busy.setFixedWidth(90)
        self.busy.setMaximumHeight(12)
        self.busy.setTextVisible(False)
        self.busy.hide()
        self.refresh_button = QPushButton(self.tr("Refresh"))
        self.refresh_button.clicked.connect(self.refresh)
        head = QHBoxLayout()
        head.addWidget(title)
        head.addWidget(self.status, 1)
        head.addWidget(self.busy)
        head.addWidget(self.refresh_button)

        self.conflicts = _CardColumn(self.tr(EMPTY_CONFLICTS))
        self.attention = _CardColumn(self.tr(EMPTY_ATTENTION))
        self.duplicates = _CardColumn(self.tr(EMPTY_DUPLICATES))
        self.show_settled_conflicts = QCheckBox(self.tr("Show settled conflicts"))
        self.show_done_changes = QCheckBox(self.tr("Show changes already dealt with"))
        self.show_settled_duplicates = QCheckBox(self.tr("Show settled duplicates"))
        self.show_settled_conflicts.toggled.connect(self._show_conflicts)
        self.show_done_changes.toggled.connect(self.load_refused)
        self.show_settled_duplicates.toggled.connect(self._show_duplicates)
        self.tabs = QTabWidget()
        for column, check, name in ((self.conflicts, self.show_settled_conflicts, self.tr("Conflicts")),
                                    (self.attention, self.show_done_changes, self.tr("Needs attention")),
                                    (self.duplicates, self.show_settled_duplicates, self.tr("Possible duplicates"))):
            tab = QWidget()
            layout = QVBoxLayout(tab)
            layout.setContentsMargins(0, 6, 0, 0)
            layout.addWidget(check)
            layout.addWidget(column, 1)
            self.tabs.addTab(tab, name)
        page = QVBoxLayout(self)
        page.addLayout(head)
        page.addWidget(self.tabs, 1)
        self._set_status(self.tr("Not fetched from HQ yet."))
        self._loaded = False

    # --- loading ----------------------------------------------------------------------------------------------

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if not self._loaded:
            self._loaded = True
            self.refresh()

    def refresh(self) -> None:
        self.load_refused()
        self.fetch()

    def load_refused(self) -> None:
        self.app.runner.run(sync_review.needs_attention, self.app.ctx,
                            include_done=self.show_done_changes.isChecked(), owner=self,
                            on_done=self._show_refused, on_error=self._show_error)

    def fetch(self) -> None:
        """Ask HQ on a worker thread; the window never waits for the network."""
        self._set_status(self.tr("Asking HQ…"))
        self._run_with_hq(lambda hq: sync_review.fetch_review(self.app.ctx, hq), self._fetched, self._fetch_failed)

    def _run_with_hq(self, work: Callable[[ReviewHq], Any], on_done: Callable[[Any], None],
                     on_error: Callable[[BaseException], None]) -> None:
        def job(_cancel: threading.Event) -> Iterator[object]:
            yield Progress(0.0, "Asking HQ…")
            hq = self._open_hq()
            try:
                yield work(hq)
            finally:
                close = getattr(hq, "close", None)
                if close is not None:
                    close()

        long_job = LongJob(job, synchronous=self._synchronous, parent=self)
        long_job.finished.connect(lambda result: self._job_done(long_job, on_done, result))
        long_job.failed.connect(lambda error: self._job_done(long_job, on_error, error))
        self._jobs.append(long_job)
        self._set_busy(True)
        long_job.start()

    def _job_done(self, job: LongJob, callback: Callable[[Any], None], value: Any) -> None:
        if job in self._jobs:
            self._jobs.remove(job)
        self._set_busy(bool(self._jobs))
        callback(value)

    def shutdown(self) -> None:
        """Wait for HQ calls still running (a worker thread must not outlive the page)."""
        for job in list(self._jobs):
            job.wait()

    def _fetched(self, snapshot: ReviewSnapshot) -> None:
        self.snapshot, self.last_error = snapshot, ""
        self._set_status(self.tr("Fetched from HQ at %1.").replace("%1", when_text(snapshot.fetched_at,
                                                                                   self.app.tz)))
        self._show_conflicts()
        self._show_duplicates()
        self._count_changed()

    def _fetch_failed(self, error: BaseException) -> None:
        self.last_error = sentence(error)
        if self.snapshot is None:
            shown = self.tr("%1 Nothing was fetched from HQ yet.").replace("%1", self.last_error)
        else:
            shown = self.tr("%1 Showing what was fetched at %2.").replace("%1", self.last_error).replace(
                "%2", when_text(self.snapshot.fetched_at, self.app.tz))
        self._set_status(shown, error=True)

    def _set_status(self, text: str, *, error: bool = False) -> None:
        self.status.setText(text)
        self.status.setStyleSheet(f"color: {'#b91c1c' if error else '#6b7280'};")

    def _set_busy(self, busy: bool) -> None:
        self.busy.setVisible(busy)
        self.refresh_button.setEnabled(not busy)

    def _count_changed(self) -> None:
        self.open_count_changed.emit(self.snapshot.open_count if self.snapshot else 0)

    # --- showing -----------------------------------------------------------------------------------------------

    def _show_conflicts(self) -> None:
        conflicts = self.snapshot.conflicts if self.snapshot else ()
        shown = [c for c in conflicts if c.is_open or self.show_settled_conflicts.isChecked()]
        cards = []
        for conflict in shown:
            may = self._may_settle_clinical if conflict.needs_clinician else self._may_settle
            card = ConflictCard(conflict, self.app.tz, may_settle=may)
            card.keep_requested.connect(self.keep_version)
            card.enter_requested.connect(self.enter_value)
            cards.append(card)
        self.conflicts.show_cards(cards)
        self.tabs.setTabText(0, self._tab_title(self.tr("Conflicts"), sum(c.is_open for c in conflicts)))

    def _show_duplicates(self) -> None:
        items = self.snapshot.duplicates if self.snapshot else ()
        cards = []
        for item in items:
            if item.is_open or self.show_settled_duplicates.isChecked():
                card = DuplicateCard(item, self.app.tz, may_settle=self._may_settle)
                card.decided.connect(self.decide_duplicate)
                cards.append(card)
        self.duplicates.show_cards(cards)
        self.tabs.setTabText(2, self._tab_title(self.tr("Possible duplicates"), sum(i.is_open for i in items)))

    def _show_refused(self, changes: list[RejectedChange]) -> None:
        self.refused = changes
        cards = []
        for change in changes:
            card = RefusedChangeCard(change, self.app.tz, may_settle=self._may_settle)
            card.send_again_requested.connect(self.send_again)
            card.keep_requested.connect(self.keep_on_device)
            cards.append(card)
        self.attention.show_cards(cards)
        self.tabs.setTabText(1, self._tab_title(self.tr("Needs attention"),
                                                sum(c.state == "rejected" for c in changes)))

    @staticmethod
    def _tab_title(name: str, count: int) -> str:
        return f"{name} ({count})" if count else name

    def _show_error(self, error: BaseException) -> None:
        show_error(self, sentence(error))

    # --- deciding ----------------------------------------------------------------------------------------------

    def _conflict(self, conflict_id: str):
        return next(c for c in self.snapshot.conflicts if c.id == conflict_id)

    def keep_version(self, conflict_id: str, index: int) -> None:
        self._run_with_hq(lambda hq: sync_review.resolve_conflict(self.app.ctx, hq, conflict_id, choice=index),
                          self._settled, self._show_error)

    def enter_value(self, conflict_id: str) -> None:
        conflict = self._conflict(conflict_id)
        typed = ask_text(self, self.tr("Enter the right value"),
                         self.tr("%1 of %2 (dates as 1984-03-09):").replace("%1", conflict.field_label)
                         .replace("%2", conflict.record.text), _editable(conflict.versions[-1].value))
        if typed is None:
            return
        try:
            value = sync_review.typed_value(conflict.record.table, conflict.field, typed)
        except ClinicError as error:
            self._show_error(error)
            return
        self._run_with_hq(lambda hq: sync_review.resolve_conflict(self.app.ctx, hq, conflict_id, value=value),
                          self._settled, self._show_error)

    def decide_duplicate(self, item_id: str, decision: str) -> None:
        note = ""
        if decision == sync_review.SAME_PERSON:
            typed = ask_text(self, self.tr("Same person, merge later"),
                             self.tr("A note for whoever merges the two records (optional):"))
            if typed is None:
                return
            note = typed
        self._run_with_hq(lambda hq: sync_review.settle_duplicate(self.app.ctx, hq, item_id, decision, note),
                          self._settled, self._show_error)

    def _settled(self, _view: object) -> None:
        self.fetch()

    def send_again(self, op_id: str) -> None:
        self.app.runner.run(sync_review.send_change_again, self.app.ctx, op_id, owner=self,
                            on_done=lambda _result: self.load_refused(), on_error=self._show_error)

    def keep_on_device(self, op_id: str) -> None:
        why = ask_text(self, self.tr("Keep this device's record"),
                       self.tr("Why does this device keep its record and stop sending it?"))
        if why is None:
            return
        self.app.runner.run(sync_review.keep_change_on_device, self.app.ctx, op_id, why, owner=self,
                            on_done=self._kept, on_error=self._show_error)

    def _kept(self, _changes: Changes) -> None:
        self.load_refused()
