"""The signature pad and the consent dialog, reached from the therapy board."""

from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QColor
from PySide6.QtTest import QTest

from clinicdesk.domain.roles import Role
from clinicdesk.domain.therapy_sessions import SessionEvent
from clinicdesk.services import procedure_consent
from clinicdesk.store.models_consent_media import ProcedureConsentRow
from clinicdesk.ui.therapy.board_model import COLUMNS
from clinicdesk.ui.therapy.board_page import TherapyBoardPage
from clinicdesk.ui.therapy.sop_runner import SopRunnerDialog
from clinicdesk.ui.widgets.signature_pad import SignaturePad

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
PNG_STUB = PNG_MAGIC + b"\x00" * 24


def _sign(qtbot, pad: SignaturePad) -> None:
    QTest.mousePress(pad, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, QPoint(20, 40))
    for x in range(30, 200, 10):
        QTest.mouseMove(pad, QPoint(x, 40 + (x % 30)))
    QTest.mouseRelease(pad, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, QPoint(200, 60))


def test_a_stroke_on_the_pad_becomes_png_and_clear_empties_it(qtbot):
    pad = SignaturePad()
    qtbot.addWidget(pad)
    pad.show()
    assert pad.is_empty() and pad.png_bytes() == b""
    with qtbot.waitSignal(pad.changed):
        _sign(qtbot, pad)
    png = pad.png_bytes()
    assert not pad.is_empty() and png.startswith(PNG_MAGIC) and len(png) > 100
    pad.clear()
    assert pad.png_bytes() == b""


def test_consent_is_signed_from_the_board_and_a_wrong_name_is_marked(qtbot, unconsented_course, runner):
    course = unconsented_course
    page = TherapyBoardPage(course.app(Role.NURSE, runner))
    qtbot.addWidget(page)
    page.table.selectRow(0)
    dialog = page.open_consent()
    qtbot.addWidget(dialog)
    assert dialog.plan_id == course.plan_id and "No consent on record" in dialog.state.text()

    dialog.save()  # nothing ticked, typed or drawn yet
    assert "Signature is missing" in dialog.banner.text() and dialog.isVisible()
    assert "must be ticked: the patient has to agree to this statement" in dialog.banner.text()
    dialog.agree.setChecked(True)
    dialog.name.setText("Somebody Else")
    _sign(qtbot, dialog.pad)
    dialog.save()
    assert "Typed name must be the patient's full name" in dialog.banner.text() and dialog.isVisible()

    dialog.name.setText("lakshmi menon")
    dialog.save()
    assert dialog.result() == dialog.DialogCode.Accepted
    nurse = course.world.ctx(Role.NURSE)
    status = procedure_consent.plan_consent_status(nurse, course.plan_id)
    assert status.consented and status.typed_name == "lakshmi menon"
    with nurse.db.session() as session:
        row = session.get(ProcedureConsentRow, status.consent_id)
        signature = nurse.db.sealer.open(row.sealed_signature, context=f"procedure-consent:{row.id}")
    assert signature.startswith(PNG_MAGIC) and not row.sealed_signature.startswith(PNG_MAGIC)

    again = page.open_consent()
    qtbot.addWidget(again)
    assert "signed as “lakshmi menon”" in again.state.text() and again.withdraw_button.isVisibleTo(again)
    assert not again.form.isVisibleTo(again)


