"""Crash reports and logs keep where a failure happened but never the patient values it was handling."""

import logging
from datetime import date

import pytest
from sqlalchemy.exc import IntegrityError

from clinicdesk.diagnostics import configure_logging, log_failure, scrubbed_traceback
from clinicdesk.store.models import PatientRow

SECRET_NAME = "Lakshmikutty"


def _duplicate_uhid_error(db, centre_id) -> IntegrityError:
    def row(pid):
        return PatientRow(id=pid, centre_id=centre_id, uhid="KOC-A-999999", given_name=SECRET_NAME,
                          date_of_birth=date(1970, 1, 1), sex="female", phone="+919812345678",
                          created_at=db_now, updated_at=db_now)

    from datetime import UTC, datetime

    db_now = datetime(2026, 1, 1, tzinfo=UTC)
    with pytest.raises(IntegrityError) as info, db.session() as session, session.begin():
        session.add_all([row("p1"), row("p2")])
    return info.value


def test_database_errors_do_not_quote_values(admin_ctx):
    error = _duplicate_uhid_error(admin_ctx.db, admin_ctx.user.centre_id)
    assert SECRET_NAME not in str(error)
    assert "+919812345678" not in str(error)


def test_scrubbed_traceback_keeps_places_not_messages():
    try:
        raise ValueError(f"could not save {SECRET_NAME}")
    except ValueError as exc:
        text = scrubbed_traceback(exc)
    assert SECRET_NAME not in text
    assert "test_scrubbed_traceback_keeps_places_not_messages" in text and "ValueError" in text


def test_log_file_gets_the_failure_without_patient_data(tmp_path):
    path = configure_logging(tmp_path)
    try:
        try:
            raise RuntimeError(f"patient {SECRET_NAME} phone 9812345678")
        except RuntimeError as exc:
            log_failure("Saving failed", exc)
        for handler in logging.getLogger().handlers:
            handler.flush()
        content = path.read_text()
    finally:
        for handler in list(logging.getLogger().handlers):
            if getattr(handler, "baseFilename", None) == str(path):
                logging.getLogger().removeHandler(handler)
                handler.close()
    assert "Saving failed" in content and "RuntimeError" in content
    assert SECRET_NAME not in content and "9812345678" not in content
