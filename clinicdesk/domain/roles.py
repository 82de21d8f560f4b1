"""Staff roles, the actions services perform, and which role may perform which action."""

from enum import StrEnum


class Role(StrEnum):
    ADMIN = "admin"
    DOCTOR = "doctor"
    THERAPIST = "therapist"
    NURSE = "nurse"
    FRONT_DESK = "front_desk"
    CUSTOMER_RELATIONS = "customer_relations"


ROLE_LABELS = {
    Role.ADMIN: "Administrator",
    Role.DOCTOR: "Doctor",
    Role.THERAPIST: "Therapist",
    Role.NURSE: "Nurse",
    Role.FRONT_DESK: "Front desk",
    Role.CUSTOMER_RELATIONS: "Customer relations officer",
}


class Action(StrEnum):
    PATIENT_SEARCH = "patient.search"
    PATIENT_VIEW = "patient.view"
    PATIENT_REGISTER = "patient.register"
    PATIENT_EDIT_DEMOGRAPHICS = "patient.edit_demographics"
    PATIENT_EDIT_CLINICAL = "patient.edit_clinical"
    PATIENT_VIEW_AADHAAR = "patient.view_aadhaar"
    PATIENT_ASSESS = "patient.assess"
    PATIENT_CONSENT = "patient.consent"
    PATIENT_DOCUMENT_ADD = "patient.document_add"
    PATIENT_DOCUMENT_VIEW = "patient.document_view"
    PATIENT_PRINT = "patient.print"
    PATIENT_EXPORT = "patient.export"
    STAFF_MANAGE = "staff.manage"
    STAFF_VIEW = "staff.view"
    CENTRE_MANAGE = "centre.manage"
    AUDIT_VIEW = "audit.view"
    BACKUP_RUN = "backup.run"
    APPOINTMENT_VIEW = "appointment.view"  # the calendar, today's queue, the waitlist
    APPOINTMENT_BOOK = "appointment.book"  # book, move, confirm, cancel; the waitlist and its offers
    APPOINTMENT_UPDATE = "appointment.update"  # check in, start, complete, no-show
    APPOINTMENT_APPROVE = "appointment.approve"  # a doctor's approval for services that need it
    SERVICE_MANAGE = "service.manage"  # the catalogue of consultations and therapies
    THERAPY_VIEW = "therapy.view"  # care plans, the session board, SOP records, stock levels, incidents, outcomes
    THERAPY_PLAN = "therapy.plan"  # create, adjust, schedule, confirm, pause, resume and cancel care plans
    SESSION_RUN = "therapy.session_run"  # move sessions along, SOP steps, vitals, dosage, materials, incidents, PROMs
    STOCK_MANAGE = "stock.manage"  # stock items and received batches
    INCIDENT_MANAGE = "incident.manage"  # investigate, resolve and close incidents
    THERAPY_CONSENT = "therapy.consent"  # record and withdraw a patient's signed consent to a care plan
    THERAPY_PHOTO_ADD = "therapy.photo_add"  # take before/after photos of a session
    THERAPY_PHOTO_VIEW = "therapy.photo_view"  # open those photos (clinicians who judge the outcome)
    PROTOCOL_MANAGE = "protocol.manage"  # new versions of therapy, SOP and course templates (admins only)
    CONSULT_VIEW = "consult.view"  # a consultation's note, transcript, vitals and prescriptions; the visit summary
    CONSULT_RUN = "consult.run"  # start a consultation, recording consent, recording, transcript, vitals
    NOTE_WRITE = "consult.note_write"  # draft and edit the SOAP note, add addenda to a signed one
    NOTE_SIGN = "consult.note_sign"  # sign a note, which makes it final
    PRESCRIBE = "consult.prescribe"  # write prescriptions and dispense them from clinic stock
    RECORDING_ADMIN = "consult.recording_admin"  # the list of recordings with retention dates, purging expired ones
    SYNC_VIEW = "sync.view"  # the sync status: last sync, changes waiting, the last error
    SYNC_RUN = "sync.run"  # "Sync now" (the desk syncs nightly anyway: anyone signed in may start it early)


_ALL = frozenset(Action)
_CLINICAL_READ = {Action.PATIENT_SEARCH, Action.PATIENT_VIEW, Action.PATIENT_DOCUMENT_VIEW, Action.STAFF_VIEW}
_FLOOR = {Action.APPOINTMENT_VIEW, Action.APPOINTMENT_UPDATE}  # whoever treats patients moves them along
_DIARY = {Action.APPOINTMENT_VIEW, Action.APPOINTMENT_BOOK}  # whoever answers the phone keeps the diary
_SYNC = {Action.SYNC_VIEW, Action.SYNC_RUN}  # every signed-in role sees and starts the sync
_THERAPY_FLOOR = {Action.THERAPY_VIEW, Action.SESSION_RUN,  # whoever treats patients runs the sessions,
                  Action.THERAPY_CONSENT, Action.THERAPY_PHOTO_ADD}  # takes consent and photographs

PERMISSIONS: dict[Role, frozenset[Action]] = {
    Role.ADMIN: _ALL,
    Role.DOCTOR: frozenset(_SYNC | _CLINICAL_READ | _FLOOR | _THERAPY_FLOOR | {
        Action.THERAPY_PLAN, Action.INCIDENT_MANAGE, Action.THERAPY_PHOTO_VIEW,
        Action.PATIENT_REGISTER, Action.PATIENT_EDIT_DEMOGRAPHICS, Action.PATIENT_EDIT_CLINICAL,
        Action.PATIENT_ASSESS, Action.PATIENT_CONSENT, Action.PATIENT_DOCUMENT_ADD, Action.PATIENT_PRINT,
        Action.PATIENT_EXPORT, Action.APPOINTMENT_APPROVE,
        Action.CONSULT_VIEW, Action.CONSULT_RUN, Action.NOTE_WRITE, Action.NOTE_SIGN, Action.PRESCRIBE,
    }),
    Role.NURSE: frozenset(_SYNC | _CLINICAL_READ | _FLOOR | _THERAPY_FLOOR | {
        Action.STOCK_MANAGE, Action.CONSULT_VIEW, Action.CONSULT_RUN,  # nurses take vitals and recording consent
        Action.PATIENT_EDIT_CLINICAL, Action.PATIENT_CONSENT, Action.PATIENT_DOCUMENT_ADD, Action.PATIENT_PRINT,
    }),
    Role.THERAPIST: frozenset(_SYNC | _FLOOR | _THERAPY_FLOOR | {Action.PATIENT_SEARCH, Action.PATIENT_VIEW,
                                                         Action.STAFF_VIEW,
                                                         Action.CONSULT_VIEW}),  # reads the doctor's orders
    Role.FRONT_DESK: frozenset(_SYNC | _DIARY | {
        Action.PATIENT_SEARCH, Action.PATIENT_VIEW, Action.PATIENT_REGISTER, Action.PATIENT_EDIT_DEMOGRAPHICS,
        Action.PATIENT_VIEW_AADHAAR, Action.PATIENT_CONSENT, Action.PATIENT_DOCUMENT_ADD, Action.PATIENT_PRINT,
        Action.STAFF_VIEW, Action.APPOINTMENT_UPDATE, Action.THERAPY_VIEW,  # the board shows rooms in use
    }),
    Role.CUSTOMER_RELATIONS: frozenset(_SYNC | _DIARY | {Action.PATIENT_SEARCH, Action.PATIENT_VIEW,
                                                         Action.STAFF_VIEW}),
}


def may(role: Role, action: Action) -> bool:
    return action in PERMISSIONS[role]
