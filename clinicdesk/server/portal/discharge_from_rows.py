"""A completed course's discharge summary gathered from HQ's synced rows, as the desk's discharge summary gathers
it from its own database (clinicdesk/services/discharge_summary.py), for the patient's portal."""

import json
from datetime import date, timedelta
from functools import lru_cache

from clinicdesk.domain.discharge import (
    FOLLOW_UP_DAYS,
    Deviation,
    DischargeClinic,
    DischargePatient,
    DischargeSummary,
    IncidentNote,
    MedicineAdvice,
    PhaseSpan,
    SymptomPoint,
    TherapyDone,
    VitalsReading,
)
from clinicdesk.domain.prescriptions import plain_number
from clinicdesk.domain.protocols import parse_therapies
from clinicdesk.resources import resource_path
from clinicdesk.server.portal import rows
from clinicdesk.server.portal.consultation_notes import NoteOpener, latest_signed_of_patient
from clinicdesk.server.portal.prescription_from_rows import prescription_items
from clinicdesk.server.portal.record_scope import RecordScope
from clinicdesk.server.portal.record_values import (
    age_sex,
    as_date,
    as_datetime,
    as_decimal,
    as_float,
    local_day,
    medicine_parts,
    patient_name,
)

_NOT_UPCOMING = ("cancelled", "no_show", "rescheduled")
_VITALS_ORDER = {"consultation": 0, "before": 1, "after": 2}


@lru_cache(maxsize=1)
def _shipped_therapy_names() -> dict[str, str]:
    data = json.loads(resource_path("protocols", "therapies.json").read_text(encoding="utf-8"))
    return {key: therapy.name for key, therapy in parse_therapies(data).items()}


def therapy_names(scope: RecordScope, today: date) -> dict[str, str]:
    """The clinic's name for each therapy: the shipped library, under each therapy's latest admin version in force."""
    names = dict(_shipped_therapy_names())
    chosen: dict[str, dict] = {}
    for row in rows.reference_rows(scope.session, scope.centre_id, "protocol_template_versions"):
        effective = as_date(row.get("effective_from"))
        if row.get("kind") != "therapy" or effective is None or effective > today:
            continue
        if row.get("key") not in chosen or int(row.get("version") or 0) > int(chosen[row["key"]].get("version") or 0):
            chosen[row["key"]] = row
    for key, row in chosen.items():
        body = row.get("body") if isinstance(row.get("body"), dict) else {}
        if isinstance(body.get("name"), str) and body["name"].strip():
            names[key] = body["name"].strip()
    return names


def completed_plans(scope: RecordScope) -> list[dict]:
    """The patient's completed courses, latest first: the ones with a discharge summary to give."""
    plans = [plan for plan in scope.of_patient("care_plans") if plan.get("status") == "completed"]
    return sorted(plans, key=lambda plan: (plan.get("start_date") or "", plan["id"]), reverse=True)


def _by_time(items: list[dict], field: str) -> list[dict]:
    return sorted(items, key=lambda item: (as_datetime(item.get(field)) is None, as_datetime(item.get(field))
                                           or 0, item["id"]))


def _vitals(scope: RecordScope, session_ids, start: date, end: date) -> tuple[VitalsReading, ...]:
    zone = scope.zone

    def reading(v: dict, moment: str) -> VitalsReading:
        return VitalsReading(local_day(v.get("at"), zone), moment, v.get("pulse_bpm"), v.get("bp_systolic"),
                             v.get("bp_diastolic"), as_float(v.get("temperature_c")), as_float(v.get("weight_kg")))

    found = [reading(v, v.get("moment") or "") for v in _by_time(scope.children("session_vitals", "session_id",
                                                                                 session_ids), "at")]
    found += [reading(v, "consultation") for v in _by_time(scope.of_patient("consultation_vitals"), "at")
              if start <= local_day(v.get("at"), zone) <= end]
    found.sort(key=lambda v: (v.day, _VITALS_ORDER.get(v.moment, 3)))
    return tuple(list({(v.day, v.moment): v for v in reversed(found)}.values())[::-1])  # the day's first of each


def _deviations(scope: RecordScope, by_id: dict, days: dict, name_of) -> tuple[Deviation, ...]:
    found = []
    records = [r for r in scope.children("sop_step_records", "session_id", by_id) if r.get("deviation")]
    for record in _by_time(records, "at"):
        row = by_id[record["session_id"]]
        step = next((s for s in row.get("sop_steps") or () if isinstance(s, dict)
                     and s.get("no") == record.get("step_no")), {})
        what = " – ".join(part for part in (step.get("text") or f"Step {record.get('step_no')}",
                                            record.get("reason") or "") if part)
        found.append(Deviation(days[row["id"]], name_of(row.get("therapy") or ""), what))
    return tuple(found)


def _medicines(scope: RecordScope, start: date) -> tuple[MedicineAdvice, ...]:
    prescriptions = _by_time(scope.of_patient("prescriptions"), "prescribed_at")
    during = [rx for rx in prescriptions if local_day(rx.get("prescribed_at"), scope.zone) >= start]
    chosen = during or prescriptions[-1:]
    medicines = []
    for rx in chosen:
        for item in prescription_items(scope, [rx["id"]]):
            medicines.append(MedicineAdvice(*medicine_parts(item), item.get("instructions") or ""))
    return tuple(medicines)


