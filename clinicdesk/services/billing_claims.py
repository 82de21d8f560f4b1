"""Insurance claim records against an invoice: record one, and move it through submitted, approved, settled."""

from decimal import Decimal

from clinicdesk.domain.billing.claims import ClaimDraft, ClaimStatus, move_claim, validate_claim
from clinicdesk.domain.errors import NotFound
from clinicdesk.domain.roles import Action
from clinicdesk.services.context import Changes, ServiceContext
from clinicdesk.store.models_billing import InsuranceClaimRow, InvoiceRow


def record_claim(ctx: ServiceContext, invoice_id: str, draft: ClaimDraft) -> tuple[str, Changes]:
    user = ctx.authorise(Action.BILLING_CHARGE, entity="invoice", entity_id=invoice_id)
    with ctx.unit_of_work() as session:
        invoice = session.get(InvoiceRow, invoice_id)
        if invoice is None or invoice.kind != "invoice":
            raise NotFound("This invoice does not exist.")
        clean = validate_claim(draft, bill_total=invoice.total)
        now = ctx.now()
        row = InsuranceClaimRow(id=ctx.make_id(), invoice_id=invoice_id, insurer=clean.insurer,
                                policy_number=clean.policy_number, claim_number=clean.claim_number,
                                status=ClaimStatus.DRAFT.value, claimed=clean.claimed, created_at=now, updated_at=now,
                                updated_by=user.staff_id)
        session.add(row)
        session.flush()
        ctx.audit(session, "billing.claim_record", entity="invoice", entity_id=invoice_id,
                  detail=f"claim {row.id} claimed {clean.claimed}")
        return row.id, Changes(billing=True)


def update_claim(ctx: ServiceContext, claim_id: str, to: ClaimStatus | str, *, claim_number: str = "",
                 approved: Decimal | None = None, settled: Decimal | None = None) -> Changes:
    """One step of the claim (submitted with its number, approved in full or in part, rejected, settled)."""
    user = ctx.authorise(Action.BILLING_CHARGE, entity="claim", entity_id=claim_id)
    to = ClaimStatus(to)
    with ctx.unit_of_work() as session:
        row = session.get(InsuranceClaimRow, claim_id)
        if row is None:
            raise NotFound("This insurance claim does not exist.")
        number = claim_number.strip() or row.claim_number
        approved_now = approved if approved is not None else row.approved
        move_claim(ClaimStatus(row.status), to, claimed=row.claimed, approved=approved_now, settled=settled,
                   claim_number=number)
        before = row.status
        row.status, row.claim_number, row.updated_at, row.updated_by = to.value, number, ctx.now(), user.staff_id
        if to in (ClaimStatus.APPROVED, ClaimStatus.PARTLY_APPROVED):
            row.approved = approved_now
        if to == ClaimStatus.SETTLED:
            row.settled = settled
        ctx.audit(session, "billing.claim_update", entity="invoice", entity_id=row.invoice_id,
                  detail=f"claim {row.id} {before} -> {to.value} approved {row.approved} settled {row.settled}")
        return Changes(billing=True)
