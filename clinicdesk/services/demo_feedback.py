"""Demo feedback for the Virechana course: ratings after some sessions, one low rating, one desk complaint worked on."""

from datetime import timedelta

from clinicdesk.domain.feedback import FeedbackForm
from clinicdesk.services import feedback, therapy_plans

# session key -> the six ratings (effectiveness, practitioner, facility, staff, value, overall), recommend, comment
_AFTER = {
    "abh-5": ((5, 5, 4, 5, 4, 5), 9, "Very gentle massage, felt light afterwards"),
    "abh-6": ((4, 5, 4, 4, 4, 4), 9, ""),
    "swe-5": ((3, 4, 2, 3, 3, 2), 5, "The steam box was too hot and nobody checked on me for a while"),
    "swe-6": ((4, 4, 3, 4, 3, 4), 7, "Better today"),
}
NAUSEA_AFTER_VIRECHANA = 7  # reported after the purgation day: the starter care rule asks for a doctor's call


def _form(key: str) -> FeedbackForm:
    ratings, recommend, comment = _AFTER[key]
    names = ("effectiveness", "practitioner", "facility", "staff", "value", "overall")
    return FeedbackForm("session", dict(zip(names, ratings, strict=True)), recommend, comment)


def after_session(course, key: str, session_id: str) -> None:
    """The patient's ratings at the desk after some of the course's sessions (a rating of 2 opens a complaint);
    after the last Swedana, a billing complaint by phone that the doctor takes on and answers."""
    if key not in _AFTER:
        return
    feedback.submit_feedback(course.nurse, _form(key), session_id=session_id)
    if key == "swe-6":
        patient_id = therapy_plans.plan_summary(course.doctor, course.plan_id).patient_id
        complaint_id, _ = feedback.open_complaint(course.nurse, "Billing: charged twice for the Abhyanga on day 5",
                                                  patient_id=patient_id)
        course.set_clock(course.doctor.now() + timedelta(minutes=40))
        feedback.move_complaint(course.doctor, complaint_id, "start",
                                response="Checked the invoices; will refund today")
        course.set_clock(course.doctor.now() + timedelta(hours=2))
        feedback.respond_to_complaint(course.doctor, complaint_id, "Refund made by UPI; patient informed by phone")
