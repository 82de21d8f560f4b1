"""Administration > Prices & packages: each service's prices and tax code, and the package catalogue."""

from decimal import Decimal, InvalidOperation

from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QLabel, QLineEdit, QPushButton, QTableView, QVBoxLayout, QWidget

from clinicdesk.domain.billing.money import parse_amount
from clinicdesk.domain.errors import ValidationError
from clinicdesk.services import billing_catalogue
from clinicdesk.services.billing_dto import PackageView, TariffView
from clinicdesk.services.context import Changes
from clinicdesk.ui.app_context import AppContext
from clinicdesk.ui.billing.formatting import rupees
from clinicdesk.ui.billing.package_dialog import PackageDialog
from clinicdesk.ui.tasks import error_text
from clinicdesk.ui.widgets.form_dialog import FormDialog
from clinicdesk.ui.widgets.list_model import Column, ListTableModel, configure_table, selected_row
from clinicdesk.ui.widgets.refreshing_view import RefreshingView

TARIFF_COLUMNS = (
    Column("Code", lambda t: t.code), Column("Service", lambda t: t.name, stretch=True),
    Column("Category", lambda t: t.category), Column("First visit", lambda t: rupees(t.initial_price)),
    Column("Follow-up", lambda t: rupees(t.follow_up_price)), Column("HSN/SAC", lambda t: t.hsn_sac),
    Column("GST", lambda t: "Exempt" if t.exempt else f"{t.gst_rate.normalize():f}%"),
    Column("Tariff", lambda t: "set" if t.priced else "not set"),
)
PACKAGE_COLUMNS = (
    Column("Code", lambda p: p.draft.code), Column("Package", lambda p: p.draft.name),
    Column("Items", lambda p: " · ".join(f"{i.quantity.normalize():f} × {i.description}" for i in p.draft.items),
           stretch=True),
    Column("Before discount", lambda p: rupees(p.gross)), Column("Discount", lambda p: rupees(p.draft.discount)),
    Column("Plan", lambda p: f"deposit {rupees(p.draft.deposit)} + {p.draft.instalments} × every "
                             f"{p.draft.instalment_days} days"),
)


class TariffDialog(FormDialog):
    def __init__(self, app: AppContext, tariff: TariffView, parent: QWidget | None = None):
        super().__init__(app, "Service price", parent)
        self.tariff = tariff
        self.initial = QLineEdit(f"{tariff.initial_price}")
        self.follow_up = QLineEdit(f"{tariff.follow_up_price}")
        self.hsn_sac = QLineEdit(tariff.hsn_sac)
        self.rate = QLineEdit(f"{tariff.gst_rate.normalize():f}")
        self.exempt = QCheckBox(self.tr("Exempt: health care by a clinical establishment"))
        self.exempt.setChecked(tariff.exempt)
        self.form.addRow(self.tr("Service"), QLabel(f"{tariff.name} ({tariff.code})"))
        self.form.addRow(self.tr("First-visit price (₹)"), self.initial)
        self.form.addRow(self.tr("Follow-up price (₹)"), self.follow_up)
        self.form.addRow(self.tr("HSN/SAC code"), self.hsn_sac)
        self.form.addRow(self.tr("GST rate (%)"), self.rate)
        self.form.addRow("", self.exempt)
        self.errors.fields.update({"initial_price": self.initial, "follow_up_price": self.follow_up,
                                   "hsn_sac": self.hsn_sac, "gst_rate": self.rate})

    def save(self) -> None:
        try:
            first = parse_amount(self.initial.text(), field="initial_price", label="First-visit price",
                                 allow_zero=True)
            follow = parse_amount(self.follow_up.text(), field="follow_up_price", label="Follow-up price",
                                  allow_zero=True)
            try:
                rate = Decimal(self.rate.text().strip().rstrip("%") or "x")
            except InvalidOperation:
                raise ValidationError({"gst_rate": "must be a number, e.g. 5 or 18"},
                                      {"gst_rate": "GST rate"}) from None
        except ValidationError as exc:
            self.refused(exc)
            return
        self.submit(billing_catalogue.set_tariff, self.app.ctx, self.tariff.service_id, initial_price=first,
                    follow_up_price=follow, hsn_sac=self.hsn_sac.text(), gst_rate=rate,
                    exempt=self.exempt.isChecked())


class PricesView(RefreshingView):
    def __init__(self, app: AppContext, parent: QWidget | None = None):
        super().__init__(app, parent)
        self.tariffs = ListTableModel(TARIFF_COLUMNS, self)
        self.tariff_table = QTableView()
        configure_table(self.tariff_table, self.tariffs)
        self.packages = ListTableModel(PACKAGE_COLUMNS, self)
        self.package_table = QTableView()
        configure_table(self.package_table, self.packages)
        self.package_table.setColumnWidth(1, 220)
        self.package_table.setColumnWidth(5, 260)
        self.banner = QLabel()
        self.banner.setStyleSheet("color: #b3261e; font-weight: bold;")
        self.banner.hide()
        self.edit_button = QPushButton(self.tr("Edit price and tax…"))
        self.edit_button.setMinimumHeight(38)
        self.edit_button.clicked.connect(self.open_tariff)
        actions = QHBoxLayout()
        actions.addWidget(QLabel(self.tr("Rates are the clinic's to set: confirm them with your tax adviser.")), 1)
        actions.addWidget(self.edit_button)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(self.tr("<b>Service prices</b>")))
        layout.addWidget(self.tariff_table, 3)
        layout.addLayout(actions)
        layout.addWidget(QLabel(self.tr("<b>Packages</b> (courses sold as one bundle, with a payment plan)")))
        layout.addWidget(self.package_table, 2)
        self.package_button = QPushButton(self.tr("New package…"))
        self.package_button.setMinimumHeight(38)
        self.package_button.clicked.connect(self.open_package)
        package_actions = QHBoxLayout()
        package_actions.addStretch(1)
        package_actions.addWidget(self.package_button)
        layout.addLayout(package_actions)
        layout.addWidget(self.banner)

    def is_relevant(self, changes: Changes) -> bool:
        return changes.billing

    def reload(self) -> None:
        self.app.runner.run(billing_catalogue.list_tariffs, self.app.ctx, owner=self,
                            on_done=self.tariffs.set_rows, on_error=self._failed)
        self.app.runner.run(billing_catalogue.list_packages, self.app.ctx, owner=self,
                            on_done=self._packages_loaded, on_error=self._failed)

    def _packages_loaded(self, packages: list[PackageView]) -> None:
        self.packages.set_rows(packages)

    def _failed(self, exc: BaseException) -> None:
        self.banner.setText(error_text(exc))
        self.banner.show()

    def open_package(self) -> PackageDialog:
        dialog = PackageDialog(self.app, self)
        dialog.open()
        return dialog

    def open_tariff(self) -> TariffDialog | None:
        tariff = selected_row(self.tariff_table)
        if tariff is None:
            return None
        dialog = TariffDialog(self.app, tariff, self)
        dialog.open()
        return dialog
