"""`clinicdesk server`: run the HQ sync server under uvicorn over HTTPS (SQLite file by default)."""

import os
import secrets
import sys
from dataclasses import dataclass
from pathlib import Path

HOME_ENV = "CLINICDESK_HQ_HOME"
ADMIN_TOKEN_ENV = "CLINICDESK_HQ_ADMIN_TOKEN"
ADMIN_TOKEN_FILE = "admin-token"
DATABASE_FILE = "hq.sqlite3"
MASTER_KEY_ENV = "CLINICDESK_HQ_MASTER_KEY_FILE"
MASTER_KEY_FILE = "centre-master-key"  # wraps every centre key; outside the database, so a dump alone reveals none
PORTAL_SMS_KEY_ENV = "CLINICDESK_PORTAL_SMS_KEY"
PORTAL_HASH_KEY_FILE = "portal-hash-key"  # keys the portal's phone/address hashes; outside the database too


class ServerCommandError(Exception):
    """A start-up problem the operator can fix; the message says how."""


@dataclass(frozen=True)
class ServerPlan:
    data_dir: Path
    database_url: str
    host: str
    port: int
    cert: Path
    key: Path
    admin_token: str
    admin_token_source: str
    development_tls: bool
    master_key_file: Path | None = None  # made on first start when it does not exist


def server_data_dir(explicit: str | None) -> Path:
    if explicit:
        return Path(explicit).expanduser().resolve()
    if os.environ.get(HOME_ENV):
        return Path(os.environ[HOME_ENV]).expanduser().resolve()
    import platformdirs

    return Path(platformdirs.user_data_dir("ClinicDesk HQ", "ClinicDesk"))


def admin_token(data_dir: Path) -> tuple[str, str]:
    """The token from the environment, else DATA_DIR/admin-token (created once, owner-readable only)."""
    if os.environ.get(ADMIN_TOKEN_ENV):
        return os.environ[ADMIN_TOKEN_ENV], f"${ADMIN_TOKEN_ENV}"
    path = data_dir / ADMIN_TOKEN_FILE
    if not path.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as out:
            out.write(secrets.token_urlsafe(32) + "\n")
    return path.read_text().strip(), str(path)


def plan(args) -> ServerPlan:
    """Check the options and prepare the data folder, certificate and admin token; starts nothing."""
    data_dir = server_data_dir(getattr(args, "data_dir", None))
    if args.dev_self_signed and (args.tls_cert or args.tls_key):
        raise ServerCommandError("Choose either --dev-self-signed or --tls-cert/--tls-key, not both.")
    if not args.dev_self_signed and not (args.tls_cert and args.tls_key):
        raise ServerCommandError("The HQ server only speaks HTTPS: pass --tls-cert and --tls-key (a certificate from "
                                 "your HQ's own CA), or --dev-self-signed for development.")
    if args.dev_self_signed:
        from clinicdesk.server.tls import dev_self_signed

        files = dev_self_signed(data_dir)
        cert, key = files.cert, files.key
    else:
        cert, key = Path(args.tls_cert), Path(args.tls_key)
        for label, path in (("certificate", cert), ("key", key)):
            if not path.is_file():
                raise ServerCommandError(f"The TLS {label} file {path} does not exist.")
    token, source = admin_token(data_dir)
    database_url = args.database_url or f"sqlite:///{data_dir / DATABASE_FILE}"
    return ServerPlan(data_dir, database_url, args.host, args.port, cert, key, token, source, args.dev_self_signed,
                      master_key_file(data_dir, getattr(args, "master_key_file", None)))


def master_key_file(data_dir: Path, explicit: str | None) -> Path:
    """--master-key-file, else $CLINICDESK_HQ_MASTER_KEY_FILE, else DATA_DIR/centre-master-key."""
    chosen = explicit or os.environ.get(MASTER_KEY_ENV)
    return Path(chosen).expanduser().resolve() if chosen else data_dir / MASTER_KEY_FILE


def portal_config(args, data_dir: Path):
    """The patient portal's settings from --portal-* options and $CLINICDESK_PORTAL_SMS_KEY (docs/portal.md)."""
    from clinicdesk.notify.http_gateway import GatewaySettings
    from clinicdesk.server.portal.config import PortalConfig, load_or_create_hash_key

    key_file = getattr(args, "portal_hash_key_file", None)
    hash_key = load_or_create_hash_key(Path(key_file).expanduser() if key_file else data_dir / PORTAL_HASH_KEY_FILE)
    sms_url = getattr(args, "portal_sms_url", None)
    if sms_url and not sms_url.startswith(("https://", "http://127.0.0.1", "http://localhost")):
        raise ValueError("--portal-sms-url must be an https:// address (the API key travels with every code).")
    gateway = GatewaySettings(sms_url, api_key=os.environ.get(PORTAL_SMS_KEY_ENV, ""),
                              sender_id=getattr(args, "portal_sms_sender", "") or "") if sms_url else None
    return PortalConfig(hash_key=hash_key, sms_gateway=gateway)


def run(args) -> int:
    try:
        import uvicorn

        from clinicdesk.server.app import create_app
    except ImportError:
        print("clinicdesk: the HQ server needs its extra packages: pip install 'clinicdesk[server]'", file=sys.stderr)
        return 2
    try:
        server = plan(args)
    except ServerCommandError as exc:
        print(f"clinicdesk: {exc}", file=sys.stderr)
        return 2
    if server.development_tls:
        from clinicdesk.server.tls import DEV_WARNING

        print(DEV_WARNING.format(cert=server.cert), file=sys.stderr)
    from clinicdesk.server.centre_keys import MasterKeyProblem, load_or_create_master_key

    try:
        master = load_or_create_master_key(server.master_key_file)
    except MasterKeyProblem as exc:
        print(f"clinicdesk: {exc}", file=sys.stderr)
        return 2
    try:
        portal = portal_config(args, server.data_dir)
    except ValueError as exc:
        print(f"clinicdesk: {exc}", file=sys.stderr)
        return 2
    app = create_app(server.database_url, admin_token=server.admin_token, centre_master_key=master, portal=portal,
                     portal_database_url=getattr(args, "portal_database_url", None))
    print(f"ClinicDesk HQ on https://{server.host}:{server.port} (data in {server.data_dir}; "
          f"admin token from {server.admin_token_source})", file=sys.stderr, flush=True)
    uvicorn.run(app, host=server.host, port=server.port, ssl_certfile=str(server.cert), ssl_keyfile=str(server.key),
                server_header=False, timeout_keep_alive=15, log_level="info")
    return 0
