"""Inside a PyInstaller bundle the code finds migrations and resources in sys._MEIPASS; a bare start opens the app."""

import sys
from pathlib import Path

import pytest

from clinicdesk import paths_frozen
from clinicdesk.resources import resources_dir
from clinicdesk.store.migrate import migrations_dir

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "installer"))
from clinicdesk_entry import bundle_argv  # noqa: E402

COMMANDS = {"app", "demo", "transcribe", "migrate"}


@pytest.fixture
def fake_bundle(tmp_path, monkeypatch):
    """A bundle folder holding its own copies of migrations/env.py and resources/, as PyInstaller lays them out."""
    (tmp_path / "migrations").mkdir()
    (tmp_path / "migrations" / "env.py").write_text("# bundled\n")
    (tmp_path / "resources" / "fonts").mkdir(parents=True)
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path), raising=False)
    return tmp_path


def test_from_source_nothing_is_frozen_and_the_checkout_folders_are_used():
    assert not paths_frozen.is_frozen() and paths_frozen.bundle_dir() is None
    assert paths_frozen.bundled_path("resources") is None
    assert migrations_dir() == ROOT / "migrations" and resources_dir() == ROOT / "resources"


def test_frozen_the_bundle_folders_come_first(fake_bundle):
    assert paths_frozen.is_frozen() and paths_frozen.bundle_dir() == fake_bundle
    assert migrations_dir() == fake_bundle / "migrations"
    assert resources_dir() == fake_bundle / "resources"
    assert paths_frozen.bundled_path("no-such-folder") is None


def test_frozen_without_bundled_migrations_falls_back_to_the_package_layout(fake_bundle):
    (fake_bundle / "migrations" / "env.py").unlink()
    assert migrations_dir() == ROOT / "migrations"


@pytest.mark.parametrize(("argv", "expected"), [
    ([], ["app"]),  # a double-click: the desktop app
    (["--data-dir", "/c"], ["app", "--data-dir", "/c"]),
    (["--screenshot", "out"], ["app", "--screenshot", "out"]),
    (["demo", "--no-launch"], ["demo", "--no-launch"]),
    (["--data-dir", "/c", "transcribe", "a.wav"], ["--data-dir", "/c", "transcribe", "a.wav"]),
    (["--help"], ["--help"]),
])
def test_a_start_without_a_sub_command_opens_the_app(argv, expected):
    assert bundle_argv(argv, COMMANDS) == expected
