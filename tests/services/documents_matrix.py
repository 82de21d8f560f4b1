"""Discharge summary, FHIR and archive export, erasure: calls for the role x action matrix (fresh records per call)."""

import itertools

from clinicdesk.domain.roles import Action, Role
from clinicdesk.services import discharge_summary, erasure, fhir_export, patient_export, patients
from tests.services.helpers import patient_draft

_phones = itertools.count(80100)


def _fresh_patient(w) -> str:
    patient_id, _ = patients.register_patient(w.floor.boss, patient_draft(given_name="Erasure",
                                                                          phone=f"98470 {next(_phones)}"))
    return patient_id


def _requested(w) -> str:
    """A new request recorded by the desk, so any other role may review it."""
    request_id, _ = erasure.request_erasure(w.ctx(Role.FRONT_DESK), _fresh_patient(w), reason="patient_request")
    return request_id


def _approved(w) -> str:
    request_id = _requested(w)
    erasure.review_erasure(w.ctx(Role.DOCTOR), request_id, approve=True)
    return request_id


def extend(registry: dict) -> None:
    """Add these calls to the matrix's registry (next to the actions' existing calls)."""
    additions = {
        Action.PATIENT_PRINT: {
            "discharge_summary.discharge_summary_pdf": lambda c, w: discharge_summary.discharge_summary_pdf(
                c, w.floor.world.patient)},
        Action.PATIENT_EXPORT: {
            "fhir_export.export_fhir_bundle": lambda c, w: fhir_export.export_fhir_bundle(c, w.ids["patient"]),
            "patient_export.export_patient_archive": lambda c, w: patient_export.export_patient_archive(
                c, w.ids["patient"])},
        Action.ERASURE_REQUEST: {
            "erasure.request_erasure": lambda c, w: erasure.request_erasure(c, _fresh_patient(w),
                                                                            reason="patient_request"),
            "erasure.list_erasure_requests": lambda c, w: erasure.list_erasure_requests(c),
            "erasure.uhids_of_requests": lambda c, w: erasure.uhids_of_requests(c, [])},
        Action.ERASURE_REVIEW: {
            "erasure.review_erasure": lambda c, w: erasure.review_erasure(c, _requested(w), approve=True)},
        Action.ERASURE_CARRY_OUT: {
            "erasure.carry_out_erasure": lambda c, w: erasure.carry_out_erasure(c, _approved(w))},
    }
    for action, calls in additions.items():
        registry[action] = {**registry.get(action, {}), **calls}
