"""A real SMTP server (aiosmtpd) on a free local port, keeping every message it receives, and an HTTP receiver
that plays the SMS/Zalo gateway and checks each request's signature."""

import asyncio
import email
import email.policy
import json
import threading
import time
from collections.abc import Iterator
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from marketplace.notifications.channels import SIGNATURE_HEADER, TIMESTAMP_HEADER, sign_gateway_body
from tests.browser import free_port

GATEWAY_SECRET = "gateway-secret-for-tests-0123456789"


class MailBox:
    """aiosmtpd handler: parses and keeps each message."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 - aiosmtpd's name
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self.lock:
            self.messages.append(message)  # type: ignore[arg-type]
        return "250 OK"

    def to(self, address: str) -> list[EmailMessage]:
        with self.lock:
            return [m for m in self.messages if m["To"] == address]

    def wait_for(self, count: int, timeout: float = 5.0) -> list[EmailMessage]:
        """Block until `count` messages arrived (or fail after `timeout`)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                if len(self.messages) >= count:
                    return list(self.messages)
            time.sleep(0.02)
        raise AssertionError(f"expected {count} messages, got {len(self.messages)}")

    async def await_for(self, count: int, within: float = 5.0) -> list[EmailMessage]:
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            with self.lock:
                if len(self.messages) >= count:
                    return list(self.messages)
            await asyncio.sleep(0.02)
        raise AssertionError(f"expected {count} messages, got {len(self.messages)}")


class SmtpServer:
    def __init__(self, port: int | None = None) -> None:
        self.port = port or free_port()
        self.box = MailBox()
        self.controller = Controller(self.box, hostname="127.0.0.1", port=self.port)

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    def start(self) -> "SmtpServer":
        self.controller.start()
        return self

    def stop(self) -> None:
        self.controller.stop()


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    server = SmtpServer().start()
    yield server
    server.stop()


def body_text(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain",))
    assert part is not None
    return part.get_content()


def body_html(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("html",))
    assert part is not None
    return part.get_content()


class GatewayReceiver:
    """A stand-in for the province's SMS/Zalo gateway (a remote service): keeps requests whose HMAC is right,
    answers 401 to the others."""

    def __init__(self) -> None:
        self.received: list[dict[str, Any]] = []
        self.rejected = 0
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's name
                body = self.rfile.read(int(self.headers["content-length"]))
                expected = sign_gateway_body(GATEWAY_SECRET, self.headers[TIMESTAMP_HEADER] or "", body)
                if self.headers[SIGNATURE_HEADER] != expected:
                    receiver.rejected += 1
                    self.send_response(401)
                else:
                    receiver.received.append(json.loads(body))
                    self.send_response(202)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/send"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self) -> "GatewayReceiver":
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def gateway() -> Iterator[GatewayReceiver]:
    receiver = GatewayReceiver().start()
    yield receiver
    receiver.stop()
