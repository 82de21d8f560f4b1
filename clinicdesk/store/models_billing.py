"""SQLAlchemy rows for billing: service tariffs, packages, invoices and credit notes, payments, instalments, claims."""

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, Text, TypeDecorator, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from clinicdesk.store.models import Base, UtcDateTime


class Paise(TypeDecorator):
    """Rupees as Decimal in Python, whole paise as INTEGER in SQLite: exact, summable in SQL, never a float.

    SQLite has no decimal type; a NUMERIC column would come back through a float (0.1 + 0.2 != 0.3).
    """

    impl = Integer
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if isinstance(value, float):
            raise TypeError("money is never a float")
        paise = Decimal(value) * 100
        if paise != paise.to_integral_value():
            raise ValueError("money is stored to the paisa; round it first")
        return int(paise)

    def process_result_value(self, value, dialect):
        return None if value is None else (Decimal(value) / 100).quantize(Decimal("0.01"))


class DecimalText(TypeDecorator):
    """A Decimal kept as its exact text (GST rates such as 0.25 and quantities such as 1.5)."""

    impl = String(16)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if isinstance(value, float):
            raise TypeError("a rate or quantity is never a float")
        return str(Decimal(value))

    def process_result_value(self, value, dialect):
        return None if value is None else Decimal(value)


class ServiceTariffRow(Base):
    """What a service costs and how it is taxed: first-visit and follow-up prices, HSN/SAC code and GST rate."""

    __tablename__ = "service_tariffs"
    service_id: Mapped[str] = mapped_column(ForeignKey("services.id"), primary_key=True)
    initial_price: Mapped[Decimal] = mapped_column(Paise)
    follow_up_price: Mapped[Decimal] = mapped_column(Paise)
    hsn_sac: Mapped[str] = mapped_column(String(8))
    gst_rate: Mapped[Decimal] = mapped_column(DecimalText)
    exempt: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)


class PractitionerPriceRow(Base):
    """A practitioner's own price for a service (a senior physician's consultation costs more)."""

    __tablename__ = "practitioner_prices"
    service_id: Mapped[str] = mapped_column(ForeignKey("services.id"), primary_key=True)
    staff_id: Mapped[str] = mapped_column(ForeignKey("staff.id"), primary_key=True)
    price: Mapped[Decimal] = mapped_column(Paise)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)


class PackageRow(Base):
    """A course sold as one bundle, with its default payment plan."""

    __tablename__ = "packages"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    code: Mapped[str] = mapped_column(String(12), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    discount: Mapped[Decimal] = mapped_column(Paise)
    instalments: Mapped[int] = mapped_column(Integer, default=1)
    instalment_days: Mapped[int] = mapped_column(Integer, default=30)
    deposit: Mapped[Decimal] = mapped_column(Paise)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)
    items: Mapped[list["PackageItemRow"]] = relationship(cascade="all, delete-orphan",
                                                         order_by="PackageItemRow.position")


