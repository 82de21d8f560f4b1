"""The Linux bundle, built once per session, runs offline on a fresh data folder: demo clinic, app, transcription.

Selected with `-m bundle` (see conftest.py). Prints build time, bundle size, start time to the sign-in window and
transcription time; the timing targets live in tests/bench/bench_bundle.py, never in asserts here.
"""

import json
import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest
from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory

from clinicdesk.store.database import open_database
from clinicdesk.store.migrate import PRE_UPGRADE_PREFIX, alembic_config, current_revision
from tests.installer.conftest import EXISTING_BUNDLE_ENV

pytestmark = pytest.mark.bundle

ROOT = Path(__file__).resolve().parents[2]
PASSPHRASE = "bundle smoke passphrase"  # no keyring in the test environment: the key is passphrase-wrapped
SPOKEN = "Good morning. The patient has pain in the lower back. Take warm water twice a day and rest for a week."
# Where a program that ignores the network namespace would still be sent: a closed port on loopback.
DEAD_PROXY = "http://127.0.0.1:9"


def _network_blocker() -> list[str]:
    """`unshare -n` (a namespace with no network at all) where the kernel allows it; else nothing (proxies only)."""
    for prefix in (["unshare", "-n"], ["unshare", "-rn"]):
        if shutil.which(prefix[0]) and subprocess.run([*prefix, "true"], capture_output=True).returncode == 0:
            return prefix
    return []


def _report(capsys, text: str) -> None:
    with capsys.disabled():
        print(f"\n[bundle] {text}")


def _tree_state(folder: Path) -> dict[str, tuple[int, int]]:
    return {str(p.relative_to(folder)): (p.lstat().st_size, p.lstat().st_mtime_ns) for p in folder.rglob("*")}


def _size_mb(folder: Path) -> float:
    # Symlinks (PyInstaller links shared libraries into _internal/) are counted once, as their targets.
    return sum(p.lstat().st_size for p in folder.rglob("*") if not p.is_symlink() and p.is_file()) / 1e6


@pytest.fixture(scope="session")
def bundle(tmp_path_factory) -> dict:
    """The bundle folder (built into a temp dir unless CLINICDESK_BUNDLE names one) and its build time."""
    existing = os.environ.get(EXISTING_BUNDLE_ENV)
    if existing:
        return {"dir": Path(existing), "build_seconds": None}
    out = tmp_path_factory.mktemp("bundle-build")
    env = {**os.environ, "CLINICDESK_DIST": str(out / "dist"), "CLINICDESK_WORK": str(out / "work"),
           "CLINICDESK_NO_ARCHIVE": "1"}
    started = time.monotonic()
    result = subprocess.run(["bash", str(ROOT / "installer" / "build-linux.sh")], env=env, cwd=ROOT,
                            capture_output=True, text=True, timeout=3600)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return {"dir": out / "dist" / "ClinicDesk", "build_seconds": time.monotonic() - started}


@pytest.fixture(scope="session")
def sandbox(tmp_path_factory) -> dict:
    """A fresh user: empty HOME, data and cache folders, no display, no keyring, no network."""
    home = tmp_path_factory.mktemp("bundle-user")
    env = {"PATH": "/usr/bin:/bin", "HOME": str(home), "XDG_DATA_HOME": str(home / "data"),
           "XDG_CACHE_HOME": str(home / "cache"), "XDG_CONFIG_HOME": str(home / "config"),
           "QT_QPA_PLATFORM": "offscreen", "CLINICDESK_PASSPHRASE": PASSPHRASE, "LANG": "C.UTF-8",
           "HTTP_PROXY": DEAD_PROXY, "HTTPS_PROXY": DEAD_PROXY, "http_proxy": DEAD_PROXY, "https_proxy": DEAD_PROXY,
           "ALL_PROXY": DEAD_PROXY, "NO_PROXY": ""}
    return {"home": home, "env": env, "prefix": _network_blocker()}


def _run(bundle: dict, sandbox: dict, *args: str, timeout: int = 600) -> subprocess.CompletedProcess:
    executable = bundle["dir"] / "clinicdesk"
    return subprocess.run([*sandbox["prefix"], str(executable), *args], env=sandbox["env"], cwd=sandbox["home"],
                          capture_output=True, text=True, timeout=timeout)


def _speech_wav(folder: Path) -> Path:
    raw, wav = folder / "raw.wav", folder / "speech.wav"
    subprocess.run(["espeak-ng", "-v", "en-us", "-s", "150", "-w", str(raw), SPOKEN], check=True)
    subprocess.run(["sox", str(raw), "-r", "16000", "-c", "1", "-b", "16", str(wav)], check=True)
    return wav


