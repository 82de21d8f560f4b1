"""The check-in after a session (how the patient feels: symptom scores, energy, sleep, digestion, side effects) and
the session's feedback form; both are checked by the domain's own rules and written as synced rows for the desks."""

import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData

from clinicdesk.domain.errors import ValidationError
from clinicdesk.domain.feedback import MAX_COMMENT, RATING_LABELS, FeedbackForm, FeedbackScope, check_feedback
from clinicdesk.domain.ids import uuid7
from clinicdesk.domain.outcomes import OutcomeReport, check_outcome
from clinicdesk.server.portal import rows
from clinicdesk.server.portal.access import portal_transaction
from clinicdesk.server.portal.audit import audit
from clinicdesk.server.portal.care_rows import PatientCare, load_care
from clinicdesk.server.portal.course_view import RUN_SESSION_STATUSES, check_in_offer, session_ended_at
from clinicdesk.server.portal.guidance import display_name
from clinicdesk.server.portal.home_text import date_text
from clinicdesk.server.portal.identity import PortalIdentity
from clinicdesk.server.portal.portal_state import portal_state
from clinicdesk.server.portal.rendering import render
from clinicdesk.server.portal.sessions import current_identity
from clinicdesk.server.portal.writer import PortalWriteRejected, submit_rows

router = APIRouter()

# What the desk's outcome dialog offers when a course has no reports yet (clinicdesk/ui/therapy/outcome_dialog.py):
# the stored name stays English so desk charts group one symptom under one name; the label is translated.
DEFAULT_SYMPTOMS = {"Joint pain": "checkin.symptom.joint_pain", "Stiffness": "checkin.symptom.stiffness",
                    "Bloating": "checkin.symptom.bloating"}
WELLBEING = ("energy", "sleep", "digestion")
MAX_SIDE_EFFECTS = 1000
MAX_SYMPTOM_NAME = 60
NOT_FOUND = "checkin.not_found"  # a refusal that is answered with the not-found page


def now_of(request: Request) -> datetime:
    return portal_state(request).clock()


def wire_time(moment: datetime) -> str:
    """As the desks send datetimes (clinicdesk/store/outbox.py wire_value): aware UTC ISO text."""
    return moment.astimezone(UTC).isoformat()


def new_row_id(now: datetime) -> str:
    return uuid7(unix_ms=int(now.timestamp() * 1000), random_bytes=os.urandom(10))


def not_saved(request: Request, identity: PortalIdentity) -> HTMLResponse:
    """HQ's merge refused the row (nothing was kept): the patient may try again; the reason is in HQ's answer, not
    here, because it could name a field."""
    return render(request, "error.html", identity, status_code=503, message="checkin.not_saved",
                  back="/portal/home")


def not_found(request: Request, identity: PortalIdentity) -> HTMLResponse:
    return render(request, "error.html", identity, status_code=404, message="checkin.not_found",
                  back="/portal/home")


def refused(request: Request, identity: PortalIdentity, message: str) -> HTMLResponse:
    """A form that cannot be used for this session (not run yet, closed, already sent): says why, changes nothing."""
    return render(request, "error.html", identity, status_code=409, message=message, back="/portal/home")


def plan_symptoms(care: PatientCare, plan_id: str) -> list[str]:
    """The symptoms this course has been scored on so far (first seen first), else the desk's usual three."""
    names: list[str] = []
    for report in sorted((r for r in care.reports if r.get("plan_id") == plan_id),
                         key=lambda r: (str(r.get("at") or ""), r["id"])):
        for name in report.get("symptom_scores") or {}:
            if name not in names:
                names.append(name)
    return names or list(DEFAULT_SYMPTOMS)


def _session_context(language: str, care: PatientCare, session_row: dict) -> dict:
    ended = session_ended_at(session_row, care.appointments_by_id())
    day = ended.astimezone(care.zone).date() if ended else None
    return {"id": session_row["id"], "therapy": display_name("therapy", str(session_row.get("therapy") or ""),
                                                             language),
            "date": date_text(language, day) if day else ""}


# --- check-in -----------------------------------------------------------------------------------------------------

def _check_in_refusal(care: PatientCare, session_row: dict, now: datetime) -> str | None:
    """Why this session's check-in form is not open, as a text key, or None when it is."""
    if session_row.get("status") not in RUN_SESSION_STATUSES:
        return "checkin.not_run"
    if any(r.get("session_id") == session_row["id"] and r.get("by_staff_id") is None for r in care.reports):
        return "checkin.already"
    if check_in_offer(session_row, care.appointments_by_id(), care.reports, now) is None:
        return "checkin.closed"
    return None


