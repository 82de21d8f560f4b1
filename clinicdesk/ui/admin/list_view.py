"""Shared shape of the admin pages: a title, a table over a list of items, action buttons, and a message line."""

from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QTableView, QVBoxLayout, QWidget

from clinicdesk.services import admin
from clinicdesk.services.admin_dto import CentreItem
from clinicdesk.ui.app_context import AppContext
from clinicdesk.ui.tasks import error_text
from clinicdesk.ui.widgets.form_errors import ErrorBanner
from clinicdesk.ui.widgets.list_model import Column, ListTableModel, configure_table, selected_row
from clinicdesk.ui.widgets.messages import show_error
from clinicdesk.ui.widgets.refreshing_view import RefreshingView


class AdminListView(RefreshingView):
    """Subclasses give columns and a loader returning (centres, items); centres name the centre column."""

    def __init__(self, app: AppContext, title: str, columns: Sequence[Column], parent: QWidget | None = None):
        super().__init__(app, parent)
        self.centres: dict[str, CentreItem] = {}
        heading = QLabel(title)
        heading.setObjectName("pageTitle")
        self.banner = ErrorBanner()
        self.model = ListTableModel(columns, self)
        self.table = QTableView()
        configure_table(self.table, self.model)
        self.table.doubleClicked.connect(lambda _: self.edit_selected())
        self.button_row = QHBoxLayout()
        self.filter_row = QHBoxLayout()
        layout = QVBoxLayout(self)
        top = QHBoxLayout()
        top.addWidget(heading)
        top.addStretch(1)
        top.addLayout(self.filter_row)
        layout.addLayout(top)
        layout.addWidget(self.banner)
        layout.addWidget(self.table, 1)
        layout.addLayout(self.button_row)

    def add_button(self, text: str, slot: Callable[[], Any], *, stretch_before: bool = False) -> QPushButton:
        if stretch_before:
            self.button_row.addStretch(1)
        button = QPushButton(text)
        button.clicked.connect(slot)
        self.button_row.addWidget(button)
        return button

    def centre_name(self, centre_id: str) -> str:
        centre = self.centres.get(centre_id)
        return f"{centre.name} ({centre.code})" if centre else ""

    def loader(self) -> Callable[[], list[Any]]:
        """Called on the main thread (it may read filters); the function it returns runs on the database thread."""
        raise NotImplementedError

    def reload(self) -> None:
        ctx, load = self.app.ctx, self.loader()

        def fetch():
            return admin.list_centres(ctx), load()

        self.app.runner.run(fetch, owner=self, on_done=self._loaded, on_error=self.show_problem)

    def _loaded(self, result: tuple[list[CentreItem], list[Any]]) -> None:
        centres, items = result
        self.centres = {c.id: c for c in centres}
        self.banner.clear_messages()
        self.model.set_rows(items)
        self.after_load()

    def after_load(self) -> None:
        pass

    def selected(self) -> Any | None:
        item = selected_row(self.table)
        if item is None:
            self.banner.show_messages([self.tr("Select a row in the list first")])
        return item

    def edit_selected(self) -> None:
        raise NotImplementedError

    def show_problem(self, exc: Exception) -> None:
        self.banner.show_messages([error_text(exc).rstrip(".")])

    def run_action(self, fn: Callable[..., Any], *args) -> None:
        """A one-click write (activate, unlock): errors appear in a message box next to the list."""
        self.banner.clear_messages()
        self.app.runner.run(fn, self.app.ctx, *args, owner=self, on_error=lambda e: show_error(self, error_text(e)))
