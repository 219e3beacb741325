"""Channels behind one protocol: mail through SMTP (aiosmtplib), SMS and Zalo through a generic HTTP gateway.

A channel sends one rendered `OutboundMessage` or raises; the worker retries. Every message carries a stable
idempotency key (the Message-ID in mail, `idempotency_key` in the gateway's body) so a receiver can drop the
copy it would get if a worker died between sending and recording the send (see docs/NOTIFICATIONS.md).
"""

import hashlib
import hmac
import json
import time
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formatdate
from typing import Protocol
from urllib.parse import parse_qs, unquote, urlsplit

import aiosmtplib
import httpx

from marketplace.platform.settings import Settings

__all__ = ["Attachment", "OutboundMessage", "Channel", "SmtpChannel", "GatewayChannel", "configured_channels",
           "sign_gateway_body", "SIGNATURE_HEADER", "TIMESTAMP_HEADER", "SEND_TIMEOUT_SECONDS"]

SIGNATURE_HEADER = "X-Marketplace-Signature"
TIMESTAMP_HEADER = "X-Marketplace-Timestamp"
SEND_TIMEOUT_SECONDS = 30.0


@dataclass(frozen=True, slots=True)
class Attachment:
    filename: str
    content_type: str
    data: bytes


@dataclass(frozen=True, slots=True)
class OutboundMessage:
    """One rendered message for one address on one channel."""

    channel: str
    recipient: str
    idempotency_key: str
    kind: str
    locale: str
    subject: str
    text: str
    html: str | None = None
    attachments: tuple[Attachment, ...] = ()
    headers: dict[str, str] = field(default_factory=dict)


class Channel(Protocol):
    """Something that delivers messages of one channel name; raises when it could not."""

    name: str

    async def send(self, message: OutboundMessage) -> None: ...


class SmtpChannel:
    """Mail through an SMTP server: smtp://user:pass@host:port, smtps:// for implicit TLS, ?starttls=true."""

    name = "email"

    def __init__(self, url: str, sender: str, *, timeout: float = SEND_TIMEOUT_SECONDS) -> None:
        parts = urlsplit(url)
        query = parse_qs(parts.query)
        self.hostname = parts.hostname or "localhost"
        self.use_tls = parts.scheme == "smtps"
        self.port = parts.port or (465 if self.use_tls else 25)
        self.start_tls = query.get("starttls", ["false"])[0].lower() in ("1", "true", "yes", "on")
        self.username = unquote(parts.username) if parts.username else None
        self.password = unquote(parts.password) if parts.password else None
        self.sender = sender
        self.timeout = timeout

    def build(self, message: OutboundMessage) -> EmailMessage:
        """The MIME message: plain text, an HTML alternative, attachments, and the stable Message-ID."""
        mail = EmailMessage()
        mail["From"] = self.sender
        mail["To"] = message.recipient
        mail["Subject"] = message.subject
        mail["Date"] = formatdate(localtime=False)
        mail["Message-ID"] = f"<{message.idempotency_key}@{self.sender.rpartition('@')[2].strip('> ')}>"
        mail["Content-Language"] = message.locale
        for name, value in message.headers.items():
            mail[name] = value
        mail.set_content(message.text)
        if message.html:
            mail.add_alternative(message.html, subtype="html")
        for attachment in message.attachments:
            maintype, _, subtype = attachment.content_type.partition("/")
            mail.add_attachment(attachment.data, maintype=maintype, subtype=subtype, filename=attachment.filename)
        return mail

    async def send(self, message: OutboundMessage) -> None:
        await aiosmtplib.send(self.build(message), hostname=self.hostname, port=self.port, username=self.username,
                              password=self.password, use_tls=self.use_tls, start_tls=self.start_tls or None,
                              timeout=self.timeout)


def sign_gateway_body(secret: str, timestamp: str, body: bytes) -> str:
    """HMAC-SHA256 over `<timestamp>.<body>`, hex, as sent in the signature header (`sha256=<hex>`)."""
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


class GatewayChannel:
    """SMS or Zalo through the province's HTTP gateway: a signed JSON POST; any 2xx answer means accepted."""

    def __init__(self, name: str, url: str, secret: str, *, client: httpx.AsyncClient | None = None,
                 timeout: float = SEND_TIMEOUT_SECONDS) -> None:
        self.name = name
        self.url = url
        self.secret = secret
        self.client = client
        self.timeout = timeout

    def body(self, message: OutboundMessage) -> bytes:
        return json.dumps({"channel": self.name, "to": message.recipient, "text": message.text,
                           "kind": message.kind, "locale": message.locale,
                           "idempotency_key": message.idempotency_key}, ensure_ascii=False).encode()

    async def send(self, message: OutboundMessage) -> None:
        body = self.body(message)
        timestamp = str(int(time.time()))
        headers = {"content-type": "application/json", TIMESTAMP_HEADER: timestamp,
                   SIGNATURE_HEADER: sign_gateway_body(self.secret, timestamp, body),
                   "Idempotency-Key": message.idempotency_key}
        if self.client is not None:
            response = await self.client.post(self.url, content=body, headers=headers, timeout=self.timeout)
        else:
            async with httpx.AsyncClient(timeout=self.timeout) as client:
                response = await client.post(self.url, content=body, headers=headers)
        if response.status_code // 100 != 2:
            raise RuntimeError(f"gateway answered {response.status_code}: {response.text[:200]}")


def configured_channels(settings: Settings) -> dict[str, Channel]:
    """The channels the settings configure, by name; empty when nothing is (messages are then held)."""
    channels: dict[str, Channel] = {}
    if settings.smtp_url and settings.mail_from:
        channels["email"] = SmtpChannel(settings.smtp_url, settings.mail_from)
    if settings.sms_gateway_url and settings.sms_gateway_secret:
        for name in ("sms", "zalo"):
            channels[name] = GatewayChannel(name, settings.sms_gateway_url, settings.sms_gateway_secret)
    return channels
