"""Admin > Message channels: the SMTP server for email and the HTTP gateway for SMS and WhatsApp.

Passwords and keys go to the operating system's keyring; a field left empty keeps the saved one.
"""

from PySide6.QtWidgets import (
    QCheckBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from clinicdesk.domain.errors import ValidationError
from clinicdesk.services import notification_settings
from clinicdesk.services.context import Changes
from clinicdesk.services.notification_settings import ChannelSettings
from clinicdesk.ui.app_context import AppContext
from clinicdesk.ui.tasks import error_text
from clinicdesk.ui.widgets.form_errors import ErrorBanner, FieldErrors
from clinicdesk.ui.widgets.inputs import ChoiceCombo
from clinicdesk.ui.widgets.refreshing_view import RefreshingView

SECURITY_CHOICES = [("starttls", "STARTTLS (port 587)"), ("ssl", "SSL/TLS (port 465)"),
                    ("none", "None (a relay on this network only)")]


class ChannelSettingsPage(RefreshingView):
    def __init__(self, app: AppContext, parent: QWidget | None = None):
        super().__init__(app, parent)
        heading = QLabel(self.tr("Message channels"))
        heading.setObjectName("pageTitle")
        self.banner = ErrorBanner()
        self.saved = QLabel()

        self.smtp_host = QLineEdit()
        self.smtp_host.setPlaceholderText("smtp.gmail.com")
        self.smtp_port = QSpinBox()
        self.smtp_port.setRange(1, 65535)
        self.smtp_port.setValue(587)
        self.smtp_security = ChoiceCombo(SECURITY_CHOICES)
        self.smtp_username = QLineEdit()
        self.smtp_password = QLineEdit()
        self.smtp_password.setEchoMode(QLineEdit.EchoMode.Password)
        self.smtp_sender = QLineEdit()
        self.smtp_sender.setPlaceholderText("Sukham Ayurveda <reminders@sukham.in>")
        smtp_box = QGroupBox(self.tr("Email (SMTP)"))
        smtp_form = QFormLayout(smtp_box)
        smtp_form.addRow(self.tr("Mail server"), self.smtp_host)
        smtp_form.addRow(self.tr("Port"), self.smtp_port)
        smtp_form.addRow(self.tr("Security"), self.smtp_security)
        smtp_form.addRow(self.tr("User name"), self.smtp_username)
        smtp_form.addRow(self.tr("Password"), self.smtp_password)
        smtp_form.addRow(self.tr("From address"), self.smtp_sender)
        self.smtp_save = QPushButton(self.tr("Save email settings"))
        self.smtp_save.clicked.connect(self.save_smtp)
        smtp_form.addRow("", self.smtp_save)

        self.gateway_url = QLineEdit()
        self.gateway_url.setPlaceholderText("https://sms.example.in/v1/messages")
        self.gateway_key = QLineEdit()
        self.gateway_key.setEchoMode(QLineEdit.EchoMode.Password)
        self.gateway_sender = QLineEdit()
        self.gateway_sender.setPlaceholderText(self.tr("DLT sender id, e.g. SUKHAM"))
        self.gateway_sms = QCheckBox(self.tr("SMS"))
        self.gateway_whatsapp = QCheckBox(self.tr("WhatsApp"))
        channel_row = QHBoxLayout()
        channel_row.addWidget(self.gateway_sms)
        channel_row.addWidget(self.gateway_whatsapp)
        channel_row.addStretch(1)
        gateway_box = QGroupBox(self.tr("SMS and WhatsApp gateway (HTTP JSON, see docs/notifications.md)"))
        gateway_form = QFormLayout(gateway_box)
        gateway_form.addRow(self.tr("Gateway address"), self.gateway_url)
        gateway_form.addRow(self.tr("API key"), self.gateway_key)
        gateway_form.addRow(self.tr("Sender id"), self.gateway_sender)
        gateway_form.addRow(self.tr("Carries"), channel_row)
        self.gateway_save = QPushButton(self.tr("Save gateway settings"))
        self.gateway_save.clicked.connect(self.save_gateway)
        gateway_form.addRow("", self.gateway_save)

        self.errors = FieldErrors(self.banner, {
            "smtp_host": self.smtp_host, "smtp_port": self.smtp_port, "smtp_security": self.smtp_security,
            "smtp_sender": self.smtp_sender, "gateway_url": self.gateway_url})
        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addWidget(self.banner)
        layout.addWidget(smtp_box)
        layout.addWidget(gateway_box)
        layout.addWidget(self.saved)
        layout.addStretch(1)

    def is_relevant(self, changes: Changes) -> bool:
        return changes.settings or changes.messages

    def reload(self) -> None:
        self.app.runner.run(notification_settings.get_channel_settings, self.app.ctx, owner=self,
                            on_done=self._show, on_error=lambda e: self.banner.show_messages([error_text(e)]))

    def _show(self, settings: ChannelSettings) -> None:
        self.smtp_host.setText(settings.smtp_host)
        self.smtp_port.setValue(settings.smtp_port)
        self.smtp_security.set_value(settings.smtp_security)
        self.smtp_username.setText(settings.smtp_username)
        self.smtp_sender.setText(settings.smtp_sender)
        self.smtp_password.clear()
        self.smtp_password.setPlaceholderText(self.tr("saved in the keyring; type to replace")
                                              if settings.smtp_password_saved else "")
        self.gateway_url.setText(settings.gateway_url)
        self.gateway_sender.setText(settings.gateway_sender_id)
        self.gateway_sms.setChecked("sms" in settings.gateway_channels)
        self.gateway_whatsapp.setChecked("whatsapp" in settings.gateway_channels)
        self.gateway_key.clear()
        self.gateway_key.setPlaceholderText(self.tr("saved in the keyring; type to replace")
                                            if settings.gateway_key_saved else "")

    def save_smtp(self) -> None:
        self.errors.clear()
        self.app.runner.run(
            notification_settings.save_smtp_settings, self.app.ctx, host=self.smtp_host.text(),
            port=self.smtp_port.value(), security=self.smtp_security.value(), username=self.smtp_username.text(),
            sender=self.smtp_sender.text(), password=self.smtp_password.text() or None, owner=self,
            on_done=lambda _: self.saved.setText(self.tr("Email settings saved.")), on_error=self._refused)

    def save_gateway(self) -> None:
        self.errors.clear()
        channels = tuple(c for c, box in (("sms", self.gateway_sms), ("whatsapp", self.gateway_whatsapp))
                         if box.isChecked())
        self.app.runner.run(
            notification_settings.save_gateway_settings, self.app.ctx, url=self.gateway_url.text(),
            sender_id=self.gateway_sender.text(), channels=channels, api_key=self.gateway_key.text() or None,
            owner=self, on_done=lambda _: self.saved.setText(self.tr("Gateway settings saved.")),
            on_error=self._refused)

    def _refused(self, error: Exception) -> None:
        if isinstance(error, ValidationError):
            self.errors.show(error)
        else:
            self.errors.show_text(error_text(error))
