"""Which role actions the calendar offers, in one place (the services enforce them regardless)."""

from clinicdesk.domain.roles import Action

APPOINTMENT_VIEW = Action.APPOINTMENT_VIEW  # the calendar, today's queue, the waitlist
APPOINTMENT_BOOK = Action.APPOINTMENT_BOOK  # book, move, confirm, cancel; the waitlist and its offers

# Who may take each status move (mirrors the services' checks so a button is not offered only to be refused).
EVENT_ACTIONS = {
    "confirm": Action.APPOINTMENT_BOOK,
    "cancel": Action.APPOINTMENT_BOOK,
    "approve": Action.APPOINTMENT_APPROVE,
    "check_in": Action.APPOINTMENT_UPDATE,
    "start": Action.APPOINTMENT_UPDATE,
    "complete": Action.APPOINTMENT_UPDATE,
    "no_show": Action.APPOINTMENT_UPDATE,
}
