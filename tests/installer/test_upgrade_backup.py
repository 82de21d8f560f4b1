"""A newer ClinicDesk opening an older clinic database writes a verified backup first, then migrates it."""

import pytest
from alembic import command
from alembic.script import ScriptDirectory

from clinicdesk.store.backup import manifest_path_for, verify_backup
from clinicdesk.store.database import create_database, open_database
from clinicdesk.store.datadir import BACKUP_DIR
from clinicdesk.store.engine import make_engine
from clinicdesk.store.errors import BackupError
from clinicdesk.store.migrate import PRE_UPGRADE_PREFIX, alembic_config, current_revision, head_revision


def _previous_revision() -> str:
    return ScriptDirectory.from_config(alembic_config()).get_revision(head_revision()).down_revision


def _older_clinic(data_dir):
    """A clinic database left at the revision before head, as an older ClinicDesk would have left it."""
    db = create_database(data_dir, passphrase=None)
    cfg = alembic_config()
    with db.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "-1")
    assert current_revision(db.engine) == _previous_revision()
    db.close()
    return db


def _pre_upgrade_backups(data_dir):
    return sorted((data_dir / BACKUP_DIR).glob(f"{PRE_UPGRADE_PREFIX}-*.cdbak"))


def test_opening_an_older_database_backs_it_up_then_migrates_to_head(tmp_path):
    data_dir = tmp_path / "clinic"
    older = _older_clinic(data_dir)

    db = open_database(data_dir)
    try:
        assert current_revision(db.engine) == head_revision()
    finally:
        db.close()
    [backup] = _pre_upgrade_backups(data_dir)
    assert _previous_revision() in backup.name
    manifest = verify_backup(backup, older.key)  # encrypted with the clinic's key, checksum and integrity good
    assert manifest.schema_revision == _previous_revision()
    assert manifest.database_id == older.config.database_id  # so `clinicdesk restore` accepts it
    assert manifest_path_for(backup).is_file()


def test_a_database_already_at_head_is_opened_without_a_backup(tmp_path):
    data_dir = tmp_path / "clinic"
    create_database(data_dir, passphrase=None).close()
    open_database(data_dir).close()
    assert _pre_upgrade_backups(data_dir) == []


def test_when_the_backup_cannot_be_written_the_schema_is_left_as_it_was(tmp_path):
    data_dir = tmp_path / "clinic"
    older = _older_clinic(data_dir)
    (data_dir / BACKUP_DIR).write_text("a file where the backups folder should be")

    with pytest.raises(BackupError, match="backup folder"):
        open_database(data_dir)
    engine = make_engine(data_dir / "clinic.db", older.key)
    try:
        assert current_revision(engine) == _previous_revision()
    finally:
        engine.dispose()