@pytest.mark.skipif(not (shutil.which("espeak-ng") and shutil.which("sox")), reason="needs espeak-ng and sox")
def test_bundle_runs_offline_demo_app_and_transcription_without_writing_into_itself(bundle, sandbox, capsys):
    folder: Path = bundle["dir"]
    size_mb = _size_mb(folder)
    dangling = [str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_symlink() and not p.exists()]
    assert dangling == []
    build = f"{bundle['build_seconds']:.0f} s" if bundle["build_seconds"] is not None else "(prebuilt)"
    _report(capsys, f"build time {build}, bundle size {size_mb:.0f} MB, network blocked by "
                    f"{' '.join(sandbox['prefix']) or 'dead proxies only'}")
    before = _tree_state(folder)
    data_dir = sandbox["home"] / "clinic"

    started = time.monotonic()
    demo = _run(bundle, sandbox, "demo", "--data-dir", str(data_dir), "--no-launch", "--patients", "40")
    assert demo.returncode == 0, demo.stdout[-2000:] + demo.stderr[-2000:]
    assert (data_dir / "clinic.db").is_file() and "Sign in as" in demo.stdout
    _report(capsys, f"demo clinic created in {time.monotonic() - started:.1f} s")

    # Screenshot mode opens the sign-in window (01_sign_in.png), signs in, visits each view and exits.
    shots = sandbox["home"] / "shots"
    launched = time.time()
    app = _run(bundle, sandbox, "app", "--data-dir", str(data_dir), "--screenshot", str(shots))
    assert app.returncode == 0, app.stdout[-2000:] + app.stderr[-2000:]
    sign_in = shots / "01_sign_in.png"
    assert sign_in.is_file() and sign_in.stat().st_size > 1000
    _report(capsys, f"start to sign-in window {sign_in.stat().st_mtime - launched:.1f} s; whole screenshot tour "
                    f"{time.time() - launched:.1f} s, {len(list(shots.glob('*.png')))} views")

    wav = _speech_wav(sandbox["home"])
    for model in ("tiny.en", "base"):
        started = time.monotonic()
        spoken = _run(bundle, sandbox, "transcribe", str(wav), "--model", model, "--language", "en", "--json")
        wall = time.monotonic() - started
        assert spoken.returncode == 0, spoken.stderr[-2000:]
        transcript = json.loads(spoken.stdout)
        words = transcript["text"].lower()
        assert "morning" in words and "back" in words, words
        _report(capsys, f"transcribe {model}: {transcript['audio_seconds']:.1f} s of speech in "
                        f"{transcript['wall_seconds']:.1f} s (process start to exit {wall:.1f} s)")
    # Whisper base is joined from its two packages into the per-user cache, not next to the bundled packages.
    assert (sandbox["home"] / "cache" / "ClinicDesk" / "whisper-base" / "model.bin").is_file()

    assert _tree_state(folder) == before, "the bundle wrote into its own folder"


def test_bundle_redacts_with_its_own_spacy_model(bundle, sandbox):
    executable = bundle["dir"] / "clinicdesk"
    result = subprocess.run([*sandbox["prefix"], str(executable), "redact", "--known-name", "Ramesh Kumar"],
                            input="Ramesh Kumar can be reached on 98765 43210 about his knee pain.",
                            env=sandbox["env"], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "Ramesh" not in result.stdout and "98765" not in result.stdout
    assert "knee pain" in result.stdout


def _bundled_head_and_previous(bundle: dict) -> tuple[str, str]:
    """The bundle's own newest revision (the checkout may have gained revisions since it was built) and the one
    before it."""
    config = Config()
    config.set_main_option("script_location", str(bundle["dir"] / "_internal" / "migrations"))
    script = ScriptDirectory.from_config(config)
    head = script.get_current_head()
    return head, script.get_revision(head).down_revision


def test_bundle_backs_up_an_older_database_before_migrating_it(bundle, sandbox, tmp_path):
    data_dir = tmp_path / "older-clinic"
    built = _run(bundle, sandbox, "demo", "--data-dir", str(data_dir), "--no-launch", "--patients", "5")
    assert built.returncode == 0, built.stderr[-2000:]
    bundled_head, older = _bundled_head_and_previous(bundle)
    # Leave the database one revision behind, as the previous ClinicDesk release would have.
    db = open_database(data_dir, passphrase=PASSPHRASE)
    cfg = alembic_config()
    with db.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, older)
    assert current_revision(db.engine) == older
    db.close()

    migrated = _run(bundle, sandbox, "migrate", "--data-dir", str(data_dir))
    assert migrated.returncode == 0, migrated.stderr[-2000:]
    assert f"revision {bundled_head} " in migrated.stdout
    [backup] = (data_dir / "backups").glob(f"{PRE_UPGRADE_PREFIX}-{older}-*.cdbak")
    assert backup.with_name(backup.name + ".json").is_file()


@pytest.mark.skipif(not shutil.which("ldd"), reason="needs ldd")
def test_every_bundled_qt_plugin_finds_its_qt_libraries(bundle):
    # Leaving Qt modules out of the bundle must not leave a plugin (xcb, wayland, image formats) that cannot load.
    plugins = sorted((bundle["dir"] / "_internal" / "PySide6" / "Qt" / "plugins").rglob("*.so"))
    assert any(p.parent.name == "platforms" for p in plugins)
    # Native pieces that no import statement names: PortAudio for the microphone (Linux wheels lack it).
    assert list((bundle["dir"] / "_internal").rglob("libportaudio.so*")), "PortAudio is missing from the bundle"
    broken = {}
    for plugin in plugins:
        listing = subprocess.run(["ldd", str(plugin)], capture_output=True, text=True).stdout
        missing = [line.split()[0] for line in listing.splitlines() if "libQt6" in line and "not found" in line]
        if missing:
            broken[plugin.name] = missing
    assert broken == {}
