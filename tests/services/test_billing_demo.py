"""The demo clinic's bills: the Billing page has paid, part-paid, overdue, credited and B2B bills to show."""

from collections import Counter
from datetime import UTC, datetime

import keyring
import pytest

from clinicdesk.services import auth, billing_catalogue, billing_views, demo
from clinicdesk.services.context import ServiceContext
from clinicdesk.store.database import open_database
from tests.conftest import MemoryKeyring

PASSPHRASE = "demo billing passphrase"
FIXED_NOW = datetime(2026, 11, 26, 6, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory):
    previous = keyring.get_keyring()
    keyring.set_keyring(MemoryKeyring())
    try:
        data_dir = tmp_path_factory.mktemp("demo") / "clinic"
        demo.build_demo_clinic(data_dir, passphrase=PASSPHRASE, patients=40, now=FIXED_NOW)
    finally:
        keyring.set_keyring(previous)
    return data_dir


def test_demo_clinic_has_bills_in_every_state(demo_dir):
    db = open_database(demo_dir, passphrase=PASSPHRASE)
    try:
        ctx = ServiceContext(db, clock=lambda: FIXED_NOW)
        ctx.user = auth.sign_in(ctx, demo.DEMO_ADMIN, demo.DEMO_PASSWORD)
        invoices = billing_views.list_invoices(ctx)
        states = Counter(s.state for s in invoices)
        assert states["paid"] >= 3 and states["unpaid"] >= 1 and states["partly_paid"] >= 1, states
        assert states["issued"] >= 1  # a credit note
        assert billing_views.list_invoices(ctx, show="overdue"), "the course's first instalment is overdue"
        assert {p.draft.code for p in billing_catalogue.list_packages(ctx)} == {"PK14", "PK7"}
        details = [billing_views.invoice_detail(ctx, s.id) for s in invoices if s.kind == "invoice"]
        assert any(d.buyer_gstin for d in details) and any(d.claims for d in details)
        assert all(d.summary.number.startswith("KOC-A/I26/") for d in details)
    finally:
        db.close()
