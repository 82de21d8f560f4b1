"""The facts each event hands to the care rules: an outcome report after a session (feedback builds its own)."""

from sqlalchemy.orm import Session

from clinicdesk.domain.rules.engine import symptom_facts
from clinicdesk.domain.rules.model import Trigger
from clinicdesk.services.context import ServiceContext
from clinicdesk.services.rule_actions import RuleRun, Subject, run_rules
from clinicdesk.store.models_therapy import CarePlanRow, OutcomeReportRow, PlanSessionRow


def outcome_facts(report: OutcomeReportRow, therapy: str | None) -> dict[str, int | str]:
    """Symptom scores, energy, sleep and digestion, and the session's therapy; never the side-effects text."""
    facts: dict[str, int | str] = symptom_facts(report.symptom_scores)
    for name in ("energy", "sleep", "digestion"):
        if getattr(report, name) is not None:
            facts[name] = getattr(report, name)
    if therapy:
        facts["therapy"] = therapy
    return facts


def outcome_rules(ctx: ServiceContext, session: Session, plan: CarePlanRow, report: OutcomeReportRow) -> RuleRun:
    """Run the outcome rules for a report just added, inside the same transaction as the report."""
    therapy_session = session.get(PlanSessionRow, report.session_id) if report.session_id else None
    subject = Subject(centre_id=plan.centre_id, source_id=report.id, patient_id=plan.patient_id, plan_id=plan.id,
                      session_id=report.session_id, doctor_id=plan.doctor_id)
    facts = outcome_facts(report, therapy_session.therapy if therapy_session else None)
    return run_rules(ctx, session, Trigger.OUTCOME_REPORTED, facts, subject)
