"""Editable tables for a practitioner's weekly working hours (with breaks) and leave periods."""

from dataclasses import replace
from datetime import date, time

from PySide6.QtCore import QDate, Qt, QTime
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTimeEdit,
    QVBoxLayout,
    QWidget,
)

from clinicdesk.services.admin_dto import Leave, WorkingHours
from clinicdesk.ui.i18n import translate
from clinicdesk.ui.widgets.inputs import from_qdate, to_qdate


def weekday_names() -> list[str]:
    return [translate("Weekdays", d) for d in ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday",
                                               "Sunday")]


def _time_edit(value: time) -> QTimeEdit:
    edit = QTimeEdit(QTime(value.hour, value.minute))
    edit.setDisplayFormat("HH:mm")
    return edit


def _py_time(edit: QTimeEdit) -> time:
    t = edit.time()
    return time(t.hour(), t.minute())


class _RowTable(QWidget):
    """A QTableWidget whose cells are editors, with Add and Remove buttons under it."""

    def __init__(self, headers: list[str], parent: QWidget | None = None):
        super().__init__(parent)
        self.table = QTableWidget(0, len(headers))
        self.table.setHorizontalHeaderLabels(headers)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(34)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.buttons = QHBoxLayout()
        self.add_button = QPushButton(translate("ScheduleEditors", "Add"))
        self.remove_button = QPushButton(translate("ScheduleEditors", "Remove selected"))
        self.remove_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.remove_button.clicked.connect(self.remove_selected)
        self.buttons.addWidget(self.add_button)
        self.buttons.addWidget(self.remove_button)
        self.buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.table, 1)
        layout.addLayout(self.buttons)

    def remove_selected(self) -> None:
        """Removes the selected rows, or else the row being edited (its editor keeps focus: see NoFocus)."""
        rows = sorted({i.row() for i in self.table.selectedIndexes()}, reverse=True)
        focused = QApplication.focusWidget()
        if not rows and focused is not None:
            rows = [r for r in range(self.table.rowCount()) for c in range(self.table.columnCount())
                    if self.table.cellWidget(r, c) is not None
                    and (self.table.cellWidget(r, c) is focused or self.table.cellWidget(r, c).isAncestorOf(focused))]
        for row in rows[:1] if not self.table.selectedIndexes() else rows:
            self.table.removeRow(row)
            self._row_removed(row)

    def _row_removed(self, row: int) -> None:
        pass

    def _append(self, widgets: list[QWidget]) -> int:
        row = self.table.rowCount()
        self.table.insertRow(row)
        for column, widget in enumerate(widgets):
            self.table.setCellWidget(row, column, widget)
        return row


class WorkingHoursEditor(_RowTable):
    def __init__(self, parent: QWidget | None = None):
        t = lambda s: translate("ScheduleEditors", s)  # noqa: E731
        super().__init__([t("Day"), t("Start"), t("End"), t("Break"), t("Break start"), t("Break end")], parent)
        self._kept: list[WorkingHours] = []  # effective dates are kept as they were; this editor does not show them
        self.add_button.setText(t("Add day"))
        self.add_button.clicked.connect(lambda: self.add_hours(WorkingHours(0, time(9, 0), time(17, 0),
                                                                            time(13, 0), time(14, 0))))
        week = QPushButton(t("Fill Monday–Saturday 9:00–17:00"))
        week.clicked.connect(self.fill_standard_week)
        self.buttons.insertWidget(2, week)

    def add_hours(self, hours: WorkingHours) -> None:
        day = QComboBox()
        day.addItems(weekday_names())
        day.setCurrentIndex(hours.weekday)
        has_break = QCheckBox()
        has_break.setChecked(hours.break_start is not None)
        b_start = _time_edit(hours.break_start or time(13, 0))
        b_end = _time_edit(hours.break_end or time(14, 0))
        has_break.toggled.connect(b_start.setEnabled)
        has_break.toggled.connect(b_end.setEnabled)
        b_start.setEnabled(has_break.isChecked())
        b_end.setEnabled(has_break.isChecked())
        self._append([day, _time_edit(hours.start), _time_edit(hours.end), has_break, b_start, b_end])
        self._kept.append(hours)

    def _row_removed(self, row: int) -> None:
        del self._kept[row]

    def fill_standard_week(self) -> None:
        self.set_hours([WorkingHours(d, time(9, 0), time(17, 0), time(13, 0), time(14, 0)) for d in range(6)])

    def set_hours(self, hours: tuple[WorkingHours, ...] | list[WorkingHours]) -> None:
        self.table.setRowCount(0)
        self._kept = []
        for h in hours:
            self.add_hours(h)

    def hours(self) -> tuple[WorkingHours, ...]:
        result = []
        for row in range(self.table.rowCount()):
            cell = self.table.cellWidget
            with_break = cell(row, 3).isChecked()
            result.append(replace(self._kept[row], weekday=cell(row, 0).currentIndex(), start=_py_time(cell(row, 1)),
                                  end=_py_time(cell(row, 2)),
                                  break_start=_py_time(cell(row, 4)) if with_break else None,
                                  break_end=_py_time(cell(row, 5)) if with_break else None))
        return tuple(result)


class LeaveEditor(_RowTable):
    def __init__(self, today: date, parent: QWidget | None = None):
        t = lambda s: translate("ScheduleEditors", s)  # noqa: E731
        super().__init__([t("From"), t("To"), t("Reason")], parent)
        self.today = today
        self.add_button.setText(t("Add leave"))
        self.add_button.clicked.connect(lambda: self.add_leave(Leave(self.today, self.today, "")))

    def add_leave(self, leave: Leave) -> None:
        start, end = QDateEdit(to_qdate(leave.start_day)), QDateEdit(to_qdate(leave.end_day))
        for edit in (start, end):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("dd MMM yyyy")
            edit.setMinimumDate(QDate(2000, 1, 1))
        self._append([start, end, QLineEdit(leave.reason)])

    def set_leave(self, leave: tuple[Leave, ...]) -> None:
        self.table.setRowCount(0)
        for item in leave:
            self.add_leave(item)

    def leave(self) -> tuple[Leave, ...]:
        cell = self.table.cellWidget
        return tuple(Leave(from_qdate(cell(r, 0).date()), from_qdate(cell(r, 1).date()), cell(r, 2).text().strip())
                     for r in range(self.table.rowCount()))
