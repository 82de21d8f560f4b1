"""A self-signed TLS certificate for development only; real HQs use a certificate from their own CA."""

import ipaddress
import os
import socket
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

DEV_TLS_DIR = "dev-tls"
DEV_VALID_DAYS = 30


@dataclass(frozen=True)
class TlsFiles:
    cert: Path
    key: Path


def dev_self_signed(data_dir: Path, *, now: datetime | None = None, hostnames: tuple[str, ...] = ()) -> TlsFiles:
    """Write (or reuse while still valid) a self-signed certificate for localhost and this machine's name into
    DATA_DIR/dev-tls/. The private key file is readable by its owner only."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    now = now or datetime.now(UTC)
    folder = Path(data_dir) / DEV_TLS_DIR
    files = TlsFiles(folder / "dev-cert.pem", folder / "dev-key.pem")
    if files.cert.exists() and files.key.exists():
        existing = x509.load_pem_x509_certificate(files.cert.read_bytes())
        if existing.not_valid_after_utc > now + timedelta(days=1):
            return files
    folder.mkdir(parents=True, exist_ok=True)
    names = ["localhost", socket.gethostname(), *hostnames]
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "ClinicDesk HQ development (NOT FOR REAL USE)")])
    alt_names = [x509.DNSName(n) for n in dict.fromkeys(names) if n]
    alt_names += [x509.IPAddress(ipaddress.ip_address("127.0.0.1")), x509.IPAddress(ipaddress.ip_address("::1"))]
    cert = (x509.CertificateBuilder()
            .subject_name(subject).issuer_name(subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(minutes=5))
            .not_valid_after(now + timedelta(days=DEV_VALID_DAYS))
            .add_extension(x509.SubjectAlternativeName(alt_names), critical=False)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    key_bytes = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                  serialization.NoEncryption())
    descriptor = os.open(files.key, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as out:
        out.write(key_bytes)
    files.cert.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return files


DEV_WARNING = """\
**********************************************************************************************
*  DEVELOPMENT TLS: a self-signed certificate made on this machine ({cert}).
*  No clinic device should trust it. For real use pass --tls-cert and --tls-key with a
*  certificate issued by your HQ's own certificate authority (see docs/hq-server.md).
**********************************************************************************************"""
