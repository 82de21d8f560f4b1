"""The admin's protocol templates: versions listed, a form (not JSON) for a new version, refusals under each field."""

from pathlib import Path

from clinicdesk.domain.roles import Role
from clinicdesk.services import protocol_versions
from clinicdesk.ui.admin.protocol_editor import ProtocolEditorDialog, ProtocolTemplatesPage
from clinicdesk.ui.app_context import AppContext

SCREENS = Path(__file__).resolve().parents[3] / "out" / "screens"


def _page(qtbot, admin_ctx, runner) -> ProtocolTemplatesPage:
    page = ProtocolTemplatesPage(AppContext(admin_ctx, runner))
    qtbot.addWidget(page)
    page.show()
    return page


def _editor(qtbot, page, kind, key) -> ProtocolEditorDialog:
    page.select(kind, key)
    page.edit_selected()
    qtbot.addWidget(page.dialog)
    return page.dialog


def test_a_course_version_is_refused_field_by_field_then_saved(qtbot, admin_ctx, runner):
    page = _page(qtbot, admin_ctx, runner)
    kinds = {page.table.item(row, 0).text() for row in range(page.table.rowCount())}
    assert kinds == {"Therapy", "SOP", "Course"}
    dialog = _editor(qtbot, page, "course", "classic-virechana-21")
    dialog.resize(1100, 940)
    dialog.show()
    assert [(p["first_day"].value(), p["last_day"].value()) for p in dialog.phases] == [(0, 6), (7, 13), (14, 20)]

    dialog.phases[0]["first_day"].setValue(5)  # Purvakarma of two days: its sessions fall outside it
    dialog.phases[2]["last_day"].setValue(30)  # Paschatkarma of 17 days
    _, _, vir = next(s for s in dialog.sessions if s[:2] == (1, 0))
    vir["therapy"].addItem("Cupping", "cupping")  # a therapy the list does not have
    vir["therapy"].setCurrentIndex(vir["therapy"].count() - 1)
    dialog.save()
    assert dialog.isVisible() and dialog.banner.isVisible()
    assert dialog.inline["phases[2]"].text() == "Phase 3 (paschatkarma) lasts 17 days; it must last 7-14 days."
    assert "not a booked therapy" in dialog.inline["phases[1].sessions[0]"].text()
    assert "inside the phase (5-6)" in dialog.inline["phases[0].sessions[0]"].text()
    assert vir["therapy"].property("invalid") and dialog.phases[2]["last_day"].property("invalid")
    SCREENS.mkdir(parents=True, exist_ok=True)
    assert dialog.grab().save(str(SCREENS / "protocol-editor.png"))
    assert protocol_versions.template_draft(admin_ctx, "course", "classic-virechana-21").next_version == 2  # unsaved

    dialog.phases[0]["first_day"].setValue(0)
    dialog.phases[2]["last_day"].setValue(20)
    vir["therapy"].setCurrentIndex(vir["therapy"].findData("virechana"))
    dialog.effective.setDate(dialog.effective.date().addDays(7))
    dialog.note.setText("Checked with the senior vaidya")
    dialog.save()
    assert not dialog.isVisible()
    course = next(t for t in protocol_versions.list_templates(admin_ctx) if t.key == "classic-virechana-21")
    assert [(v.version, v.source, v.note) for v in course.versions] == [
        (1, "shipped", ""), (2, "admin", "Checked with the senior vaidya")]
    row = next(r for r in range(page.table.rowCount()) if page.items[r].key == "classic-virechana-21"
               and page.items[r].kind == "course")
    assert "v2 from" in page.table.item(row, 3).text() and page.table.item(row, 2).text() == "v1"


def test_sop_steps_and_therapy_durations_are_form_fields(qtbot, admin_ctx, runner):
    page = _page(qtbot, admin_ctx, runner)
    sop = _editor(qtbot, page, "sop", "abhyanga")
    assert len(sop.steps) == 7 and sop.steps[3]["timer_seconds"].value() == 45  # minutes on the form
    assert sop.steps[3]["materials"].text() == "DHANWANTARAM 150"
    sop.steps[3]["timer_seconds"].setValue(40)
    sop.steps[1]["max"].setText("ten")
    sop.save()
    assert "must be a number" in sop.inline["steps[1]"].text() and sop.steps[1]["max"].property("invalid")
    sop.steps[1]["max"].setText("100")
    sop.add_step({})
    sop.steps[7]["text"].setText("Floor wiped dry after the patient leaves")
    sop.steps[7]["safety_check"].setChecked(True)
    sop.save()
    assert not sop.isVisible()
    body = protocol_versions.template_draft(admin_ctx, "sop", "abhyanga").body
    assert body["steps"][3]["timer_seconds"] == 2400 and body["steps"][7]["safety_check"] is True

    therapy = _editor(qtbot, page, "therapy", "swedana")
    therapy.duration.setValue(0)
    therapy.save()
    assert therapy.inline["duration_minutes"].text() == (
        "Duration (minutes) must be more than 0 minutes for a therapy that is booked.")
    therapy.duration.setValue(25)
    therapy.effective.setDate(therapy.effective.date().addDays(-1))  # the past is not allowed
    therapy.save()
    assert "must be today" in therapy.inline["effective_from"].text()
    therapy.effective.setDate(therapy.effective.date().addDays(1))
    therapy.save()
    assert not therapy.isVisible()
    assert protocol_versions.template_draft(admin_ctx, "therapy", "swedana").body["duration_minutes"] == 25


def test_only_admins_reach_the_templates(qtbot, ctx_for_role, runner):
    from clinicdesk.ui.main_window import MainWindow

    for role, shown in ((Role.ADMIN, True), (Role.DOCTOR, False)):
        window = MainWindow(AppContext(ctx_for_role(role), runner))
        qtbot.addWidget(window)
        assert ("protocols" in window.nav_keys()) is shown, role