def _check_in_form(request: Request, identity: PortalIdentity, care: PatientCare, session_row: dict, *,
                   values: dict, errors: dict, status_code: int = 200) -> HTMLResponse:
    symptoms = plan_symptoms(care, str(session_row.get("plan_id")))
    return render(request, "check_in.html", identity, status_code=status_code,
                  session=_session_context(identity.language, care, session_row),
                  symptoms=[{"index": i, "name": name, "label_key": DEFAULT_SYMPTOMS.get(name)}
                            for i, name in enumerate(symptoms)],
                  wellbeing=WELLBEING, values=values, errors=errors, done=False)


def _score_field(form: FormData, name: str, errors: dict) -> int | None:
    """A 0-10 score from a select: empty is "not scored"; anything else that is not 0-10 is an error."""
    text = str(form.get(name) or "").strip()
    if not text:
        return None
    if not text.isdigit() or not 0 <= int(text) <= 10:
        errors[name] = "checkin.error.score"
        return None
    return int(text)


def read_check_in(form: FormData, symptoms: list[str]) -> tuple[OutcomeReport | None, dict, dict]:
    """(report, values to show again, errors as text keys by field). The domain's check_outcome has the last word;
    the checks here only turn its rules into messages per field in the page's language."""
    errors: dict[str, str] = {}
    values = {key: str(form.get(key) or "") for key in
              [f"score_{i}" for i in range(len(symptoms))] + ["other_name", "other_score", "side_effects",
                                                              *WELLBEING]}
    scores = {}
    for index, name in enumerate(symptoms):
        score = _score_field(form, f"score_{index}", errors)
        if score is not None:
            scores[name] = score
    other_name = values["other_name"].strip()
    other_score = _score_field(form, "other_score", errors)
    if other_name or other_score is not None:
        if not other_name or other_score is None:
            errors.setdefault("other_name", "checkin.error.other_missing")
        elif len(other_name) > MAX_SYMPTOM_NAME:
            errors["other_name"] = "checkin.error.symptom_name"
        else:
            scores[other_name] = other_score
    wellbeing = {name: _score_field(form, name, errors) for name in WELLBEING}
    side_effects = values["side_effects"]
    if len(side_effects) > MAX_SIDE_EFFECTS:
        errors["side_effects"] = "checkin.error.side_effects"
    if errors:
        return None, values, errors
    try:
        report = check_outcome(OutcomeReport(scores, side_effects=side_effects, **wellbeing))
    except ValidationError as error:
        return None, values, _outcome_errors(error)
    return report, values, {}


def _outcome_errors(error: ValidationError) -> dict[str, str]:
    """The domain's problems as this page's messages (its sentences are English; the page speaks three languages)."""
    errors = {}
    for field, problem in error.problems.items():
        if field in WELLBEING:
            errors[field] = "checkin.error.score"
        elif field == "side_effects":
            errors[field] = "checkin.error.side_effects"
        elif "at most" in problem:
            errors["form"] = "checkin.error.too_many"
        elif "name each symptom" in problem:
            errors["other_name"] = "checkin.error.symptom_name"
        elif "energy, sleep or digestion" in problem:
            errors["form"] = "checkin.error.nothing"
        else:
            errors["form"] = "checkin.error.score"
    return errors


@dataclass(frozen=True)
class _SessionForm:
    """One form a patient fills in about one of their sessions: how the shared GET/POST flow treats it."""

    audit_name: str  # "checkin" or "feedback": audit actions are <name>.view/.refused/.invalid/.submit
    refusal: Callable  # (db session, identity, care, session row, now) -> text key why it is closed, or None
    read: Callable  # (form, care, session row) -> (checked form or None, values to show again, errors)
    rows: Callable  # (checked, db session, identity, care, session row, now) -> (table, fields) to write
    form_page: Callable  # (request, identity, care, session row, *, values, errors, status_code) -> the form
    done_page: Callable  # (request, identity, care, session row) -> the thank-you page


