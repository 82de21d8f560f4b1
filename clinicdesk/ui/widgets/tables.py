"""Read-only, single-row-selection tables with fixed row heights, as every list screen uses them."""

from collections.abc import Callable, Sequence
from typing import TypeVar

from PySide6.QtCore import QAbstractItemModel
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView, QWidget

T = TypeVar("T")


def row_table(model: QAbstractItemModel, *, row_height: int = 34, parent: QWidget | None = None) -> QTableView:
    """A table over `model`: whole rows selected one at a time, no editing, fixed heights (cheap to scroll)."""
    table = QTableView(parent)
    table.setModel(model)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.verticalHeader().hide()
    table.verticalHeader().setDefaultSectionSize(row_height)
    table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    table.horizontalHeader().setStretchLastSection(True)
    return table


def selected_item(table: QTableView, items: Sequence[T]) -> T | None:
    """The value behind the selected row (the model lists `items` in row order), or None."""
    rows = table.selectionModel().selectedRows()
    return items[rows[0].row()] if rows else None


def select_where(table: QTableView, items: Sequence[T], matches: Callable[[T], bool]) -> None:
    """Select the first row whose value matches (e.g. to keep the selection across a reload)."""
    for row, item in enumerate(items):
        if matches(item):
            table.selectRow(row)
            return


def reselect(table: QTableView, items: Sequence[T], chosen: T | None, key: Callable[[T], object]) -> bool:
    """After a reload: select again the row chosen before (matched by `key`) or, when none was, the first row. False
    when no row ends up selected (the chosen one is gone, or there are no rows)."""
    if chosen is None:
        if items:
            table.selectRow(0)
        return bool(items)
    wanted = key(chosen)
    for row, item in enumerate(items):
        if key(item) == wanted:
            table.selectRow(row)
            return True
    return False
