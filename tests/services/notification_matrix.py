"""Message calls for the role x action matrix: fresh failed messages and alerts per call, on the matrix patient."""

from clinicdesk.domain.roles import Action, Role
from clinicdesk.services import notification_settings, notification_templates, notifications, payment_reminders
from clinicdesk.services.context import ServiceContext
from clinicdesk.services.notification_templates import starter_set
from clinicdesk.store.models_notifications import NotificationMessageRow

_ANNOUNCE = {"announcement": "Closed on Monday."}


def _failed_message(w) -> str:
    """A message in the failed state, made directly (the sender's own tests cover how one gets there)."""
    boss = ServiceContext(w.db, user=w.users[Role.ADMIN], clock=w.clock)
    message_id = notifications.queue_message(boss, w.ids["patient"], "admin_announcement", context=_ANNOUNCE)
    with boss.unit_of_work() as session:
        row = session.get(NotificationMessageRow, message_id)
        row.status, row.channel, row.last_reason = "failed", "sms", "The gateway refused the message (400)"
    return message_id


def _alert_for(c: ServiceContext, w) -> str:
    if c.user is None:
        return "no-alert"  # refused before it is looked up
    boss = ServiceContext(w.db, user=w.users[Role.ADMIN], clock=w.clock)
    return notifications.alert_staff(boss, c.user.staff_id, "Matrix alert")


def registry() -> dict[Action, dict[str, object]]:
    return {
        Action.MESSAGE_VIEW: {
            "notifications.list_patient_messages": lambda c, w: notifications.list_patient_messages(
                c, w.ids["patient"]),
            "notifications.list_failed_messages": lambda c, w: notifications.list_failed_messages(c),
            "notifications.message_attempts": lambda c, w: notifications.message_attempts(c, "none"),
            "notifications.list_my_alerts": lambda c, w: notifications.list_my_alerts(c),
            "notifications.mark_alert_read": lambda c, w: notifications.mark_alert_read(c, _alert_for(c, w)),
        },
        Action.MESSAGE_SEND: {
            "notifications.queue_message": lambda c, w: notifications.queue_message(
                c, w.ids["patient"], "admin_announcement", context=_ANNOUNCE),
            "payment_reminders.queue_payment_reminders": lambda c, w: payment_reminders.queue_payment_reminders(c),
            "notifications.alert_staff": lambda c, w: notifications.alert_staff(
                c, w.ids["target_staff"], "Please call the patient", patient_id=w.ids["patient"]),
            "notifications.retry_message": lambda c, w: notifications.retry_message(c, _failed_message(w)),
            "notifications.cancel_message": lambda c, w: notifications.cancel_message(c, _failed_message(w)),
        },
        Action.MESSAGE_MANAGE: {
            "notification_templates.list_templates": lambda c, w: notification_templates.list_templates(c),
            "notification_templates.save_template": lambda c, w: notification_templates.save_template(
                c, starter_set()["cancellation"]),
            "notification_templates.reset_template": lambda c, w: notification_templates.reset_template(
                c, "cancellation"),
            "notification_settings.get_channel_settings": lambda c, w: notification_settings.get_channel_settings(c),
            "notification_settings.save_smtp_settings": lambda c, w: notification_settings.save_smtp_settings(
                c, host="smtp.example.in", port=587, security="starttls", username="r@example.in", sender=""),
            "notification_settings.save_gateway_settings": lambda c, w: notification_settings.save_gateway_settings(
                c, url="https://sms.example.in/v1"),
        },
    }
