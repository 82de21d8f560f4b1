"""The price list: service tariffs with HSN/SAC and GST rate, practitioners' own prices, and packages."""

from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from clinicdesk.domain.billing.gst import HEALTH_CARE_EXEMPT, TaxCode, validate_tax_code
from clinicdesk.domain.billing.money import ZERO, money
from clinicdesk.domain.billing.packages import ItemKind, PackageDefinition, PackageItem, validate_package
from clinicdesk.domain.errors import NotFound, ValidationError
from clinicdesk.domain.roles import Action
from clinicdesk.services.billing_dto import PackageDraft, PackageItemDraft, PackageView, TariffView
from clinicdesk.services.context import Changes, ServiceContext
from clinicdesk.store.models import StaffRow
from clinicdesk.store.models_billing import PackageItemRow, PackageRow, PractitionerPriceRow, ServiceTariffRow
from clinicdesk.store.models_scheduling import ServiceRow

_PRICE_LABELS = {"initial_price": "First-visit price", "follow_up_price": "Follow-up price", "price": "Price"}


def _check_price(value: Decimal, name: str) -> Decimal:
    if isinstance(value, float):
        raise TypeError("a price is never a float")
    if value < 0 or value != money(value):
        raise ValidationError({name: "must be zero or more, in rupees and paise"}, _PRICE_LABELS)
    return money(value)


def _tariff_view(service: ServiceRow, tariff: ServiceTariffRow | None) -> TariffView:
    if tariff is None:  # not priced yet: the booking list price, billed as exempt clinical care until set
        return TariffView(service.id, service.code, service.name, service.category, money(service.price),
                          money(service.price), HEALTH_CARE_EXEMPT.hsn_sac, HEALTH_CARE_EXEMPT.rate, True, False)
    return TariffView(service.id, service.code, service.name, service.category, tariff.initial_price,
                      tariff.follow_up_price, tariff.hsn_sac, tariff.gst_rate, tariff.exempt, True)


def list_tariffs(ctx: ServiceContext) -> list[TariffView]:
    ctx.authorise(Action.BILLING_VIEW, entity="tariff")
    with ctx.unit_of_work() as session:
        tariffs = {t.service_id: t for t in session.scalars(select(ServiceTariffRow))}
        services = session.scalars(select(ServiceRow).where(ServiceRow.active).order_by(ServiceRow.code))
        return [_tariff_view(s, tariffs.get(s.id)) for s in services]


def set_tariff(ctx: ServiceContext, service_id: str, *, initial_price: Decimal, follow_up_price: Decimal,
               hsn_sac: str, gst_rate: Decimal, exempt: bool = False) -> Changes:
    """Save a service's prices and tax code; the audit entry carries the new figures (prices are not patient data)."""
    ctx.authorise(Action.BILLING_MANAGE, entity="tariff", entity_id=service_id)
    tax = validate_tax_code(hsn_sac, gst_rate, exempt=exempt)
    first, follow = _check_price(initial_price, "initial_price"), _check_price(follow_up_price, "follow_up_price")
    with ctx.unit_of_work() as session:
        if session.get(ServiceRow, service_id) is None:
            raise NotFound("This service no longer exists.")
        row = session.get(ServiceTariffRow, service_id) or ServiceTariffRow(service_id=service_id)
        row.initial_price, row.follow_up_price = first, follow
        row.hsn_sac, row.gst_rate, row.exempt, row.updated_at = tax.hsn_sac, tax.rate, tax.exempt, ctx.now()
        session.add(row)
        ctx.audit(session, "billing.tariff_set", entity="service", entity_id=service_id,
                  detail=f"initial {first} follow-up {follow} {tax.hsn_sac} {tax.label}")
        return Changes(billing=True)


def set_practitioner_price(ctx: ServiceContext, service_id: str, staff_id: str, price: Decimal | None) -> Changes:
    """A practitioner's own price for a service; None goes back to the service's tariff."""
    ctx.authorise(Action.BILLING_MANAGE, entity="tariff", entity_id=service_id)
    with ctx.unit_of_work() as session:
        if session.get(ServiceRow, service_id) is None or session.get(StaffRow, staff_id) is None:
            raise NotFound("This service or practitioner no longer exists.")
        row = session.get(PractitionerPriceRow, (service_id, staff_id))
        if price is None:
            if row is not None:
                session.delete(row)
        else:
            row = row or PractitionerPriceRow(service_id=service_id, staff_id=staff_id)
            row.price, row.updated_at = _check_price(price, "price"), ctx.now()
            session.add(row)
        ctx.audit(session, "billing.practitioner_price_set", entity="service", entity_id=service_id,
                  detail=f"staff {staff_id} price {price if price is not None else 'tariff'}")
        return Changes(billing=True)