def test_photos_are_added_by_the_therapist_and_viewed_only_by_the_doctor(qtbot, course, runner, tmp_path):
    from PySide6.QtGui import QColor, QImage

    from clinicdesk.ui.therapy.photos_dialog import PhotosDialog

    image = QImage(40, 30, QImage.Format.Format_RGB32)
    image.fill(QColor("orange"))
    path = tmp_path / "before.png"
    assert image.save(str(path))
    session_id = course.sessions["abh-5"].id
    therapist = PhotosDialog(course.app(Role.THERAPIST, runner), session_id)
    qtbot.addWidget(therapist)
    assert not therapist.view_button.isVisibleTo(therapist)
    therapist.add_file("before", path)
    therapist.add_file("after", tmp_path / "before.png")
    assert therapist.list.count() == 2 and therapist.list.item(0).text().startswith("Before")
    bad = tmp_path / "scan.gif"
    bad.write_bytes(b"GIF89a")
    therapist.add_file("before", bad)
    assert "JPEG or PNG" in therapist.error.text() and therapist.list.count() == 2

    doctor = PhotosDialog(course.app(Role.DOCTOR, runner), session_id)
    qtbot.addWidget(doctor)
    assert doctor.view_button.isVisibleTo(doctor) and not doctor.view_button.isEnabled()
    doctor.list.setCurrentRow(0)
    doctor.view_selected()
    assert doctor.error.text() == "" and doctor.preview.pixmap().width() > 0


def test_the_board_opens_photos_for_the_selected_session(qtbot, course, runner):
    page = TherapyBoardPage(course.app(Role.THERAPIST, runner))
    qtbot.addWidget(page)
    assert page.photos_button.isVisibleTo(page)
    page.table.selectRow(0)
    dialog = page.open_photos()
    qtbot.addWidget(dialog)
    assert dialog.session_id == page.selected().session_id and dialog.list.count() == 0
    desk = TherapyBoardPage(course.app(Role.FRONT_DESK, runner))
    qtbot.addWidget(desk)
    assert not desk.photos_button.isVisibleTo(desk)


def test_the_board_says_consent_needed_and_a_refused_start_opens_the_consent_form(qtbot, unconsented_course, runner):
    course = unconsented_course
    page = TherapyBoardPage(course.app(Role.NURSE, runner))
    qtbot.addWidget(page)
    page.show()
    status = page.model.index(0, COLUMNS.index("Status"))
    assert status.data() == "Scheduled · consent needed" and status.data(9).color() == QColor("#b3261e")
    page.table.selectRow(0)
    assert page.consent_button.text() == "Consent needed…"
    page.buttons[SessionEvent.PREPARE].click()
    assert status.data() == "In preparation · consent needed"
    page.buttons[SessionEvent.START].click()
    assert page.banner.text().startswith("Record the patient's procedure consent for this plan before starting")
    assert page.model.item(0).status == "in_preparation"  # refused: nothing moved
    dialog = page.consent_dialog
    qtbot.addWidget(dialog)
    assert dialog.isVisible() and dialog.plan_id == course.plan_id
    dialog.agree.setChecked(True)
    dialog.name.setText("Lakshmi Menon")
    _sign(qtbot, dialog.pad)
    dialog.save()
    assert dialog.result() == dialog.DialogCode.Accepted
    assert status.data() == "In preparation" and page.consent_button.text() == "Consent…"
    page.buttons[SessionEvent.START].click()
    assert page.model.item(0).status == "in_session"


def test_the_sop_runner_offers_the_consent_form_until_it_is_signed(qtbot, unconsented_course, runner):
    course = unconsented_course
    dialog = SopRunnerDialog(course.app(Role.THERAPIST, runner), course.sessions["abh-5"].id)
    qtbot.addWidget(dialog)
    dialog.show()
    assert "consent needed" in dialog.header.text() and dialog.consent_button.isVisible()
    dialog.move(SessionEvent.PREPARE)
    dialog.move(SessionEvent.START)
    assert "procedure consent" in dialog.banner.text() and dialog.detail.board.status == "in_preparation"
    form = dialog.consent_dialog
    qtbot.addWidget(form)
    assert form.isVisible() and form.plan_id == course.plan_id
    procedure_consent.record_procedure_consent(course.world.ctx(Role.NURSE), course.plan_id, "Lakshmi Menon",
                                               PNG_STUB)
    dialog.refresh()
    assert "consent needed" not in dialog.header.text() and not dialog.consent_button.isVisible()
