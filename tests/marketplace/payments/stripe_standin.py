"""StripeStandIn: a local stand-in for Stripe's API (NOT Stripe), so tests never reach the real service.

It answers the few endpoints the marketplace calls, the way Stripe does: form-encoded requests in,
JSON objects out, an Idempotency-Key replaying the first answer. It also signs webhook events with a
test secret exactly as Stripe signs them.
"""

import hashlib
import hmac
import itertools
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl

__all__ = ["StripeStandIn", "signed_event", "sign_payload", "WEBHOOK_SECRET", "SECRET_KEY"]

WEBHOOK_SECRET = "whsec_standin_test_secret_0123456789"
SECRET_KEY = "sk_test_standin_0123456789"
_ids = itertools.count(1)


def _nest(pairs: list[tuple[str, str]]) -> dict[str, Any]:
    """Undo Stripe's form encoding: line_items[0][price_data][currency]=vnd -> nested dicts."""
    root: dict[str, Any] = {}
    for key, value in pairs:
        parts = key.replace("]", "").split("[")
        node = root
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = value
    return root


def sign_payload(payload: bytes, secret: str = WEBHOOK_SECRET, timestamp: int | None = None) -> str:
    """A Stripe-Signature header value: t=<unix time>,v1=HMAC-SHA256(secret, "<t>.<payload>")."""
    moment = int(time.time()) if timestamp is None else timestamp
    digest = hmac.new(secret.encode(), f"{moment}.".encode() + payload, hashlib.sha256).hexdigest()
    return f"t={moment},v1={digest}"


def signed_event(event_type: str, obj: dict[str, Any], *, event_id: str | None = None,
                 secret: str = WEBHOOK_SECRET, timestamp: int | None = None) -> tuple[bytes, dict[str, str]]:
    """A webhook body and its headers as Stripe would deliver them."""
    body = json.dumps({
        "id": event_id or f"evt_standin_{next(_ids)}", "object": "event", "type": event_type,
        "created": int(time.time()), "data": {"object": obj}, "livemode": False,
    }).encode()
    return body, {"stripe-signature": sign_payload(body, secret, timestamp), "content-type": "application/json"}


class StripeStandIn:
    """A threaded HTTP server on 127.0.0.1 that plays Stripe for Checkout Sessions and refunds."""

    def __init__(self) -> None:
        self.sessions: dict[str, dict[str, Any]] = {}
        self.refunds: list[dict[str, Any]] = []
        # The status the next refunds are created with ("failed", "canceled", "requires_action", ...).
        self.refund_status = "succeeded"
        self.requests: list[tuple[str, str, dict[str, Any], dict[str, str]]] = []
        self._replies: dict[str, tuple[int, dict[str, Any]]] = {}
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self) -> "StripeStandIn":
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def complete(self, session_id: str) -> dict[str, Any]:
        """Pretend the buyer paid on the hosted page; returns the session as the webhook carries it."""
        with self._lock:
            session = self.sessions[session_id]
            session.update(status="complete", payment_status="paid", payment_intent=f"pi_standin_{session_id[-6:]}")
            return dict(session)

    def _create_session(self, form: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        item = form["line_items"]["0"]
        amount = int(item["price_data"]["unit_amount"]) * int(item["quantity"])
        session_id = f"cs_test_standin_{next(_ids):06d}"
        session = {
            "id": session_id, "object": "checkout.session", "mode": form.get("mode"), "status": "open",
            "payment_status": "unpaid", "amount_total": amount, "currency": item["price_data"]["currency"],
            "metadata": form.get("metadata", {}), "client_reference_id": form.get("client_reference_id"),
            "success_url": form.get("success_url"), "cancel_url": form.get("cancel_url"),
            "expires_at": int(form.get("expires_at", 0)), "locale": form.get("locale"),
            "payment_intent": None, "url": f"{self.url}/pay/{session_id}",
        }
        self.sessions[session_id] = session
        return 200, session

    def _create_refund(self, form: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        intent = form.get("payment_intent")
        paid = [s for s in self.sessions.values() if s["payment_intent"] == intent]
        if not paid:
            return 400, {"error": {"type": "invalid_request_error", "message": f"No such payment_intent: '{intent}'"}}
        refund = {"id": f"re_standin_{next(_ids):06d}", "object": "refund", "amount": int(form["amount"]),
                  "currency": paid[0]["currency"], "payment_intent": intent, "status": self.refund_status}
        self.refunds.append(refund)
        return 200, refund

    def _route(self, method: str, path: str, form: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        if method == "POST" and path == "/v1/checkout/sessions":
            return self._create_session(form)
        if method == "POST" and path == "/v1/refunds":
            return self._create_refund(form)
        if path.startswith("/v1/checkout/sessions/"):
            session_id = path.split("/")[4]
            if session_id in self.sessions:
                if path.endswith("/expire"):
                    self.sessions[session_id]["status"] = "expired"
                return 200, self.sessions[session_id]
        return 404, {"error": {"type": "invalid_request_error", "message": f"Unrecognized request URL ({path})"}}

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        standin = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                return

            def _serve(self, method: str) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                form = _nest(parse_qsl(self.rfile.read(length).decode(), keep_blank_values=True))
                headers = {key.lower(): value for key, value in self.headers.items()}
                key = headers.get("idempotency-key")
                with standin._lock:
                    standin.requests.append((method, self.path, form, headers))
                    if method == "POST" and key and key in standin._replies:
                        status, reply = standin._replies[key]
                    else:
                        status, reply = standin._route(method, self.path, form)
                        if method == "POST" and key:
                            standin._replies[key] = (status, reply)
                if self.path.startswith("/pay/"):
                    body = b"<!doctype html><title>Stripe stand-in checkout</title><h1>Stripe stand-in</h1>"
                    self.send_response(200)
                    self.send_header("Content-Type", "text/html")
                else:
                    body = json.dumps(reply).encode()
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Request-Id", f"req_standin_{next(_ids)}")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self) -> None:  # noqa: N802 - the name http.server dispatches to
                self._serve("GET")

            def do_POST(self) -> None:  # noqa: N802
                self._serve("POST")

        return Handler
