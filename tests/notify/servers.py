"""Stand-ins for the outside world: a real local SMTP server (aiosmtpd) and an SMS gateway (http.server)."""

import json
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class MailBox:
    messages: list[EmailMessage] = field(default_factory=list)

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's hook name)
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 Message accepted for delivery"


@contextmanager
def smtp_server(port: int | None = None) -> Iterator[tuple[int, MailBox]]:
    from aiosmtpd.controller import Controller

    box = MailBox()
    controller = Controller(box, hostname="127.0.0.1", port=port or free_port())
    controller.start()
    try:
        yield controller.port, box
    finally:
        controller.stop()


@dataclass
class Gateway:
    """Replies with the next scripted status (then 200); remembers every request and honours idempotency keys."""

    script: list[int] = field(default_factory=list)
    requests: list[tuple[dict, dict]] = field(default_factory=list)  # (headers, body)
    delivered: dict[str, dict] = field(default_factory=dict)  # idempotency key -> body, delivered once

    def reply(self, headers: dict, body: dict) -> tuple[int, dict]:
        self.requests.append((headers, body))
        status = self.script.pop(0) if self.script else 200
        if status == 200:
            key = headers.get("Idempotency-Key", "")
            self.delivered.setdefault(key, body)
            return 200, {"id": f"gw-{len(self.delivered)}"}
        return status, {"error": "invalid_number" if status == 400 else "busy"}


@contextmanager
def gateway_server(gateway: Gateway, port: int | None = None) -> Iterator[str]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            status, reply = gateway.reply(dict(self.headers), body)
            data = json.dumps(reply).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", port or free_port()), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/v1/messages"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)
