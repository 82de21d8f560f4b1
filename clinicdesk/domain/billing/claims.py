"""Insurance claim records: the claim's states as a transition table and the rules on claimed and paid amounts."""

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from clinicdesk.domain.errors import IllegalTransition, ValidationError


class ClaimStatus(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    APPROVED = "approved"
    PARTLY_APPROVED = "partly_approved"
    REJECTED = "rejected"
    SETTLED = "settled"  # the insurer's money has arrived


TRANSITIONS: dict[ClaimStatus, frozenset[ClaimStatus]] = {
    ClaimStatus.DRAFT: frozenset({ClaimStatus.SUBMITTED}),
    ClaimStatus.SUBMITTED: frozenset({ClaimStatus.APPROVED, ClaimStatus.PARTLY_APPROVED, ClaimStatus.REJECTED}),
    ClaimStatus.APPROVED: frozenset({ClaimStatus.SETTLED}),
    ClaimStatus.PARTLY_APPROVED: frozenset({ClaimStatus.SETTLED}),
    ClaimStatus.REJECTED: frozenset({ClaimStatus.SUBMITTED}),  # resubmitted with the missing papers
    ClaimStatus.SETTLED: frozenset(),
}
_LABELS = {"insurer": "Insurer", "policy_number": "Policy number", "claim_number": "Claim number",
           "claimed": "Amount claimed", "approved": "Amount approved", "settled": "Amount settled"}


@dataclass(frozen=True)
class ClaimDraft:
    insurer: str
    policy_number: str
    claimed: Decimal
    claim_number: str = ""  # given by the insurer or TPA once submitted


def validate_claim(draft: ClaimDraft, *, bill_total: Decimal) -> ClaimDraft:
    problems = {}
    if not draft.insurer.strip():
        problems["insurer"] = "is required"
    if not draft.policy_number.strip() or len(draft.policy_number) > 40:
        problems["policy_number"] = "is required and at most 40 characters"
    if len(draft.claim_number) > 40:
        problems["claim_number"] = "may be at most 40 characters"
    if draft.claimed <= 0 or draft.claimed > bill_total:
        problems["claimed"] = "must be more than zero and at most the bill's total"
    if problems:
        raise ValidationError(problems, _LABELS)
    return ClaimDraft(draft.insurer.strip(), draft.policy_number.strip(), draft.claimed, draft.claim_number.strip())


def move_claim(status: ClaimStatus, to: ClaimStatus, *, claimed: Decimal, approved: Decimal | None = None,
               settled: Decimal | None = None, claim_number: str = "") -> None:
    """Check one step of a claim; raises and changes nothing when the step or its amounts are wrong."""
    if to not in TRANSITIONS[status]:
        raise IllegalTransition(f"A claim that is {status.value.replace('_', ' ')} cannot become "
                                f"{to.value.replace('_', ' ')}.")
    if to == ClaimStatus.SUBMITTED and not claim_number.strip():
        raise ValidationError({"claim_number": "is required to submit a claim"}, _LABELS)
    if to == ClaimStatus.APPROVED and approved != claimed:
        raise ValidationError({"approved": "must equal the amount claimed; use partly approved otherwise"}, _LABELS)
    if to == ClaimStatus.PARTLY_APPROVED and (approved is None or not 0 < approved < claimed):
        raise ValidationError({"approved": "must be more than zero and less than the amount claimed"}, _LABELS)
    if to == ClaimStatus.SETTLED and (settled is None or settled <= 0 or settled > (approved or claimed)):
        raise ValidationError({"settled": "must be more than zero and at most the amount approved"}, _LABELS)
