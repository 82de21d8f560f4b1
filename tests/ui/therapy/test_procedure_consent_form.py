"""The procedure consent dialog renders the versioned consent form and records through the consent-form service."""

import os
from pathlib import Path

from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest

from clinicdesk.domain.roles import Role
from clinicdesk.services import intake_forms, procedure_consent
from clinicdesk.ui.therapy.consent_dialog import ConsentDialog


def _sign(pad) -> None:
    QTest.mousePress(pad, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, QPoint(20, 40))
    for x in range(30, 240, 10):
        QTest.mouseMove(pad, QPoint(x, 40 + (x % 40)))
    QTest.mouseRelease(pad, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, QPoint(240, 60))


def test_the_statement_must_be_ticked_and_the_signed_form_is_kept(qtbot, unconsented_course, runner, tmp_path):
    course = unconsented_course
    dialog = ConsentDialog(course.app(Role.NURSE, runner), course.plan_id)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.renderer.form.key == "procedure_consent"
    dialog.name.setText("Lakshmi Menon")
    _sign(dialog.pad)
    dialog.save()
    assert dialog.banner.text() == ("Consent to the procedures must be ticked: the patient has to agree to this "
                                    "statement.")
    assert dialog.isVisible() and dialog.agree.property("invalid") is True
    folder = Path(os.environ.get("CLINICDESK_SHOTS_DIR", tmp_path))
    assert dialog.grab().save(str(folder / "procedure_consent_form.png"))
    dialog.agree.setChecked(True)
    dialog.save()
    assert dialog.result() == dialog.DialogCode.Accepted
    nurse = course.world.ctx(Role.NURSE)
    status = procedure_consent.plan_consent_status(nurse, course.plan_id)
    assert status.consented and status.text_version == "pk-1" and status.witness_name == ""
    [item] = [i for i in intake_forms.list_filled_forms(nurse, course.world.patient)
              if i.form_key == "procedure_consent"]
    assert item.filled_on == "tablet"
