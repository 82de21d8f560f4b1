"""Visible strings go through Qt's translation machinery, so a Hindi or Malayalam catalogue changes the screen."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication

from clinicdesk.ui import i18n
from clinicdesk.ui.reception.search_view import PatientSearchView

TS = """<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="hi_IN">
<context><name>PatientSearchView</name>
<message><source>Patients</source><translation>मरीज़</translation></message>
<message><source>Register patient…</source><translation>मरीज़ पंजीकरण…</translation></message>
</context>
</TS>
"""


def _lrelease() -> str | None:
    candidate = Path(sys.executable).with_name("pyside6-lrelease")
    return str(candidate) if candidate.exists() else shutil.which("pyside6-lrelease")


@pytest.mark.skipif(_lrelease() is None, reason="pyside6-lrelease is not installed")
def test_a_hindi_catalogue_translates_the_reception_screen(qtbot, qapp, app_ctx, tmp_path, monkeypatch):
    translations = tmp_path / "translations"
    translations.mkdir()
    (tmp_path / "clinicdesk_hi.ts").write_text(TS, encoding="utf-8")
    subprocess.run([_lrelease(), str(tmp_path / "clinicdesk_hi.ts"), "-qm", str(translations / "clinicdesk_hi.qm")],
                   check=True, capture_output=True)
    monkeypatch.setattr(i18n, "resources_dir", lambda: tmp_path)
    installed = i18n.install_translators(qapp, "hi")
    try:
        assert installed, "the Hindi catalogue was not loaded"
        view = PatientSearchView(app_ctx)
        qtbot.addWidget(view)
        assert view.register_button.text() == "मरीज़ पंजीकरण…"
        assert view.findChild(type(view.status), "pageTitle").text() == "मरीज़"
    finally:
        for translator in installed:
            QCoreApplication.removeTranslator(translator)
    again = PatientSearchView(app_ctx)
    qtbot.addWidget(again)
    assert again.register_button.text() == "Register patient…"


def test_english_needs_no_catalogue(qapp):
    assert i18n.install_translators(qapp, "en") == []
