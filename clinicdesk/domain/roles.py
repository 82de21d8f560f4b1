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
    ERASURE_REQUEST = "patient.erasure_request"  # record a patient's request to erase their data
    ERASURE_REVIEW = "patient.erasure_review"  # approve or refuse it against the retention rule (medical director)
    ERASURE_CARRY_OUT = "patient.erasure_carry_out"  # carry out an approved erasure (administrators only)
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
    SYNC_REVIEW = "sync.review"  # the sync review page: conflicts, changes HQ refused, possible duplicate patients
    SYNC_RESOLVE = "sync.resolve"  # settle scheduling conflicts, duplicates and refused changes
    SYNC_RESOLVE_CLINICAL = "sync.resolve_clinical"  # settle a conflict in a patient's clinical or identity fields
    MESSAGE_VIEW = "message.view"  # a patient's reminders and messages, failed messages, one's own staff alerts
    MESSAGE_SEND = "message.send"  # queue a message to a patient, retry a failed one, alert a colleague
    MESSAGE_MANAGE = "message.manage"  # message templates and channel settings (SMTP, SMS gateway): admins only
    FEEDBACK_RECORD = "feedback.record"  # take a patient's feedback form after a session or a course
    FEEDBACK_REVIEW = "feedback.review"  # complaints and their workflow, practitioner ratings and trends
    CARE_RULES_MANAGE = "care_rules.manage"  # read and edit the care rules, read their firing log (medical director)
    CARE_TASKS_WORK = "care_tasks.work"  # the clinician task list: calls to make, slots to offer; mark them done
    BILLING_VIEW = "billing.view"  # invoices, receipts, payments, outstanding and overdue bills, insurance claims
    BILLING_CHARGE = "billing.charge"  # issue invoices, take payments, record and move insurance claims
    BILLING_REFUND = "billing.refund"  # credit notes and refunds: money going back is an administrator's call
    BILLING_MANAGE = "billing.manage"  # prices, HSN/SAC codes and GST rates, packages and their payment plans
    LEAD_VIEW = "lead.view"  # enquiries, their history, the intervention queue and the conversion funnel
    LEAD_WORK = "lead.work"  # take an enquiry, move it along, assign it, convert it to a patient
    LAB_VIEW = "lab.view"  # a patient's lab results and their trends
    LAB_RECORD = "lab.record"  # enter a lab result with its report
    FORM_FILL = "form.fill"  # fill an intake form with a patient (reading a filled one is a document view)
    DASHBOARD_VIEW = "dashboard.view"  # the owner's and medical director's dashboards and their exports


_ALL = frozenset(Action)
_CLINICAL_READ = {Action.PATIENT_SEARCH, Action.PATIENT_VIEW, Action.PATIENT_DOCUMENT_VIEW, Action.STAFF_VIEW}
_FLOOR = {Action.APPOINTMENT_VIEW, Action.APPOINTMENT_UPDATE}  # whoever treats patients moves them along
_DIARY = {Action.APPOINTMENT_VIEW, Action.APPOINTMENT_BOOK}  # whoever answers the phone keeps the diary
_SYNC = {Action.SYNC_VIEW, Action.SYNC_RUN}  # every signed-in role sees and starts the sync
_FEEDBACK = {Action.FEEDBACK_RECORD}  # whoever is with the patient may take their feedback
_CARE = {Action.CARE_TASKS_WORK}  # clinicians and the desk work the task list (calls, other slots)
_MESSAGES = {Action.MESSAGE_VIEW, Action.MESSAGE_SEND}  # every role sees and retries patients' messages
_THERAPY_FLOOR = {Action.THERAPY_VIEW, Action.SESSION_RUN,  # whoever treats patients runs the sessions,
                  Action.THERAPY_CONSENT, Action.THERAPY_PHOTO_ADD}  # takes consent and photographs

