"""The patient's feedback after a session or a course: six 1-5 ratings, 0-10 recommend, comment, anonymous option."""

from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QWidget,
)

from clinicdesk.domain.feedback import RATING_LABELS, RECOMMEND_LABEL, FeedbackForm, FeedbackScope
from clinicdesk.services import feedback
from clinicdesk.ui.app_context import AppContext
from clinicdesk.ui.widgets.form_dialog import FormDialog

TOUCH = 44  # patients often fill this in themselves on the desk tablet
CHOSEN_STYLE = "QPushButton:checked { background: #1e6b52; color: white; font-weight: bold; border-color: #1e6b52; }"


class ScoreRow(QWidget):
    """One tap per score: a row of checkable buttons low..high; nothing chosen means not rated yet."""

    def __init__(self, low: int, high: int, *, width: int = TOUCH, parent: QWidget | None = None):
        super().__init__(parent)
        self.setStyleSheet(CHOSEN_STYLE)
        self.group = QButtonGroup(self)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(4)
        for value in range(low, high + 1):
            button = QPushButton(str(value))
            button.setCheckable(True)
            button.setMinimumSize(width, TOUCH)
            self.group.addButton(button, value)
            row.addWidget(button)
        row.addStretch(1)

    def value(self) -> int | None:
        chosen = self.group.checkedId()
        return None if chosen == -1 else chosen

    def set_value(self, value: int) -> None:
        self.group.button(value).setChecked(True)


class FeedbackDialog(FormDialog):
    """Opened from a session on the therapy board (or a course): saved through services.feedback."""

    def __init__(self, app: AppContext, *, session_id: str | None, plan_id: str, heading: str = "",
                 parent: QWidget | None = None):
        super().__init__(app, self.tr("Patient feedback"), parent)
        self.session_id, self.plan_id = session_id, plan_id
        self.resize(720, 800)
        if heading:
            title = QLabel(heading)
            title.setStyleSheet("font-size: 15pt; font-weight: bold;")
            self.form.addRow(title)
        self.after_session = QRadioButton(self.tr("This session"))
        self.after_course = QRadioButton(self.tr("The whole course"))
        (self.after_session if session_id else self.after_course).setChecked(True)
        self.after_session.setEnabled(session_id is not None)
        scope = QHBoxLayout()
        scope.addWidget(self.after_session)
        scope.addWidget(self.after_course)
        scope.addStretch(1)
        self.form.addRow(self.tr("Feedback for"), scope)
        hint = QLabel(self.tr("1 poor · 5 excellent"))
        hint.setStyleSheet("color: #5f6368;")
        self.form.addRow("", hint)
        self.ratings: dict[str, ScoreRow] = {}
        for name, label in RATING_LABELS.items():
            self.ratings[name] = ScoreRow(1, 5)
            self.form.addRow(self.tr(label), self.ratings[name])
        self.recommend = ScoreRow(0, 10, width=TOUCH - 6)
        self.form.addRow(self.tr(RECOMMEND_LABEL), self.recommend)
        hint = QLabel(self.tr("0 never · 10 certainly"))
        hint.setStyleSheet("color: #5f6368;")
        self.form.addRow("", hint)
        self.comment = QPlainTextEdit()
        self.comment.setPlaceholderText(self.tr("Anything else you would like to tell us"))
        self.comment.setMaximumHeight(90)
        self.form.addRow(self.tr("Comment"), self.comment)
        self.anonymous = QCheckBox(self.tr("Give this feedback anonymously"))
        self.anonymous.setMinimumHeight(36)
        self.form.addRow("", self.anonymous)
        note = QLabel(self.tr("Kept without your name or course (only the centre, practitioner and therapy stay), "
                              "so we cannot reply to you personally."))
        note.setWordWrap(True)
        note.setStyleSheet("color: #5f6368;")
        self.body.addWidget(note)  # the full width: a narrow column would clip it
        self.save_button.setText(self.tr("Send feedback"))
        self.save_button.setMinimumHeight(TOUCH)
        self.errors.fields.update({name: row for name, row in self.ratings.items()} | {
            "recommend": self.recommend, "comment": self.comment, "session_id": self.after_session,
            "plan_id": self.after_course})

    def form_value(self) -> FeedbackForm:
        ratings = {name: row.value() for name, row in self.ratings.items() if row.value() is not None}
        recommend = self.recommend.value()
        scope = FeedbackScope.SESSION if self.after_session.isChecked() else FeedbackScope.COURSE
        return FeedbackForm(scope, ratings, -1 if recommend is None else recommend, self.comment.toPlainText(),
                            self.anonymous.isChecked())

    def save(self) -> None:
        form = self.form_value()
        target = {"session_id": self.session_id} if form.scope is FeedbackScope.SESSION else {"plan_id": self.plan_id}
        self.submit(feedback.submit_feedback, self.app.ctx, form, **target)
