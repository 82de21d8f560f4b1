"""Dashboard panels on care: satisfaction and NPS, outcomes per protocol, complications per SOP step."""

from collections import defaultdict
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from clinicdesk.domain.dashboard_metrics import Chart, Panel, count_of, mean, mean_change, nps, score_change, step_at
from clinicdesk.services.dashboard_scope import Scope
from clinicdesk.store.models_feedback import FeedbackRow
from clinicdesk.store.models_therapy import (
    CarePlanRow,
    IncidentRow,
    OutcomeReportRow,
    PlanSessionRow,
    SopStepRecordRow,
)


def _fmt(value: float | None, digits: int = 1) -> str:
    return "no data" if value is None else f"{value:.{digits}f}"


def satisfaction_panel(session: Session, scope: Scope) -> Panel:
    """Forms per bucket, mean overall and practitioner ratings (1-5) and NPS from the 0-10 recommend question."""
    low, high = scope.utc_window()
    rows = session.execute(select(FeedbackRow.centre_id, FeedbackRow.submitted_at, FeedbackRow.overall,
                                  FeedbackRow.practitioner, FeedbackRow.recommend).where(
        FeedbackRow.centre_id.in_(scope.centre_ids), FeedbackRow.submitted_at >= low,
        FeedbackRow.submitted_at < high))
    groups: dict[date, list[tuple[int, int, int]]] = defaultdict(list)
    for centre_id, at, overall, practitioner, recommend in rows:
        bucket = scope.bucket_of(centre_id, at)
        if bucket is not None:
            groups[bucket].append((overall, practitioner, recommend))
    table = []
    for start, label in zip(scope.starts, scope.labels, strict=True):
        forms = groups.get(start, [])
        table.append((label, len(forms), _round(mean(f[0] for f in forms)), _round(mean(f[1] for f in forms)),
                      _round(nps(f[2] for f in forms), 0)))
    everything = [f for forms in groups.values() for f in forms]
    summary = (f"{count_of(len(everything), 'feedback form')}; "
               f"overall rating {_fmt(mean(f[0] for f in everything), 2)} of 5, "
               f"practitioner {_fmt(mean(f[1] for f in everything), 2)} of 5; NPS "
               f"{_fmt(nps(f[2] for f in everything), 0)} (from -100 to +100).")
    return Panel("satisfaction", "Patient satisfaction",
                 ("Period", "Forms", "Overall (1-5)", "Practitioner (1-5)", "NPS"), tuple(table), summary,
                 Chart("line", (4,)))


def _round(value: float | None, digits: int = 2) -> float | None:
    return None if value is None else round(value, digits)


def outcomes_panel(session: Session, scope: Scope) -> Panel:
    """Per protocol (course template): courses whose last report fell in the range, and the mean symptom change."""
    rows = session.execute(
        select(CarePlanRow.id, CarePlanRow.centre_id, CarePlanRow.name, OutcomeReportRow.at,
               OutcomeReportRow.symptom_scores)
        .join(OutcomeReportRow, OutcomeReportRow.plan_id == CarePlanRow.id)
        .where(CarePlanRow.centre_id.in_(scope.centre_ids))
        .order_by(CarePlanRow.id, OutcomeReportRow.at, OutcomeReportRow.id))
    courses: dict[str, dict] = {}
    for plan_id, centre_id, name, at, scores in rows:
        course = courses.setdefault(plan_id, {"centre": centre_id, "name": name, "reports": [], "last": at})
        course["reports"].append(scores or {})
        course["last"] = at
    by_protocol: dict[str, list[dict[str, float]]] = defaultdict(list)
    reports: dict[str, int] = defaultdict(int)
    for course in courses.values():
        if scope.day_of(course["centre"], course["last"]) is None:
            continue
        by_protocol[course["name"]].append(score_change(course["reports"]))
        reports[course["name"]] += len(course["reports"])
    table = []
    for name in sorted(by_protocol):
        changes = by_protocol[name]
        average, measured = mean_change(changes)
        improved = sum(1 for c in changes if c and sum(c.values()) < 0)
        table.append((name, len(changes), reports[name], measured, _round(average), improved))
    summary = ("No course had outcome reports in this range." if not table else
               f"{count_of(sum(r[1] for r in table), 'course')} with outcome reports across "
               f"{count_of(len(table), 'protocol')}; a negative "
               f"change means symptoms eased (scores 0-10, first report to last).")
    return Panel("outcomes", "Treatment outcomes per protocol",
                 ("Protocol", "Courses", "Reports", "Courses measured", "Mean change in symptom score",
                  "Courses improved"), tuple(table), summary, Chart("bar", (4,)))


