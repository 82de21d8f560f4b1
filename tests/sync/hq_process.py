"""Real processes for sync tests: `clinicdesk server` as a killable subprocess, and `clinicdesk sync` run as one."""

import json
import os
import signal
import socket
import ssl
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import keyring.backend
from keyring.compat import properties

REPO_ROOT = Path(__file__).resolve().parents[2]
ADMIN_TOKEN = "hq-admin-token-for-sync-process-tests-0123456789"
START_SECONDS = 30.0
KEYRING_FILE_ENV = "CLINICDESK_TEST_KEYRING_FILE"
KEYRING_BACKEND = "tests.sync.hq_process.FileKeyring"


def free_port() -> int:
    """A loopback port nobody listens on right now (the subprocess binds it a moment later)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _environment(extra: dict[str, str] | None = None) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("CLINICDESK_", "PYTHON_KEYRING"))}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_ROOT), env.get("PYTHONPATH")]))
    return env | (extra or {})


class HqProcess:
    """`python -m clinicdesk server --dev-self-signed` on a fixed loopback port with its data in `data_dir`.

    `start()` waits until /v1/health answers over HTTPS (trusting only the HQ's own development certificate);
    `kill()` is SIGKILL (no shutdown handler runs); `start()` again reopens the same database file on the same port.
    """

    def __init__(self, data_dir: Path, *, port: int | None = None):
        self.data_dir = Path(data_dir)
        self.port = port or free_port()
        self.process: subprocess.Popen | None = None
        self._log = self.data_dir / "server.log"

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self.port}"

    @property
    def ca_file(self) -> Path:
        return self.data_dir / "dev-tls" / "dev-cert.pem"

    @property
    def database_file(self) -> Path:
        return self.data_dir / "hq.sqlite3"

    def trust(self) -> ssl.SSLContext:
        """Only this HQ's development certificate, as an enrolled device trusts only its HQ's CA."""
        return ssl.create_default_context(cafile=self.ca_file)

    def start(self) -> "HqProcess":
        self.data_dir.mkdir(parents=True, exist_ok=True)
        command = [sys.executable, "-m", "clinicdesk.cli", "server", "--data-dir", str(self.data_dir),
                   "--host", "127.0.0.1", "--port", str(self.port), "--dev-self-signed"]
        with open(self._log, "ab") as log:
            self.process = subprocess.Popen(command, cwd=REPO_ROOT, stdout=log, stderr=subprocess.STDOUT,
                                            env=_environment({"CLINICDESK_HQ_ADMIN_TOKEN": ADMIN_TOKEN}))
        deadline = time.monotonic() + START_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"HQ exited with {self.process.returncode}: {self._log.read_text()[-2000:]}")
            if self.ca_file.exists() and self._healthy():
                return self
            time.sleep(0.05)
        self.kill()
        raise RuntimeError(f"HQ did not answer within {START_SECONDS:.0f} s: {self._log.read_text()[-2000:]}")

    def _healthy(self) -> bool:
        try:
            return httpx.get(self.url + "/v1/health", verify=self.trust(), timeout=1.0).status_code == 200
        except httpx.HTTPError:
            return False

    def kill(self) -> None:
        """SIGKILL: the server gets no chance to finish, roll back or close anything."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=10)
        self.process = None

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()
        self.process = None

    def admin(self, method: str, path: str, body: dict) -> dict:
        response = httpx.request(method, self.url + path, json=body, verify=self.trust(), timeout=30,
                                 headers={"Authorization": f"Bearer {ADMIN_TOKEN}"})
        response.raise_for_status()
        return response.json()

    def new_centre(self, name: str) -> str:
        return self.admin("POST", "/v1/admin/centres", {"name": name})["id"]

    def enrolment_code(self, centre_id: str) -> str:
        return self.admin("POST", "/v1/admin/enrolment-codes", {"centre_id": centre_id, "valid_hours": 1})["code"]


@contextmanager
def running_hq(data_dir: Path) -> Iterator[HqProcess]:
    hq = HqProcess(data_dir).start()
    try:
        yield hq
    finally:
        hq.stop()


class FileKeyring(keyring.backend.KeyringBackend):
    """A keyring kept in a JSON file named by $CLINICDESK_TEST_KEYRING_FILE, for a `clinicdesk` subprocess of a
    test (selected with PYTHON_KEYRING_BACKEND). The product code is unchanged: it asks the keyring as always."""

    @properties.classproperty
    def priority(cls) -> float:
        """Viable only where a test set $CLINICDESK_TEST_KEYRING_FILE; never chosen by keyring on its own."""
        if KEYRING_FILE_ENV not in os.environ:
            raise RuntimeError("only for a clinicdesk subprocess started by a test")
        return 1

    def __init__(self, path: Path | None = None):
        super().__init__()
        self._path = path

    @property
    def path(self) -> Path:
        return Path(self._path or os.environ[KEYRING_FILE_ENV])

    def _load(self) -> dict:
        return json.loads(self.path.read_text()) if self.path.exists() else {}

    def get_password(self, service, username):
        return self._load().get(f"{service}/{username}")

    def set_password(self, service, username, password):
        self.path.write_text(json.dumps(self._load() | {f"{service}/{username}": password}))

    def delete_password(self, service, username):
        secrets = self._load()
        secrets.pop(f"{service}/{username}", None)
        self.path.write_text(json.dumps(secrets))


def desk_sync_command(data_dir: Path, *, keyring_file: Path, passphrase: str) -> tuple[list[str], dict[str, str]]:
    """The command and environment of `python -m clinicdesk sync --data-dir DATA_DIR` in a subprocess: the database
    key from the passphrase (CLINICDESK_PASSPHRASE) and the device credential from a file keyring."""
    env = _environment({"CLINICDESK_PASSPHRASE": passphrase, "PYTHON_KEYRING_BACKEND": KEYRING_BACKEND,
                        KEYRING_FILE_ENV: str(keyring_file)})
    return [sys.executable, "-m", "clinicdesk.cli", "sync", "--data-dir", str(data_dir)], env
