"""The portal's home page (next session countdown, course milestones, today's advice, upcoming appointments, check-in
offers) and progress page (charts of the patient's own outcome reports per course); includes the check-in and
feedback forms' routes (clinicdesk/server/portal/checkin_pages.py)."""

import json
from datetime import datetime
from functools import lru_cache

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from clinicdesk.resources import resource_path
from clinicdesk.server.portal.access import portal_transaction
from clinicdesk.server.portal.audit import audit
from clinicdesk.server.portal.care_rows import PatientCare, load_care
from clinicdesk.server.portal.checkin_pages import router as checkin_router
from clinicdesk.server.portal.course_view import (
    CourseView,
    Visit,
    check_in_offers,
    countdown,
    course_view,
    parse_day,
    parse_moment,
    upcoming_visits,
)
from clinicdesk.server.portal.guidance import advice_items, display_name
from clinicdesk.server.portal.home_text import countdown_text, date_text, time_text
from clinicdesk.server.portal.identity import PortalIdentity
from clinicdesk.server.portal.portal_state import portal_state
from clinicdesk.server.portal.progress_chart import Series, legend_swatch, line_chart
from clinicdesk.server.portal.record_choice import opens_several_records
from clinicdesk.server.portal.rendering import render, translate
from clinicdesk.server.portal.sessions import current_identity

router = APIRouter()
router.include_router(checkin_router)

UPCOMING_SHOWN = 5
WELLBEING = ("energy", "sleep", "digestion")


def now_of(request: Request) -> datetime:
    return portal_state(request).clock()


@lru_cache(maxsize=1)
def therapy_of_service_code() -> dict[str, str]:
    """A service code that stands for exactly one therapy (ABH -> abhyanga); codes shared by two therapies (BAS)
    say nothing, so a booked appointment outside a course gets advice only when its therapy is certain."""
    therapies = json.loads(resource_path("protocols", "therapies.json").read_text(encoding="utf-8"))["therapies"]
    by_code: dict[str, list[str]] = {}
    for key, therapy in therapies.items():
        if therapy.get("service"):
            by_code.setdefault(therapy["service"], []).append(key)
    return {code: keys[0] for code, keys in by_code.items() if len(keys) == 1}


def patient_name(patient: dict) -> str:
    return " ".join(str(patient.get(part) or "").strip() for part in ("given_name", "family_name")).strip()


def _visit_therapy(visit: Visit, care: PatientCare) -> str | None:
    if visit.therapy:
        return visit.therapy
    code = str(care.services.get(visit.service_id, {}).get("code") or "")
    return therapy_of_service_code().get(code)


def _visit_item(language: str, visit: Visit, care: PatientCare, now: datetime) -> dict:
    therapy = _visit_therapy(visit, care)
    service = str(care.services.get(visit.service_id, {}).get("name") or "")
    # the therapy's patient name in the page's language (as the check-in card has it); the desk's service name,
    # which is in English only, where the service stands for no one therapy
    name = (display_name("therapy", therapy, language) if therapy else service) or translate(language, "home.session")
    local_aware = visit.starts_at.astimezone(care.zone)
    return {"id": visit.appointment_id, "name": name, "date": date_text(language, visit.local.date()),
            "time": time_text(visit.local), "datetime": local_aware.isoformat(timespec="minutes"),
            "requested": visit.status == "requested",
            "countdown": countdown_text(language, countdown(visit.starts_at, now)),
            "prepare": advice_items("therapy", therapy, "before", language) if therapy else []}


def _course_context(language: str, course: CourseView) -> dict:
    phases = [{"name": display_name("phase", span.phase, language), "state": span.state,
               "state_text": translate(language, f"home.milestone.{span.state}"),
               "days": (date_text(language, span.first_day) if span.first_day == span.last_day else
                        translate(language, "home.milestone.days", first=date_text(language, span.first_day),
                                  last=date_text(language, span.last_day))),
               "sessions": translate(language, "home.milestone.sessions", done=span.sessions_done,
                                     total=span.sessions_total)}
              for span in course.phases]
    advice = []
    for item in course.advice:
        lines = advice_items(item.kind, item.key, item.moment, language)
        if lines:
            heading = translate(language, f"home.guidance.{item.kind}.{item.moment}.{item.day}",
                                name=display_name(item.kind, item.key, language))
            advice.append({"heading": heading, "items": lines})
    return {"name": course.name, "day": course.course_day, "finished": course.finished,
            "start": date_text(language, course.start_date),
            "current_phase": display_name("phase", course.current_phase, language) if course.current_phase else None,
            "phases": phases, "advice": advice}


def _offers_context(language: str, care: PatientCare, now: datetime) -> list[dict]:
    offers = check_in_offers(care.sessions, care.appointments, care.reports, now)
    return [{"session_id": offer.session_id, "therapy": display_name("therapy", offer.therapy, language),
             "date": date_text(language, offer.ended_at.astimezone(care.zone).date())} for offer in offers]


