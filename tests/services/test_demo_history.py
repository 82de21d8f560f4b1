"""The demo clinic's past: thirteen weeks of bills and eight weeks of enquiries, so the owner's dashboards show trends,
and overdue instalments the payment reminders act on."""

from datetime import UTC, date, datetime, timedelta

import keyring
import pytest
from sqlalchemy import func, select

from clinicdesk.services import auth, dashboards, demo, demo_billing, payment_reminders
from clinicdesk.services.context import ServiceContext
from clinicdesk.store.database import open_database
from clinicdesk.store.models_billing import InvoiceRow, PaymentRow
from clinicdesk.store.models_leads import LeadEventRow, LeadRow
from tests.conftest import MemoryKeyring

PASSPHRASE = "demo history passphrase"
FIXED_NOW = datetime(2026, 11, 26, 6, 0, tzinfo=UTC)
TODAY = date(2026, 11, 26)


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory):
    previous = keyring.get_keyring()
    keyring.set_keyring(MemoryKeyring())
    try:
        data_dir = tmp_path_factory.mktemp("demo_history") / "clinic"
        demo.build_demo_clinic(data_dir, passphrase=PASSPHRASE, patients=40, now=FIXED_NOW)
    finally:
        keyring.set_keyring(previous)
    db = open_database(data_dir, passphrase=PASSPHRASE)
    yield db
    db.close()


def _admin(db) -> ServiceContext:
    ctx = ServiceContext(db, clock=lambda: FIXED_NOW)
    ctx.user = auth.sign_in(ctx, demo.DEMO_ADMIN, demo.DEMO_PASSWORD)
    return ctx


def _weeks_back(day: date) -> int:
    return (TODAY - day).days // 7


def test_bills_and_payments_spread_over_thirteen_weeks_and_grow(demo_db):
    with demo_db.session() as session:
        issued = list(session.scalars(select(InvoiceRow.issued_on).where(InvoiceRow.kind == "invoice")))
        received = list(session.scalars(select(PaymentRow.received_at)))
    per_week = [0] * 14
    for day in issued:
        per_week[_weeks_back(day)] += 1
    assert min(issued) >= TODAY - timedelta(days=demo_billing.HISTORY_DAYS)
    assert sum(1 for count in per_week[:13] if count) >= 12, per_week  # a bill in (nearly) every week
    assert sum(per_week[1:5]) > sum(per_week[9:13]), per_week  # the last month busier than the first
    assert max(received) <= FIXED_NOW and len({at.date() for at in received}) >= 40  # collections day by day

    week = dashboards.build_dashboard(_admin(demo_db), view="owner", period="week",
                                      first_day=TODAY - timedelta(days=90), last_day=TODAY)
    revenue = next(panel for panel in week.panels if panel.key == "revenue")
    assert sum(1 for row in revenue.rows if row[1] > 0) >= 12 and sum(1 for row in revenue.rows if row[2] > 0) >= 12


def test_enquiries_spread_over_eight_weeks_and_older_ones_are_settled(demo_db):
    with demo_db.session() as session:
        rows = session.execute(select(LeadRow.created_at, LeadRow.status)).all()
        last_event = session.scalar(select(func.max(LeadEventRow.at)))
    weeks = [_weeks_back(created.date()) for created, _ in rows]
    assert set(weeks) >= set(range(8)) - {0} and max(weeks) <= 7, sorted(weeks)
    assert sum(1 for w in weeks if w < 4) > sum(1 for w in weeks if w >= 4)  # more enquiries lately
    recent = [status for (created, status), w in zip(rows, weeks, strict=True) if w == 0]
    old = [status for (created, status), w in zip(rows, weeks, strict=True) if w >= 3]
    settled = sum(1 for status in old if status in ("converted", "lost")) / len(old)
    assert settled >= 0.6 and "new" not in old, old
    assert any(status in ("new", "contacted") for status in recent), recent
    assert last_event <= FIXED_NOW


def test_overdue_instalments_give_the_payment_reminders_work_once(demo_db):
    admin = _admin(demo_db)
    first, _ = payment_reminders.queue_payment_reminders(admin)
    assert first.queued + first.not_reachable >= 2, first  # the two latest package courses each have a part overdue
    again, changes = payment_reminders.queue_payment_reminders(admin)
    assert again.queued == 0 and again.already_reminded == first.queued and not changes.messages
