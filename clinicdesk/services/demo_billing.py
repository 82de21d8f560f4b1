"""Demo clinic money: service tariffs, two Panchakarma packages, thirteen weeks of bills with their payments (a
clinic that grows week by week, a few bills paid late or not at all, package courses with instalments, some now
overdue), and this week's bills (paid, part paid, credited with a refund, a B2B bill and an insurance claim)."""

import random
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from decimal import Decimal as D
from zoneinfo import ZoneInfo

from sqlalchemy import select

from clinicdesk.domain.billing.claims import ClaimDraft
from clinicdesk.domain.billing.gst import TaxCode
from clinicdesk.domain.billing.invoices import LineInput
from clinicdesk.services import billing, billing_catalogue, billing_claims, billing_views
from clinicdesk.services.billing_dto import PackageDraft, PackageItemDraft
from clinicdesk.services.context import ServiceContext
from clinicdesk.store.models import PatientRow
from clinicdesk.store.models_billing import InvoiceRow, PackageRow
from clinicdesk.store.models_scheduling import AppointmentRow, ServiceRow

_IST = ZoneInfo("Asia/Kolkata")
Action = tuple[datetime, Callable[[], None]]
HISTORY_DAYS = 91  # thirteen weeks before today: the owner's dashboards show a quarter's trend, by day or by week
# Wellness (spa-type) therapy sold outside a treatment plan is taxable; clinical care is exempt (SAC 999312).
_TAXABLE_SERVICES = {"UDV": TaxCode("999722", D("18"))}
PACKAGES = (
    PackageDraft("PK14", "Panchakarma 14 days", (
        PackageItemDraft("session", "Therapy sessions", "999312", D("0"), D("2200"), D("14"), exempt=True),
        PackageItemDraft("material", "Medicated oils and ghee", "30049011", D("5"), D("3500")),
        PackageItemDraft("stay", "Room stay (13 nights)", "996311", D("5"), D("2500"), D("13")),
    ), discount=D("4000"), instalments=3, instalment_days=14, deposit=D("20000")),
    PackageDraft("PK7", "Rasayana rejuvenation 7 days", (
        PackageItemDraft("session", "Therapy sessions", "999312", D("0"), D("2000"), D("7"), exempt=True),
        PackageItemDraft("material", "Rasayana medicines", "30049011", D("5"), D("2400")),
    ), discount=D("1000"), instalments=2, instalment_days=7),
)
_METHODS = (("upi", "{:012d}"), ("cash", ""), ("card", "AP{:04d}"), ("bank_transfer", "HDFC{:012d}"))
_VISIT_THERAPIES = ("ABH", "ABH", "SWE", "SHI", "NAS", "UDV", "PIZ", "KIZ", "BAS")  # what a day's visit adds


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=_IST) + timedelta(minutes=minute)


def _pay(ctx: ServiceContext, invoice_id: str, amount: D, serial: int) -> None:
    method, ref = _METHODS[serial % len(_METHODS)]
    billing.take_payment(ctx, invoice_id, amount, method, ref.format(serial + 7001))


def price_catalogue(ctx: ServiceContext) -> None:
    """Tariffs for every service and the two packages (an administrator's job, done before the first bill)."""
    with ctx.unit_of_work() as session:
        services = list(session.scalars(select(ServiceRow)))
    for service in services:
        tax = _TAXABLE_SERVICES.get(service.code, TaxCode("999312", D("0"), True))
        follow = service.price * D("0.6") if service.category == "consultation" else service.price
        billing_catalogue.set_tariff(ctx, service.id, initial_price=service.price,
                                     follow_up_price=follow.quantize(D("1")), hsn_sac=tax.hsn_sac,
                                     gst_rate=tax.rate, exempt=tax.exempt)
    for draft in PACKAGES:
        billing_catalogue.save_package(ctx, draft)


