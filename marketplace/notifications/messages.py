"""Rendering a notification into the message one channel carries, in the recipient's language.

Each kind has one template, `notifications/messages/<kind>.html`, with blocks: `subject`, `text` (the plain-text
mail), `html` (the mail's HTML body, inside `notifications/mail_layout.html`) and `sms` (short, for SMS and Zalo).
The subject, text and SMS blocks are rendered without HTML escaping, the HTML block with it.
"""

import hashlib
import hmac
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

import jinja2
import segno
from icalendar import Calendar, Event

import i18n
from marketplace.notifications.channels import Attachment, OutboundMessage
from marketplace.platform.runtime import Runtime

__all__ = ["MessageRenderer", "renderer_for", "unsubscribe_token", "check_unsubscribe_token"]


def unsubscribe_token(secret_key: str, user_id: int) -> str:
    """The signature in a one-click unsubscribe link: only links the service wrote can unsubscribe someone."""
    return hmac.new(secret_key.encode(), f"unsubscribe-notices:{user_id}".encode(), hashlib.sha256).hexdigest()[:32]


def check_unsubscribe_token(secret_key: str, user_id: int, token: str) -> bool:
    return hmac.compare_digest(unsubscribe_token(secret_key, user_id), token)


class MessageRenderer:
    """Renders notifications for one running service (its public URL, its templates)."""

    def __init__(self, environment: jinja2.Environment, *, base_url: str, path_prefix: str, secret_key: str) -> None:
        self.html_env = environment
        # A text environment over the same templates: subjects and SMS must not carry HTML entities.
        self.text_env = environment.overlay(autoescape=False, cache_size=400)
        self.root = f"{base_url.rstrip('/')}{path_prefix}"
        self.secret_key = secret_key

    def link(self, locale: str, path: str) -> str:
        return f"{self.root}/{locale}{path}"

    def unsubscribe_link(self, locale: str, user_id: int) -> str:
        token = unsubscribe_token(self.secret_key, user_id)
        return self.link(locale, f"/notifications/unsubscribe?u={user_id}&t={token}")

    def _context(self, notification: Mapping[str, Any]) -> dict[str, Any]:
        locale = notification["locale"]
        return {"locale": locale, "data": notification["data"] or {}, "kind": notification["kind"],
                "link": lambda path: self.link(locale, path), "path_prefix": "",
                "moment": lambda iso: i18n.format_datetime(datetime.fromisoformat(iso), locale) if iso else ""}

    def _block(self, environment: jinja2.Environment, kind: str, block: str, context: dict[str, Any]) -> str | None:
        template = environment.get_template(f"notifications/messages/{kind}.html")
        render = template.blocks.get(block)
        if render is None:
            return None
        return "".join(render(template.new_context(context))).strip()

    def subject(self, notification: Mapping[str, Any]) -> str:
        """The subject line (also the inbox's title of the notification)."""
        return self._block(self.text_env, notification["kind"], "subject", self._context(notification)) or ""

    def render(self, notification: Mapping[str, Any], channel: str, recipient: str,
               delivery_id: int) -> OutboundMessage:
        """The message for one delivery."""
        kind, locale = notification["kind"], notification["locale"]
        context = self._context(notification)
        user_id = notification["user_id"]
        unsubscribe = None
        if not notification["transactional"] and user_id is not None:
            unsubscribe = self.unsubscribe_link(locale, user_id)
        context["unsubscribe"] = unsubscribe
        subject = self.subject(notification)
        key = f"notification-{notification['id']}-{delivery_id}"
        if channel != "email":
            text = self._block(self.text_env, kind, "sms", context) or subject
            return OutboundMessage(channel=channel, recipient=recipient, idempotency_key=key, kind=kind,
                                   locale=locale, subject=subject, text=text)
        text = self._block(self.text_env, kind, "text", context) or subject
        body = self._block(self.html_env, kind, "html", context) or ""
        html = self.html_env.get_template("notifications/mail_layout.html").render(
            {**context, "subject": subject, "body": body, "dir": "rtl" if locale == "ar" else "ltr"})
        headers: dict[str, str] = {}
        if unsubscribe:
            headers["List-Unsubscribe"] = f"<{unsubscribe}>"
            headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
        return OutboundMessage(channel=channel, recipient=recipient, idempotency_key=key, kind=kind, locale=locale,
                               subject=subject, text=text, html=html, headers=headers,
                               attachments=tuple(self.attachments(notification, subject)))

    def attachments(self, notification: Mapping[str, Any], subject: str) -> list[Attachment]:
        """A booking's tickets as QR codes, and its time slot as an .ics event."""
        if notification["kind"] != "booking_ticket":
            return []
        data = notification["data"] or {}
        # The QR code is the check-in page's address with the code: any phone camera opens it at the door.
        locale = notification["locale"]
        files = [Attachment(f"ticket-{ticket['code']}.png", "image/png",
                            _qr_png(self.link(locale, f"/merchant/check-in?code={ticket['code']}")))
                 for ticket in data.get("tickets", [])]
        calendar = Calendar()
        calendar.add("prodid", "-//Ninh Thuan Marketplace//tickets//")
        calendar.add("version", "2.0")
        for ticket in data.get("tickets", []):
            if not ticket.get("starts_at"):
                continue
            event = Event()
            starts = datetime.fromisoformat(ticket["starts_at"])
            event.add("uid", f"ticket-{ticket['code']}@marketplace")
            event.add("summary", i18n.localize(ticket.get("title"), notification["locale"]) or subject)
            event.add("dtstart", starts)
            event.add("dtend", datetime.fromisoformat(ticket["ends_at"]) if ticket.get("ends_at")
                      else starts + timedelta(hours=2))
            event.add("dtstamp", starts)
            event.add("description", f"{ticket['code']}")
            calendar.add_component(event)
        if calendar.subcomponents:
            files.append(Attachment("booking.ics", "text/calendar", calendar.to_ical()))
        return files


def renderer_for(runtime: Runtime) -> MessageRenderer:
    """Renders notifications with the service's templates and public URL."""
    return MessageRenderer(runtime.templates, base_url=runtime.settings.base_url, path_prefix=runtime.path_prefix,
                           secret_key=runtime.settings.secret_key)


def _qr_png(code: str) -> bytes:
    import io

    buffer = io.BytesIO()
    segno.make(code, error="m").save(buffer, kind="png", scale=6)
    return buffer.getvalue()
