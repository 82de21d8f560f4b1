"""The `clinicdesk` command line: help lists every command; migrate, backup, restore and audit verify work
with the key in the keyring and with a passphrase-protected key."""

import re
from pathlib import Path

import keyring
import pytest

from clinicdesk.cli import main
from clinicdesk.store import keys
from clinicdesk.store.database import open_database
from clinicdesk.store.migrate import head_revision
from tests.store.helpers import PASSPHRASE, NoKeyring, file_hashes, new_clinic, patient_names, register

COMMANDS = ["app", "demo", "migrate", "backup", "restore", "plan", "redact", "transcribe", "server", "sync",
            "report", "export", "audit"]


def test_help_lists_every_command(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    listed = re.findall(r"^    (\w+)\s", out, flags=re.MULTILINE)
    assert listed == COMMANDS
    assert "--data-dir" in out


def test_no_command_prints_help(capsys):
    assert main([]) == 0
    assert "migrate" in capsys.readouterr().out


def test_audit_help_lists_verify(capsys):
    with pytest.raises(SystemExit):
        main(["audit", "--help"])
    assert re.search(r"^    verify\s", capsys.readouterr().out, flags=re.MULTILINE)


@pytest.fixture(params=["keyring", "passphrase"])
def clinic(request, tmp_path, clock, monkeypatch):
    """A set-up clinic with one patient, closed, unlockable the way the parameter says."""
    if request.param == "passphrase":
        # memory_keyring (autouse) restores the previous backend afterwards.
        keyring.set_keyring(NoKeyring())
        db, ctx = new_clinic(tmp_path / "clinic", clock, passphrase=PASSPHRASE)
        monkeypatch.setenv(keys.PASSPHRASE_ENV, PASSPHRASE)
        assert db.config.key_storage == "passphrase"
    else:
        monkeypatch.delenv(keys.PASSPHRASE_ENV, raising=False)
        db, ctx = new_clinic(tmp_path / "clinic", clock)
        assert db.config.key_storage == "keyring"
    register(ctx, "Meenakshi")
    db.close()
    return db.data_dir


def _run(capsys, *argv) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _names(data_dir: Path) -> set[str]:
    db = open_database(data_dir)
    try:
        return patient_names(db)
    finally:
        db.close()


def _add_patient(data_dir: Path, name: str, clock) -> None:
    from clinicdesk.services import auth
    from clinicdesk.services.context import ServiceContext
    from tests.store.helpers import ADMIN_PASSWORD

    db = open_database(data_dir)
    try:
        ctx = ServiceContext(db, clock=clock)
        ctx.user = auth.sign_in(ctx, "admin", ADMIN_PASSWORD)
        register(ctx, name)
    finally:
        db.close()


def test_migrate_reports_the_current_revision(clinic, capsys):
    code, out, err = _run(capsys, "--data-dir", str(clinic), "migrate")
    assert (code, err) == (0, "")
    assert out.strip() == f"Database schema is at revision {head_revision()} (up to date)."


def test_data_dir_after_the_command_works_too(clinic, capsys):
    assert _run(capsys, "migrate", "--data-dir", str(clinic))[0] == 0


def test_clinicdesk_home_selects_the_data_folder(clinic, capsys, monkeypatch):
    monkeypatch.setenv("CLINICDESK_HOME", str(clinic))
    assert _run(capsys, "audit", "verify")[:2] == (0, "Audit log intact: 2 entries, hash chain verified.\n")


def test_audit_verify_reports_intact(clinic, capsys):
    code, out, _ = _run(capsys, "--data-dir", str(clinic), "audit", "verify")
    assert (code, out) == (0, "Audit log intact: 2 entries, hash chain verified.\n")


def test_backup_then_restore_round_trip(clinic, capsys, clock, tmp_path):
    target = tmp_path / "offsite" / "monday.cdbak"
    code, out, err = _run(capsys, "--data-dir", str(clinic), "backup", "--output", str(target))
    assert (code, err) == (0, "")
    assert out.startswith(f"Backup written and verified: {target} (")
    assert target.exists() and target.with_name("monday.cdbak.json").exists()

    _add_patient(clinic, "Written after the backup", clock)
    assert _names(clinic) == {"Meenakshi", "Written after the backup"}

    code, out, err = _run(capsys, "--data-dir", str(clinic), "restore", str(target), "--yes")
    assert (code, err) == (0, "")
    safety = Path(re.search(r"is kept in (\S+)\.$", out.strip()).group(1))
    assert safety.exists() and safety.name.startswith("before-restore-")
    assert _names(clinic) == {"Meenakshi"}
    assert _run(capsys, "--data-dir", str(clinic), "audit", "verify")[0] == 0


def test_backup_defaults_to_the_backups_folder(clinic, capsys):
    code, out, _ = _run(capsys, "--data-dir", str(clinic), "backup")
    assert code == 0
    written = list((clinic / "backups").glob("clinic-*.cdbak"))
    assert len(written) == 1 and str(written[0]) in out


def test_restore_without_confirmation_changes_nothing(clinic, capsys, tmp_path):
    target = tmp_path / "b.cdbak"
    assert _run(capsys, "--data-dir", str(clinic), "backup", "--output", str(target))[0] == 0
    before = file_hashes(clinic)
    code, _, err = _run(capsys, "--data-dir", str(clinic), "restore", str(target))
    assert code == 2 and "add --yes" in err
    assert file_hashes(clinic) == before


def test_restore_of_a_damaged_backup_is_refused_with_a_sentence(clinic, capsys, tmp_path):
    target = tmp_path / "b.cdbak"
    assert _run(capsys, "--data-dir", str(clinic), "backup", "--output", str(target))[0] == 0
    data = bytearray(target.read_bytes())
    data[len(data) // 2] ^= 0xFF
    target.write_bytes(bytes(data))
    before = file_hashes(clinic)
    code, out, err = _run(capsys, "--data-dir", str(clinic), "restore", str(target), "--yes")
    assert code == 2 and out == ""
    assert err.startswith("clinicdesk: b.cdbak has changed since it was written")
    assert file_hashes(clinic) == before


def test_wrong_passphrase_from_the_environment(clinic, capsys, monkeypatch):
    if (clinic / keys.WRAPPED_KEY_FILE).exists():
        monkeypatch.setenv(keys.PASSPHRASE_ENV, "this is not it at all")
        expected = "That passphrase does not unlock this clinic's database"
    else:
        keyring.get_keyring().set_password(keys.KEYRING_SERVICE, f"database-{_database_id(clinic)}",
                                           keys.new_key().raw.hex())
        expected = "This database cannot be opened with the key or passphrase given"
    before = file_hashes(clinic)
    code, out, err = _run(capsys, "--data-dir", str(clinic), "backup")
    assert (code, out) == (2, "")
    assert err.startswith(f"clinicdesk: {expected}")
    assert file_hashes(clinic) == before


def test_missing_passphrase_without_a_terminal_says_what_to_do(clinic, capsys, monkeypatch):
    monkeypatch.delenv(keys.PASSPHRASE_ENV, raising=False)
    code, _, err = _run(capsys, "--data-dir", str(clinic), "migrate")
    if (clinic / keys.WRAPPED_KEY_FILE).exists():
        assert (code, err) == (2, "clinicdesk: Enter the clinic passphrase to unlock the database.\n")
    else:
        assert code == 0  # the keyring holds the key: no passphrase is needed


def test_missing_clinic_folder_is_explained(tmp_path, capsys):
    code, _, err = _run(capsys, "--data-dir", str(tmp_path / "nowhere"), "audit", "verify")
    assert code == 2 and "No clinic database was found" in err and "Run the set-up first" in err


def _database_id(data_dir: Path) -> str:
    from clinicdesk.store.datadir import LocalConfig

    return LocalConfig.load(data_dir).database_id


def test_demo_with_a_short_passphrase_says_so_and_exits_2(tmp_path, monkeypatch, capsys):
    keyring.set_keyring(NoKeyring())  # memory_keyring (autouse) restores the previous backend afterwards
    monkeypatch.setenv(keys.PASSPHRASE_ENV, "short")
    target = tmp_path / "demo"
    code = main(["demo", "--no-launch", "--data-dir", str(target), "--patients", "5"])
    captured = capsys.readouterr()
    assert code == 2
    assert "The passphrase must be at least 8 characters long" in captured.err
    assert "Traceback" not in captured.err and "Sign in as" not in captured.out
    assert not target.exists() or not any(target.iterdir())  # nothing half-built is left behind


def test_demo_with_a_short_passphrase_is_refused_even_when_the_keyring_works(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv(keys.PASSPHRASE_ENV, "short")
    code = main(["demo", "--no-launch", "--data-dir", str(tmp_path / "demo"), "--patients", "5"])
    assert code == 2
    assert "at least 8 characters" in capsys.readouterr().err