class _History:
    """Thirteen weeks of Kochi's bills as (when, action) pairs for the demo's one forward-moving timeline."""

    def __init__(self, desk: ServiceContext, today: date, now: datetime, rng: random.Random,
                 patients: Callable[[], list[str]]):
        self.desk, self.today, self.now, self.rng, self.patients = desk, today, now, rng, patients
        self.serial = 0
        self.services: dict[str, tuple[str, D, TaxCode]] = {}  # code -> (name, price, tax code)
        self.out: list[Action] = []

    def later(self, when: datetime, action: Callable[[], None]) -> None:
        if when < self.now:  # a payment that would fall after today has simply not happened yet
            self.out.append((when, action))

    def _load_services(self) -> None:
        with self.desk.unit_of_work() as session:
            for row in session.scalars(select(ServiceRow)):
                tax = _TAXABLE_SERVICES.get(row.code, TaxCode("999312", D("0"), True))
                self.services[row.code] = (row.name, row.price, tax)

    def _line(self, code: str, sessions: int) -> LineInput | None:
        if code not in self.services:
            return None
        name, price, tax = self.services[code]
        return LineInput(name, tax, price, D(sessions))

    def _total(self, invoice_id: str) -> D:
        with self.desk.db.session() as session:
            return session.get(InvoiceRow, invoice_id).total

    def visit_bill(self, day: date, slot: int) -> None:
        """A visit's bill: a consultation and a block of a therapy or two (one to seven sittings, billed together),
        mostly paid at the desk; a few paid late or still owed."""
        rng = self.rng
        first = rng.random() < 0.35
        therapies = rng.sample(_VISIT_THERAPIES, rng.choice((0, 1, 1, 2)))
        sittings = {"CON-NEW" if first else "CON-FU": 1} | {code: rng.choice((1, 1, 3, 5, 7)) for code in therapies}
        fate = rng.choices(("now", "later", "part", "owed"), (72, 15, 7, 6))[0]
        delay = timedelta(days=rng.randint(2, 24), hours=rng.randint(0, 5))
        holder: dict[str, str] = {}

        def issue() -> None:
            if not self.services:
                self._load_services()
            lines = [line for code, count in sittings.items() if (line := self._line(code, count))]
            patients = self.patients()
            if not lines or not patients:
                return
            holder["id"], _ = billing.issue_invoice(self.desk, rng.choice(patients), lines)
            holder["total"] = str(self._total(holder["id"]))
            self.serial += 1
            if fate == "now":
                _pay(self.desk, holder["id"], D(holder["total"]), self.serial)
            elif fate == "part":
                _pay(self.desk, holder["id"], (D(holder["total"]) / 2).quantize(D("1")), self.serial)

        def settle() -> None:
            if "id" in holder:
                self.serial += 1
                _pay(self.desk, holder["id"], D(holder["total"]), self.serial)

        issued_at = _at(day, 10 + slot % 8, 7 * slot % 50)
        self.out.append((issued_at, issue))
        if fate == "later":
            self.later(issued_at + delay, settle)

    def package_course(self, day: date, code: str, *, pays: tuple[bool, ...]) -> None:
        """A package bought on `day` on a payment plan; `pays[n]` says whether part n+1 was paid on its due date."""
        holder: dict[str, object] = {}

        def issue() -> None:
            patients = self.patients()
            with self.desk.unit_of_work() as session:
                package_id = session.scalar(select(PackageRow.id).where(PackageRow.code == code))
            if not patients or package_id is None:
                return
            invoice_id, _ = billing.issue_package_invoice(self.desk, self.rng.choice(patients), package_id,
                                                          first_due=day)
            holder["id"] = invoice_id
            holder["parts"] = [(p.due_on, p.amount) for p in billing_views.invoice_detail(self.desk,
                                                                                         invoice_id).instalments]
            pay_part(0)  # the first part (the deposit, where there is one) is paid when the course is booked

        def pay_part(index: int) -> None:
            parts = holder.get("parts", [])
            if index < len(parts):
                self.serial += 1
                _pay(self.desk, holder["id"], parts[index][1], self.serial)

        self.out.append((_at(day, 11, 15), issue))
        # the plan's due dates, known before it is issued: the deposit on the day, then every `instalment_days`
        draft = next(d for d in PACKAGES if d.code == code)
        step = timedelta(days=draft.instalment_days)
        dues = [day + step * (n + (1 if draft.deposit else 0)) for n in range(draft.instalments)]
        dues = ([day] if draft.deposit else []) + dues
        for index, due in enumerate(dues[1:], start=1):
            if index < len(pays) and pays[index]:
                self.later(_at(due, 12, 30), lambda index=index: pay_part(index))