def tax_code_for(session: Session, service_id: str) -> TaxCode:
    tariff = session.get(ServiceTariffRow, service_id)
    return HEALTH_CARE_EXEMPT if tariff is None else TaxCode(tariff.hsn_sac, tariff.gst_rate, tariff.exempt)


def price_for(session: Session, service_id: str, *, staff_ids: list[str], follow_up: bool) -> Decimal:
    """A practitioner's own price when one of them has one, else the tariff's first-visit or follow-up price."""
    for staff_id in staff_ids:
        own = session.get(PractitionerPriceRow, (service_id, staff_id))
        if own is not None:
            return own.price
    tariff = session.get(ServiceTariffRow, service_id)
    if tariff is None:
        return money(session.get(ServiceRow, service_id).price)
    return tariff.follow_up_price if follow_up and tariff.follow_up_price else tariff.initial_price


def _definition(draft: PackageDraft) -> PackageDefinition:
    items = []
    for number, item in enumerate(draft.items, start=1):
        if item.kind not in set(ItemKind):
            raise ValidationError({f"item_{number}": "must be a session, a material or a stay"},
                                  {f"item_{number}": f"Item {number}"})
        if not item.description.strip():
            raise ValidationError({f"item_{number}": "needs a description"}, {f"item_{number}": f"Item {number}"})
        tax = validate_tax_code(item.hsn_sac, item.gst_rate, exempt=item.exempt)
        items.append(PackageItem(ItemKind(item.kind), item.description.strip(), tax, money(item.unit_price),
                                 item.quantity))
    return validate_package(PackageDefinition(draft.code.strip().upper(), draft.name.strip(), tuple(items),
                                              money(draft.discount)))


def _package_view(row: PackageRow) -> PackageView:
    items = tuple(PackageItemDraft(i.kind, i.description, i.hsn_sac, i.gst_rate, i.unit_price, i.quantity, i.exempt)
                  for i in row.items)
    draft = PackageDraft(row.code, row.name, items, row.discount, row.instalments, row.instalment_days, row.deposit)
    return PackageView(row.id, draft, sum((money(i.unit_price * i.quantity) for i in items), ZERO), row.active)


def save_package(ctx: ServiceContext, draft: PackageDraft, *, package_id: str | None = None) -> tuple[str, Changes]:
    """Create or replace a package; invoices already issued keep the lines they were issued with."""
    ctx.authorise(Action.BILLING_MANAGE, entity="package", entity_id=package_id or "")
    definition = _definition(draft)
    labels = {"instalments": "Number of instalments", "instalment_days": "Days between instalments",
              "deposit": "Deposit"}
    if not 1 <= draft.instalments <= 24:
        raise ValidationError({"instalments": "must be between 1 and 24"}, labels)
    if not 1 <= draft.instalment_days <= 366:
        raise ValidationError({"instalment_days": "must be between 1 and 366"}, labels)
    if draft.deposit < 0:
        raise ValidationError({"deposit": "must not be negative"}, labels)
    with ctx.unit_of_work() as session:
        clash = session.scalar(select(PackageRow.id).where(PackageRow.code == definition.code))
        if clash and clash != package_id:
            raise ValidationError({"code": f"{definition.code} is already used by another package"},
                                  {"code": "Package code"})
        row = session.get(PackageRow, package_id) if package_id else PackageRow(id=ctx.make_id())
        if row is None:
            raise NotFound("This package no longer exists.")
        row.code, row.name, row.discount = definition.code, definition.name, definition.discount
        row.instalments, row.instalment_days, row.deposit = draft.instalments, draft.instalment_days, money(
            draft.deposit)
        row.active, row.updated_at = True, ctx.now()
        row.items = [PackageItemRow(id=ctx.make_id(), position=n, kind=i.kind.value, description=i.description,
                                    hsn_sac=i.tax.hsn_sac, gst_rate=i.tax.rate, exempt=i.tax.exempt,
                                    unit_price=i.unit_price, quantity=i.quantity)
                     for n, i in enumerate(definition.items)]
        session.add(row)
        session.flush()
        ctx.audit(session, "billing.package_save", entity="package", entity_id=row.id, detail=definition.code)
        return row.id, Changes(billing=True)


def list_packages(ctx: ServiceContext) -> list[PackageView]:
    ctx.authorise(Action.BILLING_VIEW, entity="package")
    with ctx.unit_of_work() as session:
        return [_package_view(r) for r in session.scalars(
            select(PackageRow).where(PackageRow.active).order_by(PackageRow.code))]


def package_definition(session: Session, package_id: str) -> tuple[PackageRow, PackageDefinition]:
    row = session.get(PackageRow, package_id)
    if row is None or not row.active:
        raise NotFound("This package is no longer offered.")
    return row, _definition(_package_view(row).draft)