PERMISSIONS: dict[Role, frozenset[Action]] = {
    Role.ADMIN: _ALL,
    Role.DOCTOR: frozenset(_SYNC | _MESSAGES | _CLINICAL_READ | _FLOOR | _THERAPY_FLOOR | {
        Action.THERAPY_PLAN, Action.INCIDENT_MANAGE, Action.THERAPY_PHOTO_VIEW,
        Action.PATIENT_REGISTER, Action.PATIENT_EDIT_DEMOGRAPHICS, Action.PATIENT_EDIT_CLINICAL,
        Action.PATIENT_ASSESS, Action.PATIENT_CONSENT, Action.PATIENT_DOCUMENT_ADD, Action.PATIENT_PRINT,
        Action.PATIENT_EXPORT, Action.APPOINTMENT_APPROVE,
        Action.CONSULT_VIEW, Action.CONSULT_RUN, Action.NOTE_WRITE, Action.NOTE_SIGN, Action.PRESCRIBE,
        *_FEEDBACK, *_CARE, Action.FEEDBACK_REVIEW, Action.CARE_RULES_MANAGE,  # the medical director is a doctor
    }),
    Role.NURSE: frozenset(_SYNC | _MESSAGES | _CLINICAL_READ | _FLOOR | _THERAPY_FLOOR | {
        Action.STOCK_MANAGE, Action.CONSULT_VIEW, Action.CONSULT_RUN,  # nurses take vitals and recording consent
        Action.PATIENT_EDIT_CLINICAL, Action.PATIENT_CONSENT, Action.PATIENT_DOCUMENT_ADD, Action.PATIENT_PRINT,
        *_FEEDBACK, *_CARE,
    }),
    Role.THERAPIST: frozenset(_SYNC | _MESSAGES | _FLOOR | _THERAPY_FLOOR | {Action.PATIENT_SEARCH, Action.PATIENT_VIEW,
                                                         Action.STAFF_VIEW,
                                                         Action.CONSULT_VIEW,  # reads the doctor's orders
                                                         *_FEEDBACK, *_CARE}),
    Role.FRONT_DESK: frozenset(_SYNC | _MESSAGES | _DIARY | {
        Action.PATIENT_SEARCH, Action.PATIENT_VIEW, Action.PATIENT_REGISTER, Action.PATIENT_EDIT_DEMOGRAPHICS,
        Action.PATIENT_VIEW_AADHAAR, Action.PATIENT_CONSENT, Action.PATIENT_DOCUMENT_ADD, Action.PATIENT_PRINT,
        Action.STAFF_VIEW, Action.APPOINTMENT_UPDATE, Action.THERAPY_VIEW,  # the board shows rooms in use
        *_FEEDBACK, *_CARE,
    }),
    Role.CUSTOMER_RELATIONS: frozenset(_SYNC | _MESSAGES | _DIARY | {Action.PATIENT_SEARCH, Action.PATIENT_VIEW,
                                                         Action.STAFF_VIEW, *_FEEDBACK, *_CARE,
                                                         Action.FEEDBACK_REVIEW}),  # answers complaints
}

# Settling what sync could not: those who handle patient records see the queue; a clinical or identity conflict is
# a doctor's call, while the desk also settles scheduling conflicts, possible duplicates and refused changes.
_SYNC_REVIEW_GRANTS: dict[Role, frozenset[Action]] = {
    Role.DOCTOR: frozenset({Action.SYNC_REVIEW, Action.SYNC_RESOLVE, Action.SYNC_RESOLVE_CLINICAL}),
    Role.NURSE: frozenset({Action.SYNC_REVIEW}),
    Role.FRONT_DESK: frozenset({Action.SYNC_REVIEW, Action.SYNC_RESOLVE}),
}
for _role, _granted in _SYNC_REVIEW_GRANTS.items():
    PERMISSIONS[_role] = PERMISSIONS[_role] | _granted

# Money: the desk bills and takes payments; doctors and customer relations see what a patient owes; refunds, credit
# notes and prices stay with administrators (who hold every action).
_BILLING_GRANTS: dict[Role, frozenset[Action]] = {
    Role.FRONT_DESK: frozenset({Action.BILLING_VIEW, Action.BILLING_CHARGE}),
    Role.DOCTOR: frozenset({Action.BILLING_VIEW}),
    Role.CUSTOMER_RELATIONS: frozenset({Action.BILLING_VIEW}),
}
for _role, _granted in _BILLING_GRANTS.items():
    PERMISSIONS[_role] = PERMISSIONS[_role] | _granted

# A patient's right to erasure: the desk or a doctor records the request, a doctor (the medical director) reviews it
# against the retention rule, and only an administrator carries it out.
_ERASURE_GRANTS: dict[Role, frozenset[Action]] = {
    Role.FRONT_DESK: frozenset({Action.ERASURE_REQUEST}),
    Role.DOCTOR: frozenset({Action.ERASURE_REQUEST, Action.ERASURE_REVIEW}),
}
for _role, _granted in _ERASURE_GRANTS.items():
    PERMISSIONS[_role] = PERMISSIONS[_role] | _granted

# Enquiries are the desk's and customer relations' work (the medical director watches the funnel); lab values are
# clinical (the desk files the report as a document); intake forms are filled by whoever sits with the patient.
_INTAKE_GRANTS: dict[Role, frozenset[Action]] = {
    Role.FRONT_DESK: frozenset({Action.LEAD_VIEW, Action.LEAD_WORK, Action.FORM_FILL}),
    Role.CUSTOMER_RELATIONS: frozenset({Action.LEAD_VIEW, Action.LEAD_WORK,
                                        Action.PATIENT_REGISTER}),  # converting a lead registers a patient
    Role.DOCTOR: frozenset({Action.LEAD_VIEW, Action.LAB_VIEW, Action.LAB_RECORD, Action.FORM_FILL}),
    Role.NURSE: frozenset({Action.LAB_VIEW, Action.LAB_RECORD, Action.FORM_FILL}),
    Role.THERAPIST: frozenset({Action.LAB_VIEW}),
}
for _role, _granted in _INTAKE_GRANTS.items():
    PERMISSIONS[_role] = PERMISSIONS[_role] | _granted

# The dashboards: the owner (an administrator, who holds every action) and the medical director (a doctor).
PERMISSIONS[Role.DOCTOR] = PERMISSIONS[Role.DOCTOR] | {Action.DASHBOARD_VIEW}


def may(role: Role, action: Action) -> bool:
    return action in PERMISSIONS[role]