class PackageItemRow(Base):
    __tablename__ = "package_items"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    package_id: Mapped[str] = mapped_column(ForeignKey("packages.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(10))  # session, material, stay
    description: Mapped[str] = mapped_column(String(120))
    hsn_sac: Mapped[str] = mapped_column(String(8))
    gst_rate: Mapped[Decimal] = mapped_column(DecimalText)
    exempt: Mapped[bool] = mapped_column(Boolean, default=False)
    unit_price: Mapped[Decimal] = mapped_column(Paise)
    quantity: Mapped[Decimal] = mapped_column(DecimalText)


class BillCounterRow(Base):
    """Next serial per centre, device, document kind and financial year; bumped with the insert it numbers."""

    __tablename__ = "bill_counters"
    centre_id: Mapped[str] = mapped_column(ForeignKey("centres.id"), primary_key=True)
    device_code: Mapped[str] = mapped_column(String(4), primary_key=True)
    kind: Mapped[str] = mapped_column(String(1), primary_key=True)  # I, C, R
    fy_start: Mapped[int] = mapped_column(Integer, primary_key=True)
    next_number: Mapped[int] = mapped_column(Integer, default=1)


class InvoiceRow(Base):
    """An issued tax invoice or credit note. Never updated: the migration's triggers refuse UPDATE and DELETE."""

    __tablename__ = "invoices"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    centre_id: Mapped[str] = mapped_column(ForeignKey("centres.id"))
    patient_id: Mapped[str] = mapped_column(ForeignKey("patients.id"), index=True)
    kind: Mapped[str] = mapped_column(String(12))  # invoice, credit_note
    number: Mapped[str] = mapped_column(String(16), unique=True)
    issued_on: Mapped[date] = mapped_column(Date)
    issued_at: Mapped[datetime] = mapped_column(UtcDateTime)
    issued_by: Mapped[str] = mapped_column(ForeignKey("staff.id"))
    original_invoice_id: Mapped[str | None] = mapped_column(ForeignKey("invoices.id"), nullable=True, index=True)
    package_id: Mapped[str | None] = mapped_column(ForeignKey("packages.id"), nullable=True)
    centre_gstin: Mapped[str] = mapped_column(String(15), default="")
    centre_state: Mapped[str] = mapped_column(String(80), default="")
    buyer_name: Mapped[str] = mapped_column(String(120), default="")
    buyer_gstin: Mapped[str] = mapped_column(String(15), default="")
    place_of_supply: Mapped[str] = mapped_column(String(80))
    intra_state: Mapped[bool] = mapped_column(Boolean)
    gross: Mapped[Decimal] = mapped_column(Paise)
    discount: Mapped[Decimal] = mapped_column(Paise)
    taxable: Mapped[Decimal] = mapped_column(Paise)
    cgst: Mapped[Decimal] = mapped_column(Paise)
    sgst: Mapped[Decimal] = mapped_column(Paise)
    igst: Mapped[Decimal] = mapped_column(Paise)
    round_off: Mapped[Decimal] = mapped_column(Paise)
    total: Mapped[Decimal] = mapped_column(Paise)
    reason: Mapped[str] = mapped_column(Text, default="")  # why a credit note was issued
    lines: Mapped[list["InvoiceLineRow"]] = relationship(order_by="InvoiceLineRow.position")


Index("ix_invoices_centre_issued", InvoiceRow.centre_id, InvoiceRow.issued_on)


class InvoiceLineRow(Base):
    __tablename__ = "invoice_lines"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    invoice_id: Mapped[str] = mapped_column(ForeignKey("invoices.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    description: Mapped[str] = mapped_column(String(160))
    hsn_sac: Mapped[str] = mapped_column(String(8))
    gst_rate: Mapped[Decimal] = mapped_column(DecimalText)
    exempt: Mapped[bool] = mapped_column(Boolean)
    quantity: Mapped[Decimal] = mapped_column(DecimalText)
    unit_price: Mapped[Decimal] = mapped_column(Paise)
    line_discount: Mapped[Decimal] = mapped_column(Paise)
    invoice_discount: Mapped[Decimal] = mapped_column(Paise)
    taxable: Mapped[Decimal] = mapped_column(Paise)
    cgst: Mapped[Decimal] = mapped_column(Paise)
    sgst: Mapped[Decimal] = mapped_column(Paise)
    igst: Mapped[Decimal] = mapped_column(Paise)
    source_kind: Mapped[str] = mapped_column(String(12), default="")  # appointment, session, package
    source_id: Mapped[str] = mapped_column(String(36), default="")


Index("ix_invoice_lines_source", InvoiceLineRow.source_kind, InvoiceLineRow.source_id)


class InstalmentRow(Base):
    """One due date of an invoice's payment plan (a package bought in parts)."""

    __tablename__ = "instalments"
    __table_args__ = (UniqueConstraint("invoice_id", "number"),)
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    invoice_id: Mapped[str] = mapped_column(ForeignKey("invoices.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    due_on: Mapped[date] = mapped_column(Date)
    amount: Mapped[Decimal] = mapped_column(Paise)


class PaymentRow(Base):
    """Money in (payment) or out (refund) against an invoice, with its receipt number. Never updated."""

    __tablename__ = "payments"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    centre_id: Mapped[str] = mapped_column(ForeignKey("centres.id"))
    invoice_id: Mapped[str] = mapped_column(ForeignKey("invoices.id"), index=True)
    kind: Mapped[str] = mapped_column(String(8))  # payment, refund
    receipt_number: Mapped[str] = mapped_column(String(16), unique=True)
    method: Mapped[str] = mapped_column(String(16))
    amount: Mapped[Decimal] = mapped_column(Paise)  # always positive; the kind says which way it went
    reference: Mapped[str] = mapped_column(String(30), default="")
    received_at: Mapped[datetime] = mapped_column(UtcDateTime)
    received_by: Mapped[str] = mapped_column(ForeignKey("staff.id"))
    credit_note_id: Mapped[str | None] = mapped_column(ForeignKey("invoices.id"), nullable=True)


class InsuranceClaimRow(Base):
    """A claim to an insurer or TPA for an invoice, and where it stands."""

    __tablename__ = "insurance_claims"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    invoice_id: Mapped[str] = mapped_column(ForeignKey("invoices.id"), index=True)
    insurer: Mapped[str] = mapped_column(String(120))
    policy_number: Mapped[str] = mapped_column(String(40))
    claim_number: Mapped[str] = mapped_column(String(40), default="")
    status: Mapped[str] = mapped_column(String(16))
    claimed: Mapped[Decimal] = mapped_column(Paise)
    approved: Mapped[Decimal | None] = mapped_column(Paise, nullable=True)
    settled: Mapped[Decimal | None] = mapped_column(Paise, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_by: Mapped[str] = mapped_column(ForeignKey("staff.id"))