def complications_panel(session: Session, scope: Scope) -> Panel:
    """Per therapy and SOP step: skipped steps, deviations and incidents, for sessions started in the range."""
    low, high = scope.utc_window()
    sessions = {row.id: row for row in session.execute(
        select(PlanSessionRow.id, PlanSessionRow.therapy, PlanSessionRow.sop_steps, PlanSessionRow.started_at,
               CarePlanRow.centre_id)
        .join(CarePlanRow, CarePlanRow.id == PlanSessionRow.plan_id)
        .where(CarePlanRow.centre_id.in_(scope.centre_ids), PlanSessionRow.started_at >= low,
               PlanSessionRow.started_at < high))
        if scope.day_of(row.centre_id, row.started_at) is not None}
    counts: dict[tuple[str, int], list[int]] = defaultdict(lambda: [0, 0, 0])  # skipped, deviations, incidents
    titles: dict[tuple[str, int], str] = {}
    for row in sessions.values():
        for step in row.sop_steps or ():
            titles[(row.therapy, step["no"])] = step["text"]
    records: dict[str, list[tuple[int, object]]] = defaultdict(list)
    ids = list(sessions)
    for chunk in (ids[i:i + 500] for i in range(0, len(ids), 500)):  # SQLite's limit on bound parameters
        for session_id, step_no, outcome, deviation, at in session.execute(
                select(SopStepRecordRow.session_id, SopStepRecordRow.step_no, SopStepRecordRow.outcome,
                       SopStepRecordRow.deviation, SopStepRecordRow.at)
                .where(SopStepRecordRow.session_id.in_(chunk))):
            records[session_id].append((step_no, at))
            key = (sessions[session_id].therapy, step_no)
            counts[key][0] += outcome == "skipped"
            counts[key][1] += bool(deviation)
    unplaced = 0
    for session_id, occurred_at in session.execute(
            select(IncidentRow.session_id, IncidentRow.occurred_at).where(
                IncidentRow.centre_id.in_(scope.centre_ids), IncidentRow.session_id.is_not(None),
                IncidentRow.occurred_at >= low, IncidentRow.occurred_at < high)):
        row = sessions.get(session_id)
        if row is None:
            continue
        step = step_at([s["no"] for s in row.sop_steps or ()], records.get(session_id, ()), occurred_at)
        if step is None:
            unplaced += 1
            continue
        counts[(row.therapy, step)][2] += 1
    table = tuple((therapy, step, titles.get((therapy, step), ""), *values)
                  for (therapy, step), values in sorted(counts.items()) if any(values))
    skipped, deviations, incidents = (sum(r[i] for r in table) for i in (3, 4, 5))
    summary = (f"{count_of(len(sessions), 'therapy session')} started in this range: "
               f"{count_of(skipped, 'step')} skipped, {count_of(deviations, 'deviation')} and "
               f"{count_of(incidents + unplaced, 'incident')}"
               + (f" ({unplaced} in sessions without SOP steps)." if unplaced else "."))
    return Panel("complications", "Complications per therapy step",
                 ("Therapy", "Step", "What the step is", "Skipped", "Deviations", "Incidents"), table, summary,
                 Chart("bar", (4, 5), label="{0}, step {1}"))
