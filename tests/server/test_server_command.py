"""`clinicdesk server`: HTTPS only (a real certificate or an explicit, loud development one), an admin token kept
owner-readable, and a real uvicorn process that a client reaches only by trusting the HQ's certificate."""

import argparse
import os
import socket
import ssl
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from cryptography import x509

from clinicdesk.cli import main
from clinicdesk.server.tls import dev_self_signed
from clinicdesk.server_command import ADMIN_TOKEN_ENV, ServerCommandError, plan


def _args(tmp_path, **overrides):
    values = {"data_dir": str(tmp_path / "hq"), "database_url": None, "host": "127.0.0.1", "port": 8443,
              "tls_cert": None, "tls_key": None, "dev_self_signed": False}
    return argparse.Namespace(**{**values, **overrides})


def test_without_tls_the_server_refuses_to_start_and_says_how(tmp_path, capsys):
    assert main(["server", "--data-dir", str(tmp_path / "hq")]) == 2
    err = capsys.readouterr().err
    assert "only speaks HTTPS" in err and "--dev-self-signed" in err


def test_dev_and_real_certificates_cannot_be_mixed(tmp_path):
    with pytest.raises(ServerCommandError, match="not both"):
        plan(_args(tmp_path, dev_self_signed=True, tls_cert="c.pem", tls_key="k.pem"))


def test_a_missing_certificate_file_is_named(tmp_path):
    with pytest.raises(ServerCommandError, match="does not exist"):
        plan(_args(tmp_path, tls_cert=str(tmp_path / "none.pem"), tls_key=str(tmp_path / "none.key")))


def test_the_plan_uses_a_sqlite_file_and_a_private_admin_token(tmp_path, monkeypatch):
    monkeypatch.delenv(ADMIN_TOKEN_ENV, raising=False)
    first = plan(_args(tmp_path, dev_self_signed=True))
    assert first.database_url == f"sqlite:///{tmp_path / 'hq' / 'hq.sqlite3'}"
    token_file = tmp_path / "hq" / "admin-token"
    assert first.admin_token == token_file.read_text().strip() and len(first.admin_token) >= 32
    assert oct(token_file.stat().st_mode & 0o777) == "0o600"
    assert plan(_args(tmp_path, dev_self_signed=True)).admin_token == first.admin_token  # kept, not remade
    monkeypatch.setenv(ADMIN_TOKEN_ENV, "e" * 40)
    assert plan(_args(tmp_path, dev_self_signed=True)).admin_token == "e" * 40


def test_the_dev_certificate_covers_localhost_and_is_kept_private(tmp_path):
    now = datetime(2026, 11, 26, tzinfo=UTC)
    files = dev_self_signed(tmp_path, now=now)
    cert = x509.load_pem_x509_certificate(files.cert.read_bytes())
    names = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert "localhost" in names.get_values_for_type(x509.DNSName)
    assert "NOT FOR REAL USE" in cert.subject.rfc4514_string()
    assert cert.not_valid_after_utc - now == timedelta(days=30)
    assert oct(files.key.stat().st_mode & 0o777) == "0o600"
    first = files.cert.read_bytes()
    assert dev_self_signed(tmp_path, now=now + timedelta(days=1)).cert.read_bytes() == first  # still valid: kept
    assert dev_self_signed(tmp_path, now=now + timedelta(days=29, hours=12)).cert.read_bytes() != first  # renewed


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_a_real_server_answers_over_https_only_to_clients_that_trust_its_certificate(tmp_path):
    port = _free_port()
    data_dir = tmp_path / "hq"
    env = {**os.environ, ADMIN_TOKEN_ENV: "a" * 40}
    process = subprocess.Popen([sys.executable, "-m", "clinicdesk.cli", "server", "--data-dir", str(data_dir),
                                "--dev-self-signed", "--port", str(port)],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    try:
        cert = data_dir / "dev-tls" / "dev-cert.pem"
        deadline = time.monotonic() + 30
        while True:
            try:
                trust_hq_only = ssl.create_default_context(cafile=cert)
                response = httpx.get(f"https://127.0.0.1:{port}/v1/health", verify=trust_hq_only, timeout=2)
                break
            except (httpx.ConnectError, FileNotFoundError):
                assert process.poll() is None and time.monotonic() < deadline, process.stderr.read().decode()
                time.sleep(0.2)
        assert response.json() == {"status": "ok"}
        with pytest.raises(httpx.ConnectError):  # the public web's CAs do not vouch for it
            httpx.get(f"https://127.0.0.1:{port}/v1/health", timeout=2)
        with pytest.raises(httpx.RemoteProtocolError):  # no plain HTTP fallback
            httpx.get(f"http://127.0.0.1:{port}/v1/health", timeout=2)
    finally:
        process.terminate()
        _, err = process.communicate(timeout=10)
    assert "DEVELOPMENT TLS" in err.decode()