def _show_form(kind: _SessionForm, session_id: str, request: Request, identity: PortalIdentity) -> HTMLResponse:
    now = now_of(request)
    with portal_transaction(request, identity) as session:
        care = load_care(session, identity, with_services=False)
        session_row = care.own_session(session_id) if care else None
        refusal = kind.refusal(session, identity, care, session_row, now) if session_row else None
        audit(session, identity, f"{kind.audit_name}.view", session_id if session_row else "")
    if session_row is None:
        return not_found(request, identity)
    if refusal:
        return refused(request, identity, refusal)
    return kind.form_page(request, identity, care, session_row, values={}, errors={})


def _submit_form(kind: _SessionForm, session_id: str, request: Request, identity: PortalIdentity,
                 form: FormData) -> HTMLResponse:
    now = now_of(request)
    try:
        with portal_transaction(request, identity) as session:
            care = load_care(session, identity, with_services=False)
            session_row = care.own_session(session_id) if care else None
            refusal = (NOT_FOUND if session_row is None
                       else kind.refusal(session, identity, care, session_row, now))
            if refusal:
                audit(session, identity, f"{kind.audit_name}.refused", session_id if session_row else "")
                checked = None
            else:
                checked, values, errors = kind.read(form, care, session_row)
            if checked is not None:
                row_id = new_row_id(now)
                table, fields = kind.rows(checked, session, identity, care, session_row, now)
                submit_rows(session, identity.centre_id, [(table, row_id, fields)], now)
                audit(session, identity, f"{kind.audit_name}.submit", row_id)
            elif not refusal:
                audit(session, identity, f"{kind.audit_name}.invalid", session_id)
    except PortalWriteRejected:  # rolled back, audit entry included: nothing happened
        return not_saved(request, identity)
    if refusal == NOT_FOUND:
        return not_found(request, identity)
    if refusal:
        return refused(request, identity, refusal)
    if checked is None:
        return kind.form_page(request, identity, care, session_row, values=values, errors=errors, status_code=422)
    return kind.done_page(request, identity, care, session_row)


def _check_in_rows(report: OutcomeReport, _session, _identity, _care, session_row: dict, now: datetime):
    return "outcome_reports", {
        "plan_id": session_row["plan_id"], "session_id": session_row["id"], "symptom_scores": report.symptom_scores,
        "energy": report.energy, "sleep": report.sleep, "digestion": report.digestion,
        "side_effects": report.side_effects, "at": wire_time(now), "by_staff_id": None}


def _check_in_done(request: Request, identity: PortalIdentity, care: PatientCare, session_row: dict) -> HTMLResponse:
    return render(request, "check_in.html", identity, session=_session_context(identity.language, care, session_row),
                  symptoms=[], wellbeing=WELLBEING, values={}, errors={}, done=True)


CHECK_IN = _SessionForm(
    "checkin", refusal=lambda _session, _identity, care, row, now: _check_in_refusal(care, row, now),
    read=lambda form, care, row: read_check_in(form, plan_symptoms(care, str(row.get("plan_id")))),
    rows=_check_in_rows, form_page=_check_in_form,
    done_page=_check_in_done)


@router.get("/check-in/{session_id}", response_class=HTMLResponse)
def check_in_page(session_id: str, request: Request,
                  identity: PortalIdentity = Depends(current_identity)) -> HTMLResponse:
    return _show_form(CHECK_IN, session_id, request, identity)


@router.post("/check-in/{session_id}", response_class=HTMLResponse)
async def check_in_submit(session_id: str, request: Request,
                          identity: PortalIdentity = Depends(current_identity)) -> HTMLResponse:
    form = await request.form()  # parsed once already by the CSRF check; the work runs off the event loop
    return await run_in_threadpool(_submit_form, CHECK_IN, session_id, request, identity, form)


# --- feedback -------------------------------------------------------------------------------------------------------

def _feedback_refusal(session: object, identity: PortalIdentity, session_row: dict) -> str | None:
    if session_row.get("status") not in RUN_SESSION_STATUSES:
        return "feedback.not_run"
    given = rows.rows_of_patient(session, identity.centre_id, "feedback", identity.patient_id)
    if any(f.get("session_id") == session_row["id"] for f in given):
        return "feedback.already"
    return None


def _feedback_form(request: Request, identity: PortalIdentity, care: PatientCare, session_row: dict, *,
                   values: dict, errors: dict, status_code: int = 200) -> HTMLResponse:
    return render(request, "feedback.html", identity, status_code=status_code,
                  session=_session_context(identity.language, care, session_row), dimensions=list(RATING_LABELS),
                  values=values, errors=errors, done=False, max_comment=MAX_COMMENT)


