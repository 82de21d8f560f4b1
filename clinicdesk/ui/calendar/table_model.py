"""A list model whose rows may carry a background (status colour, a waitlist offer) worked out once per reload."""

from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import QModelIndex, QObject, Qt
from PySide6.QtGui import QBrush, QColor, QFont

from clinicdesk.ui.widgets.list_model import Column, ListTableModel


class StyledTableModel(ListTableModel):
    """`cell_fill(row, column)` gives a colour name or None; `bold(row)` marks rows that need attention."""

    def __init__(self, columns: Sequence[Column], *, cell_fill: Callable[[Any, int], str | None] | None = None,
                 bold: Callable[[Any], bool] | None = None, parent: QObject | None = None):
        super().__init__(columns, parent)
        self._cell_fill = cell_fill or (lambda row, column: None)
        self._bold_of = bold or (lambda row: False)
        self._fills: list[list[QBrush | None]] = []
        self._bold: list[bool] = []
        self._bold_font = QFont()
        self._bold_font.setBold(True)

    def set_rows(self, rows: Sequence[Any]) -> None:
        rows = list(rows)
        self._fills = [[QBrush(QColor(c)) if (c := self._cell_fill(row, i)) else None
                        for i in range(len(self.columns))] for row in rows]
        self._bold = [self._bold_of(row) for row in rows]
        super().set_rows(rows)

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if index.isValid():
            if role == Qt.ItemDataRole.BackgroundRole:
                return self._fills[index.row()][index.column()]
            if role == Qt.ItemDataRole.FontRole and self._bold[index.row()]:
                return self._bold_font
        return super().data(index, role)
