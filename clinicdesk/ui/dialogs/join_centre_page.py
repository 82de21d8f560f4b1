"""The set-up wizard's "join a centre" page: HQ address, enrolment code, CA file and device name, joined off the UI
thread (clinicdesk/sync/join.py), with HQ's or the client's own sentence when it fails."""

import socket
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFileDialog, QHBoxLayout, QLineEdit, QProgressBar, QPushButton, QWidget

from clinicdesk.speech.progress import Progress
from clinicdesk.ui.long_jobs import LongJob

DEVICE_NAME_CHARS = 80  # HQ's limit on a device name


def default_device_name() -> str:
    return (socket.gethostname() or "ClinicDesk device")[:DEVICE_NAME_CHARS]


class JoinCentreFields:
    """The widgets of the join page, added to a wizard page's form by `add(name, label, widget)`."""

    def __init__(self, add: Callable[[str, str, QWidget], QWidget], tr: Callable[[str], str]):
        self.hq_url = add("hq_url", tr("HQ address"), QLineEdit())
        self.hq_url.setPlaceholderText(tr("e.g. https://hq.sukham.in:8443"))
        self.code = add("code", tr("Enrolment code"), QLineEdit())
        self.code.setPlaceholderText(tr("from the HQ administrator, e.g. K7WV-BBCR-QARA-YHSC"))
        self.ca_file = QLineEdit()
        self.ca_file.setPlaceholderText(tr("HQ's certificate authority file (.pem)"))
        self.choose_ca = QPushButton(tr("Choose…"))
        row = QWidget()
        layout = QHBoxLayout(row)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.ca_file, 1)
        layout.addWidget(self.choose_ca)
        add("ca_file", tr("CA certificate"), row)
        self.device_name = add("device_name", tr("This device's name"), QLineEdit(default_device_name()))
        self.device_name.setMaxLength(DEVICE_NAME_CHARS)
        self.progress = QProgressBar()
        self.progress.setRange(0, 0)  # busy: enrolment and the download report no fraction
        self.progress.setVisible(False)
        add("progress", "", self.progress)
        self.choose_ca.clicked.connect(self._choose_ca)

    def _choose_ca(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self.ca_file, "HQ certificate authority", str(Path.home()),
                                              "Certificates (*.pem *.crt);;All files (*)")
        if path:
            self.ca_file.setText(path)

    def set_busy(self, busy: bool) -> None:
        self.progress.setVisible(busy)
        for widget in (self.hq_url, self.code, self.ca_file, self.choose_ca, self.device_name):
            widget.setEnabled(not busy)

    def missing(self) -> dict[str, str]:
        """Problems a person can fix before anything is sent (field name -> words)."""
        problems = {}
        if not self.hq_url.text().strip():
            problems["hq_url"] = "is required"
        if not self.code.text().strip():
            problems["code"] = "is required"
        if self.hq_url.text().strip().startswith("https://") and not self.ca_file.text().strip():
            problems["ca_file"] = "is required for an https:// address: HQ's own certificate authority"
        if not self.device_name.text().strip():
            problems["device_name"] = "is required"
        return problems


class JoinRunner(LongJob):
    """One join of `data_dir`: `finished((database, result))` or `failed(exception)` on the main thread."""

    joined = Signal(object, object)  # Database, JoinResult

    def __init__(self, data_dir: Path, fields: JoinCentreFields, passphrase: str | None, *,
                 synchronous: bool = False, parent=None):
        hq_url, code = fields.hq_url.text().strip(), fields.code.text().strip()
        ca_file, device_name = fields.ca_file.text().strip(), fields.device_name.text().strip()

        def job(_cancel):
            from clinicdesk.sync.join import join_centre  # httpx and the sync client load when first used

            yield Progress(0.0, "Joining the centre…")
            yield join_centre(data_dir, hq_url, code, ca_file, device_name=device_name, passphrase=passphrase)

        super().__init__(job, synchronous=synchronous, parent=parent)
        self.finished.connect(self._unpack)

    def _unpack(self, outcome: tuple) -> None:  # (Database, JoinResult)
        self.joined.emit(*outcome)