@router.get("/home", response_class=HTMLResponse)
def home_page(request: Request, identity: PortalIdentity = Depends(current_identity)) -> HTMLResponse:
    now = now_of(request)
    language = identity.language
    with portal_transaction(request, identity) as session:
        care = load_care(session, identity)
        audit(session, identity, "home.view")
        switch_record = opens_several_records(session, identity)
    if care is None:  # the record was erased or merged away after sign-in: nothing to show but a kind page
        return render(request, "home.html", identity, greeting_name="", child_name="", next_visit=None,
                      course=None, upcoming=[], more_upcoming=0, offers=[], switch_record=switch_record)
    visits = upcoming_visits(care.appointments, care.sessions, now, care.zone)
    course = course_view(care.plans, care.sessions, care.appointments, now, care.zone)
    items = [_visit_item(language, visit, care, now) for visit in visits]
    name = patient_name(care.patient)
    return render(request, "home.html", identity,
                  greeting_name="" if identity.as_guardian else str(care.patient.get("given_name") or ""),
                  child_name=name if identity.as_guardian else "",
                  next_visit=items[0] if items else None,
                  course=_course_context(language, course) if course else None,
                  upcoming=items[:UPCOMING_SHOWN], more_upcoming=max(0, len(items) - UPCOMING_SHOWN),
                  offers=_offers_context(language, care, now), switch_record=switch_record)


# --- progress ---------------------------------------------------------------------------------------------------

def _report_points(care: PatientCare, plan: dict) -> list[dict]:
    """A plan's reports in time order, each with its day of the course (1 on the start date) and local date."""
    start = parse_day(plan.get("start_date"))
    points = []
    for report in care.reports:
        at = parse_moment(report.get("at"))
        if report.get("plan_id") != plan["id"] or at is None:
            continue
        local_day = at.astimezone(care.zone).date()
        day = (local_day - start).days + 1 if start else 1
        points.append({"at": at, "day": day, "local_day": local_day, "report": report})
    return sorted(points, key=lambda p: (p["at"], p["report"]["id"]))


def _score(value) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _plan_progress(language: str, care: PatientCare, plan: dict) -> dict:
    points = _report_points(care, plan)
    symptoms: list[str] = []
    for point in points:
        for name in (point["report"].get("symptom_scores") or {}):
            if name not in symptoms:
                symptoms.append(name)
    symptom_series = [Series(name, tuple((p["day"], score) for p in points
                                         if (score := _score((p["report"].get("symptom_scores") or {}).get(name)))
                                         is not None)) for name in symptoms]
    wellbeing_series = [Series(translate(language, f"progress.{field}"),
                               tuple((p["day"], score) for p in points
                                     if (score := _score(p["report"].get(field))) is not None))
                        for field in WELLBEING]
    wellbeing_series = [s for s in wellbeing_series if s.points]
    days = [p["day"] for p in points] or [1]
    description = translate(language, "progress.chart_desc", count=len(points), first=min(days), last=max(days))
    point_label = translate(language, "progress.point", name="{name}", x="{x}", y="{y}")
    charts = []
    for kind, series in (("symptoms", symptom_series), ("wellbeing", wellbeing_series)):
        if series:
            title = translate(language, f"progress.{kind}_chart")
            charts.append({"title": title,
                           "svg": line_chart(f"chart-{plan['id']}-{kind}", title, description, series,
                                             x_label=translate(language, "progress.day"), point_label=point_label),
                           "legend": [{"name": s.name, "swatch": legend_swatch(i)} for i, s in enumerate(series)]})
    start = parse_day(plan.get("start_date"))
    rows = [{"day": p["day"], "date": date_text(language, p["local_day"]),
             "symptoms": [(p["report"].get("symptom_scores") or {}).get(name) for name in symptoms],
             "wellbeing": [_score(p["report"].get(field)) for field in WELLBEING],
             "side_effects": str(p["report"].get("side_effects") or "")} for p in points]
    return {"id": plan["id"], "name": str(plan.get("name") or ""),
            "start": date_text(language, start) if start else "", "charts": charts, "symptoms": symptoms,
            "rows": rows}


@router.get("/progress", response_class=HTMLResponse)
def progress_page(request: Request, identity: PortalIdentity = Depends(current_identity)) -> HTMLResponse:
    language = identity.language
    with portal_transaction(request, identity) as session:
        care = load_care(session, identity, with_services=False)
        audit(session, identity, "progress.view")
        switch_record = opens_several_records(session, identity)
    plans = []
    if care is not None:
        # newest course first; a course without reports has nothing to chart
        ordered = sorted(care.plans, key=lambda p: (str(p.get("start_date") or ""), p["id"]), reverse=True)
        plans = [progress for plan in ordered if (progress := _plan_progress(language, care, plan))["rows"]]
    return render(request, "progress.html", identity, plans=plans, switch_record=switch_record,
                  wellbeing_labels=[translate(language, f"progress.{field}") for field in WELLBEING])
