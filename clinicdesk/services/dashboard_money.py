"""Dashboard panels on the business: revenue, collections and outstanding bills; the enquiry conversion funnel."""

from collections import defaultdict
from datetime import date
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from clinicdesk.domain import leads as lead_rules
from clinicdesk.domain.billing.money import ZERO
from clinicdesk.domain.billing.payments import outstanding
from clinicdesk.domain.dashboard_metrics import Chart, Panel, count_of, rate
from clinicdesk.services.dashboard_scope import Scope
from clinicdesk.store.models_billing import InvoiceRow, PaymentRow
from clinicdesk.store.models_leads import LeadEventRow, LeadRow

_CHUNK = 500  # SQLite's limit on bound parameters


def _rupees(value: Decimal) -> str:
    return f"₹{value:,.2f}"


def revenue_panel(session: Session, scope: Scope) -> Panel:
    """Per bucket: invoiced (less credit notes, by issue day), collected (payments less refunds, by the day received)
    and what is still owed today on the bills issued in that bucket."""
    invoiced: dict[date, Decimal] = defaultdict(lambda: ZERO)
    owed: dict[date, Decimal] = defaultdict(lambda: ZERO)
    collected: dict[date, Decimal] = defaultdict(lambda: ZERO)
    bills = session.execute(select(InvoiceRow.id, InvoiceRow.kind, InvoiceRow.issued_on, InvoiceRow.total).where(
        InvoiceRow.centre_id.in_(scope.centre_ids), InvoiceRow.issued_on >= scope.first_day,
        InvoiceRow.issued_on <= scope.last_day)).all()
    invoices = {row.id: row for row in bills if row.kind == "invoice"}
    credited: dict[str, Decimal] = defaultdict(lambda: ZERO)
    paid: dict[tuple[str, str], Decimal] = defaultdict(lambda: ZERO)
    ids = list(invoices)
    for chunk in (ids[i:i + _CHUNK] for i in range(0, len(ids), _CHUNK)):
        for invoice_id, total in session.execute(
                select(InvoiceRow.original_invoice_id, func.sum(InvoiceRow.total))
                .where(InvoiceRow.original_invoice_id.in_(chunk)).group_by(InvoiceRow.original_invoice_id)):
            credited[invoice_id] = total or ZERO
        for invoice_id, kind, total in session.execute(
                select(PaymentRow.invoice_id, PaymentRow.kind, func.sum(PaymentRow.amount))
                .where(PaymentRow.invoice_id.in_(chunk)).group_by(PaymentRow.invoice_id, PaymentRow.kind)):
            paid[(invoice_id, kind)] = total or ZERO
    for row in bills:
        bucket = scope.bucket_of_day(row.issued_on)
        if row.kind == "credit_note":
            invoiced[bucket] -= row.total
            continue
        invoiced[bucket] += row.total
        owed[bucket] += max(ZERO, outstanding(row.total, credited=credited[row.id], paid=paid[(row.id, "payment")],
                                              refunded=paid[(row.id, "refund")]))
    low, high = scope.utc_window()
    for centre_id, kind, amount, at in session.execute(
            select(PaymentRow.centre_id, PaymentRow.kind, PaymentRow.amount, PaymentRow.received_at).where(
                PaymentRow.centre_id.in_(scope.centre_ids), PaymentRow.received_at >= low,
                PaymentRow.received_at < high)):
        bucket = scope.bucket_of(centre_id, at)
        if bucket is not None:
            collected[bucket] += amount if kind == "payment" else -amount
    table = tuple((label, invoiced[start], collected[start], owed[start])
                  for start, label in zip(scope.starts, scope.labels, strict=True))
    totals = [sum((row[i] for row in table), ZERO) for i in (1, 2, 3)]
    summary = (f"{count_of(len(invoices), 'invoice')}: {_rupees(totals[0])} invoiced (less credit notes), "
               f"{_rupees(totals[1])} collected, {_rupees(totals[2])} still outstanding on the bills of this range.")
    return Panel("revenue", "Revenue and outstanding (₹)", ("Period", "Invoiced", "Collected", "Outstanding"), table,
                 summary, Chart("bar", (1, 2, 3)))


def conversion_panel(session: Session, scope: Scope) -> Panel:
    """Enquiries taken per bucket and how far they got (the leads funnel's own stage rules)."""
    low, high = scope.utc_window()
    leads = [row for row in session.execute(
        select(LeadRow.id, LeadRow.centre_id, LeadRow.source, LeadRow.status, LeadRow.created_at).where(
            LeadRow.centre_id.in_(scope.centre_ids), LeadRow.created_at >= low, LeadRow.created_at < high))
        if scope.day_of(row.centre_id, row.created_at) is not None]
    seen: dict[str, set[str]] = {row.id: set() for row in leads}
    ids = list(seen)
    for chunk in (ids[i:i + _CHUNK] for i in range(0, len(ids), _CHUNK)):
        for lead_id, status in session.execute(select(LeadEventRow.lead_id, LeadEventRow.to_status)
                                               .where(LeadEventRow.lead_id.in_(chunk))):
            seen[lead_id].add(status)
    groups: dict[date, list] = defaultdict(list)
    for row in leads:
        groups[scope.bucket_of(row.centre_id, row.created_at)].append(
            (row.source, lead_rules.Status(row.status), frozenset(lead_rules.Status(s) for s in seen[row.id])))
    table = []
    for start, label in zip(scope.starts, scope.labels, strict=True):
        funnel = lead_rules.funnel(groups.get(start, []))
        reached = {stage.status: stage.reached for stage in funnel.stages}
        table.append((label, funnel.total, reached[lead_rules.Status.CONTACTED],
                      reached[lead_rules.Status.CONVERTED], funnel.lost, funnel.conversion_rate()))
    whole = lead_rules.funnel(item for items in groups.values() for item in items)
    best = max(((source, counts) for source, counts in whole.by_source.items() if counts[0]),
               key=lambda item: (rate(item[1][1], item[1][0]) or 0, item[1][0]), default=None)
    converted = whole.stages[-1].reached if whole.stages else 0
    summary = (f"{count_of(whole.total, 'enquiry', 'enquiries')}, {converted} converted to patients, "
               f"{whole.lost} lost; conversion "
               + ("no data" if whole.conversion_rate() is None else f"{whole.conversion_rate() * 100:.1f} %")
               + (f"; best source: {best[0].replace('_', ' ')} ({best[1][1]} of {best[1][0]})." if best else "."))
    return Panel("conversion", "Enquiry conversion",
                 ("Period", "Enquiries", "Contacted", "Converted", "Lost", "Conversion rate"), tuple(table), summary,
                 Chart("bar", (1, 2, 3)), percent_columns=(5,))
