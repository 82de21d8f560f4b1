"""An httpx client for one HQ: its own CA only, bearer credential, timeouts, retries with back-off; no payload logs."""

import logging
import ssl
import time
from collections.abc import Callable
from urllib.parse import urlsplit

import httpx

from clinicdesk.sync.errors import EpochChangedError, SyncError

EPOCH_HEADER = "X-ClinicDesk-Epoch"
DEFAULT_TIMEOUT_SECONDS = 30.0
DEFAULT_ATTEMPTS = 4
DEFAULT_BACKOFF_SECONDS = 0.5
_LOOPBACK_HOSTS = {"localhost", "127.0.0.1", "::1"}

log = logging.getLogger(__name__)


def _verify(base_url: str, ca_file: str | None) -> ssl.SSLContext | bool:
    """Trust the HQ's own CA and nothing else; plain HTTP only to this machine (tests, a local demo)."""
    parts = urlsplit(base_url)
    if parts.scheme == "https":
        if not ca_file:
            raise SyncError("No HQ certificate authority is configured for this device; enrol again with --ca.",
                            code="no_ca")
        try:
            return ssl.create_default_context(cafile=ca_file)  # a fresh context: the system's CAs are not loaded
        except (OSError, ssl.SSLError) as error:
            raise SyncError(f"The HQ certificate authority file {ca_file} could not be read "
                            f"({error.__class__.__name__}).", code="no_ca") from None
    if parts.scheme == "http" and parts.hostname in _LOOPBACK_HOSTS:
        return False
    raise SyncError("The HQ address must start with https:// (plain http is allowed only to this machine).",
                    code="bad_url")


class HqTransport:
    """Requests to one HQ. Connection failures and timeouts are retried with doubling pauses; every sync request
    is safe to repeat (HQ remembers operation ids, and a pull only reads)."""

    def __init__(self, base_url: str, credential: str | None, *, ca_file: str | None = None,
                 timeout_seconds: float = DEFAULT_TIMEOUT_SECONDS, attempts: int = DEFAULT_ATTEMPTS,
                 backoff_seconds: float = DEFAULT_BACKOFF_SECONDS, sleep: Callable[[float], None] = time.sleep,
                 transport: httpx.BaseTransport | None = None):
        self._base_url = base_url.rstrip("/")
        self._attempts = max(1, attempts)
        self._backoff_seconds = backoff_seconds
        self._sleep = sleep
        headers = {"Authorization": f"Bearer {credential}"} if credential else {}
        self._client = httpx.Client(base_url=self._base_url, headers=headers, verify=_verify(base_url, ca_file),
                                    timeout=timeout_seconds, transport=transport, follow_redirects=False)

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> "HqTransport":
        return self

    def __exit__(self, *_exc) -> None:
        self.close()

    def request(self, method: str, path: str, *, json: dict | None = None, params: dict | None = None,
                epoch: str | None = None, content: bytes | None = None) -> httpx.Response:
        """The 2xx answer; an HQ refusal or an unreachable HQ raises SyncError (EpochChangedError for a reset).
        `content` sends raw bytes (a blob chunk) instead of JSON."""
        headers = {EPOCH_HEADER: epoch} if epoch else {}
        if content is not None:
            headers["Content-Type"] = "application/octet-stream"
        for attempt in range(1, self._attempts + 1):
            started = time.perf_counter()
            try:
                response = self._client.request(method, path, json=json, params=params, headers=headers,
                                                content=content)
            except httpx.TransportError as error:
                if _is_certificate_refusal(error):  # retrying cannot help, and the sentence must say why
                    raise SyncError(f"The server at {self._base_url} did not present a certificate from the HQ "
                                    "certificate authority this device trusts; check the address, or enrol again "
                                    "with the right --ca file.", code="untrusted_certificate") from None
                log.warning("HQ %s %s failed (attempt %d of %d): %s", method, path, attempt, self._attempts,
                            error.__class__.__name__)
                if attempt == self._attempts:
                    raise SyncError(f"HQ at {self._base_url} could not be reached ({error.__class__.__name__}) "
                                    f"after {self._attempts} attempts; nothing is lost, sync again later.",
                                    code="unreachable") from None
                self._sleep(self._backoff_seconds * 2 ** (attempt - 1))
                continue
            log.info("HQ %s %s -> %d in %.0f ms", method, path, response.status_code,
                     (time.perf_counter() - started) * 1000)
            if response.is_success:
                return response
            raise _refusal(response)
        raise AssertionError("unreachable")  # the loop returns or raises


def _is_certificate_refusal(error: BaseException) -> bool:
    seen: BaseException | None = error
    while seen is not None:
        if isinstance(seen, ssl.SSLCertVerificationError):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def _refusal(response: httpx.Response) -> SyncError:
    """HQ's own `{error, reason}` sentence (it never echoes input), else the status alone."""
    try:
        body = response.json()
        code, reason = str(body.get("error", "")), str(body.get("reason", ""))
    except (ValueError, AttributeError):
        code, reason = "", ""
    if response.status_code == 409 and code == "epoch_changed":
        return EpochChangedError(reason or "HQ was reset or restored; run a full resync.", code=code)
    return SyncError(f"HQ refused the request ({response.status_code}{', ' + code if code else ''})"
                     f"{': ' + reason if reason else '.'}", code=code or f"http_{response.status_code}")