def read_feedback(form: FormData) -> tuple[FeedbackForm | None, dict, dict]:
    """(form, values to show again, errors as text keys by field), checked by the domain's check_feedback."""
    values = {name: str(form.get(name) or "") for name in [*RATING_LABELS, "recommend", "comment"]}
    values["anonymous"] = "1" if form.get("anonymous") else ""
    errors: dict[str, str] = {}
    ratings = {}
    for name in RATING_LABELS:
        text = values[name].strip()
        if text.isdigit():
            ratings[name] = int(text)
        else:
            errors[name] = "feedback.error.rating"
    recommend_text = values["recommend"].strip()
    recommend = int(recommend_text) if recommend_text.isdigit() else -1
    try:
        checked = check_feedback(FeedbackForm(FeedbackScope.SESSION, ratings, recommend, values["comment"],
                                              anonymous=bool(values["anonymous"])))
    except ValidationError as error:
        for field in error.problems:
            if field in RATING_LABELS or field == "ratings":
                errors.setdefault(field if field in RATING_LABELS else "form", "feedback.error.rating")
            elif field == "recommend":
                errors["recommend"] = "feedback.error.recommend"
            elif field == "comment":
                errors["comment"] = "feedback.error.comment"
            else:
                errors["form"] = "feedback.error.rating"
        return None, values, errors
    if errors:
        return None, values, errors
    return checked, values, {}


def _practitioner_of(session, identity: PortalIdentity, session_row: dict) -> str | None:
    """Who ran the session, as the desk's feedback service takes it: the first staff link of its appointment."""
    appointment_id = session_row.get("appointment_id")
    if not appointment_id:
        return None
    links = rows.children_of(session, identity.centre_id, "appointment_staff", "appointment_id", [appointment_id])
    staff = sorted(str(link.get("staff_id")) for link in links if link.get("staff_id"))
    return staff[0] if staff else None


def feedback_fields(form: FeedbackForm, plan: dict, session_row: dict, practitioner_id: str | None,
                    now: datetime) -> dict:
    """The feedback row as the desk's submit_feedback writes it: an anonymous one keeps no patient, plan or
    session, only the centre, practitioner and therapy."""
    linked = not form.anonymous
    return {"centre_id": plan.get("centre_id"), "scope": form.scope.value, "anonymous": form.anonymous,
            "patient_id": plan.get("patient_id") if linked else None, "plan_id": plan["id"] if linked else None,
            "session_id": session_row["id"] if linked else None, "practitioner_id": practitioner_id,
            "therapy": str(session_row.get("therapy") or ""), **form.ratings, "recommend": form.recommend,
            "comment": form.comment, "submitted_at": wire_time(now)}


def _feedback_rows(checked: FeedbackForm, session, identity: PortalIdentity, care: PatientCare,
                   session_row: dict, now: datetime):
    plan = care.plan(str(session_row.get("plan_id"))) or {"id": session_row.get("plan_id")}
    practitioner_id = _practitioner_of(session, identity, session_row)
    return "feedback", feedback_fields(checked, plan, session_row, practitioner_id, now)


def _feedback_done(request: Request, identity: PortalIdentity, care: PatientCare, session_row: dict) -> HTMLResponse:
    return render(request, "feedback.html", identity, session=_session_context(identity.language, care, session_row),
                  dimensions=[], values={}, errors={}, done=True, max_comment=MAX_COMMENT)


FEEDBACK = _SessionForm(
    "feedback", refusal=lambda session, identity, _care, row, _now: _feedback_refusal(session, identity, row),
    read=lambda form, _care, _row: read_feedback(form), rows=_feedback_rows,
    form_page=_feedback_form, done_page=_feedback_done)


@router.get("/feedback/{session_id}", response_class=HTMLResponse)
def feedback_page(session_id: str, request: Request,
                  identity: PortalIdentity = Depends(current_identity)) -> HTMLResponse:
    return _show_form(FEEDBACK, session_id, request, identity)


@router.post("/feedback/{session_id}", response_class=HTMLResponse)
async def feedback_submit(session_id: str, request: Request,
                          identity: PortalIdentity = Depends(current_identity)) -> HTMLResponse:
    form = await request.form()  # parsed once already by the CSRF check; the work runs off the event loop
    return await run_in_threadpool(_submit_form, FEEDBACK, session_id, request, identity, form)