def history_actions(*, manager: ServiceContext, desk: ServiceContext, today: date, now: datetime,
                    rng: random.Random, patients: Callable[[], list[str]]) -> list[Action]:
    """(when, action) pairs: the catalogue priced, then Kochi's bills of the last thirteen weeks, busier each week
    (about 130 bills), none on Sundays; package courses with instalments, two of them now overdue."""
    history = _History(desk, today, now, rng, patients)
    first_day = today - timedelta(days=HISTORY_DAYS)
    history.out.append((_at(first_day - timedelta(days=1), 8, 30), lambda: price_catalogue(manager)))
    for back in range(HISTORY_DAYS, 0, -1):
        day = today - timedelta(days=back)
        if day.weekday() == 6:
            continue
        growth = 1 - back / HISTORY_DAYS  # 0 thirteen weeks ago, nearly 1 yesterday
        expected = 0.6 + 2.0 * growth + (0.5 if day.weekday() == 5 else 0)  # Saturdays are busy
        count = int(expected) + (rng.random() < expected - int(expected))
        for slot in range(count):
            history.visit_bill(day, slot)
    # Courses on a payment plan: the older ones paid up; the two latest each have a part now overdue.
    for back, code, pays in ((84, "PK7", (True, True)), (70, "PK14", (True, True, True, True)),
                             (56, "PK7", (True, True)), (45, "PK14", (True, True, False, False)),
                             (30, "PK14", (True, True, True, True)), (20, "PK7", (True, False))):
        history.package_course(today - timedelta(days=back), code, pays=pays)
    return history.out


def add_bills(ctx: ServiceContext, set_clock: Callable[[datetime], None], now: datetime, *,
              centre_id: str, bills: int = 14) -> int:
    """Bill the centre's first completed visits of this week (priced by `price_catalogue` earlier in the demo's
    timeline); returns how many invoices were issued."""
    with ctx.unit_of_work() as session:
        patients = list(session.scalars(
            select(PatientRow.id).join(AppointmentRow, AppointmentRow.patient_id == PatientRow.id)
            .where(AppointmentRow.status == "completed", AppointmentRow.centre_id == centre_id)
            .group_by(PatientRow.id).order_by(PatientRow.uhid).limit(bills)))
        everyone = list(session.scalars(select(PatientRow.id).where(PatientRow.centre_id == centre_id)
                                        .order_by(PatientRow.uhid).limit(3)))
        package_ids = {code: package_id for code, package_id in session.execute(
            select(PackageRow.code, PackageRow.id))}
    set_clock(now)  # the demo clock only moves forward: this week's bills are issued now
    issued = 0
    for index, patient_id in enumerate(patients):
        items = billing.billable_items(ctx, patient_id)
        if not items:
            continue
        lines = [item.line for item in items]
        extra = {"buyer_name": "Malabar Spices Pvt Ltd", "buyer_gstin": "32AAPFU0939F1Z4"} if index == 3 else {}
        discount = D("100") if index % 5 == 2 else D("0")
        invoice_id, _ = billing.issue_invoice(ctx, patient_id, lines, invoice_discount=discount, **extra)
        issued += 1
        total = billing.preview_invoice(ctx, patient_id, lines, invoice_discount=discount, **(
            {"buyer_gstin": extra["buyer_gstin"]} if extra else {})).total
        method, ref = _METHODS[index % len(_METHODS)]
        if index % 4 == 1:  # part paid
            billing.take_payment(ctx, invoice_id, (total / 2).quantize(D("1")), method, ref.format(index + 41))
        elif index % 4 != 3:  # every fourth bill is still unpaid
            billing.take_payment(ctx, invoice_id, total, method, ref.format(index + 41))
        if index == 2 and len(lines) > 1:  # a therapy cancelled after payment: credited and refunded in cash
            billing.issue_credit_note(ctx, invoice_id, {len(lines) - 1: D(1)}, reason="Session not taken",
                                      refund_method="cash")
        if index == 5:
            claim_id, _ = billing_claims.record_claim(ctx, invoice_id, ClaimDraft("Star Health", "P/210/7781",
                                                                                  total))
            billing_claims.update_claim(ctx, claim_id, "submitted", claim_number="CLM-2611-0042")
    if len(everyone) > 1 and "PK7" in package_ids:  # a week's rejuvenation course, paid in full
        invoice_id, _ = billing.issue_package_invoice(ctx, everyone[1], package_ids["PK7"])
        billing.take_payment(ctx, invoice_id, D("1000"), "upi", "612345678901")
        issued += 1
    return issued