def _follow_up(scope: RecordScope, end: date, course_appointments: set) -> tuple[date, bool]:
    upcoming = _by_time([a for a in scope.of_patient("appointments") if a.get("status") not in _NOT_UPCOMING],
                        "start_at")
    for appointment in upcoming:
        day = local_day(appointment.get("start_at"), scope.zone)
        if day is not None and day > end and appointment["id"] not in course_appointments:
            return day, True
    return end + timedelta(days=FOLLOW_UP_DAYS), False


def build_discharge_summary(scope: RecordScope, plan: dict, *, today: date, language: str,
                            notes: NoteOpener | None) -> DischargeSummary:
    """The course's summary in `language` (en, hi, ml); diagnosis and advice only from a signed note."""
    zone = scope.zone
    start = as_date(plan.get("start_date"))
    names = therapy_names(scope, today)

    def name_of(key: str) -> str:
        return names.get(key, key)

    sessions = sorted(scope.children("plan_sessions", "plan_id", [plan["id"]]),
                      key=lambda r: (int(r.get("day_offset") or 0), int(r.get("seq") or 0)))
    by_id = {row["id"]: row for row in sessions}
    starts = {a["id"]: a.get("start_at") for a in scope.of_patient("appointments")}

    def day_of(row: dict) -> date:
        if row.get("started_at"):
            return local_day(row["started_at"], zone)
        if row.get("appointment_id") in starts:
            return local_day(starts[row["appointment_id"]], zone)
        return start + timedelta(days=int(row.get("day_offset") or 0))

    live = [row for row in sessions if row.get("status") != "cancelled"]
    days = {row["id"]: day_of(row) for row in sessions}
    end = max((days[row["id"]] for row in live), default=start)
    phases = []
    for phase in dict.fromkeys(row.get("phase") for row in live):
        members = [row for row in live if row.get("phase") == phase]
        phases.append(PhaseSpan(phase, min(days[r["id"]] for r in members), max(days[r["id"]] for r in members),
                                len(members), sum(r.get("status") == "completed" for r in members)))
    dosages: dict[str, list[str]] = {}
    for dose in _by_time(scope.children("session_dosages", "session_id", by_id), "at"):
        dosages.setdefault(dose["session_id"], []).append(
            f"{dose.get('medicine')} {plain_number(as_decimal(dose.get('quantity')))} {dose.get('unit')}")
    done = sorted((r for r in sessions if r.get("status") == "completed"),
                  key=lambda r: (days[r["id"]], int(r.get("seq") or 0)))
    therapies = tuple(TherapyDone(days[r["id"]], name_of(r.get("therapy") or ""), r.get("phase") or "",
                                  tuple(dosages.get(r["id"], ()))) for r in done)

    reports = {}  # the day's last report stands for the day
    for report in _by_time(scope.children("outcome_reports", "plan_id", [plan["id"]]), "at"):
        if report.get("symptom_scores"):
            reports[local_day(report.get("at"), zone)] = report
    symptoms = tuple(SymptomPoint(day, tuple(r["symptom_scores"].items())) for day, r in reports.items())

    incidents = tuple(
        IncidentNote(local_day(i.get("occurred_at"), zone), i.get("severity") or "", i.get("description") or "",
                     i.get("immediate_action") or "", i.get("status") or "")
        for i in _by_time(scope.of_patient("incidents"), "occurred_at")
        if i.get("session_id") in by_id or start <= local_day(i.get("occurred_at"), zone) <= end)

    sections = latest_signed_of_patient(scope, notes)
    follow_up, booked = _follow_up(scope, end, {r.get("appointment_id") for r in sessions})
    allergies = tuple(a.get("substance") or "" for a in scope.of_patient("patient_allergies")
                      if not a.get("removed_at"))
    centre, patient = scope.centre, scope.patient
    return DischargeSummary(
        clinic=DischargeClinic(centre.get("name") or "", scope.address_lines, centre.get("phone") or "",
                               centre.get("gstin") or ""),
        patient=DischargePatient(patient_name(patient), patient.get("uhid") or "", age_sex(patient, today),
                                 patient.get("name_local") or "", patient.get("abha_number") or "", allergies),
        plan_id=plan["id"], course_name=plan.get("name") or "", course_status=plan.get("status") or "",
        start_date=start, end_date=end, doctor=scope.staff_name(plan.get("doctor_id")), phases=tuple(phases),
        therapies=therapies, vitals=_vitals(scope, by_id, start, end), symptoms=symptoms,
        deviations=_deviations(scope, by_id, days, name_of), incidents=incidents, medicines=_medicines(scope, start),
        diet_advice=sections.get("plan", ()), follow_up=follow_up, follow_up_booked=booked,
        diagnoses=sections.get("assessment", ()), issued_on=today, language=language, notes=plan.get("notes") or "")
