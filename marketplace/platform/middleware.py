"""ASGI middleware: one log line per request, security headers, and CSRF for forms."""

import base64
import functools
import ipaddress
import logging
import secrets
import time
from typing import Any

from litestar.config.csrf import CSRFConfig
from litestar.middleware.csrf import CSRFMiddleware
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from marketplace.platform.errors import describe
from marketplace.platform.runtime import RUNTIME_KEY
from marketplace.platform.telemetry import REQUEST_SECONDS, REQUESTS, current_request_id, request_id_from

__all__ = ["QUIET_ACCESS_LOG_OPT", "RequestLogMiddleware", "SecurityHeadersMiddleware", "CsrfUnlessTokenMiddleware",
           "content_security_policy"]

access_log = logging.getLogger("marketplace.access")
# A route marked with this opt (the probes) is counted in the metrics but not logged when it succeeds: a load
# balancer asking every two seconds on every server would fill the request log with nothing to read.
QUIET_ACCESS_LOG_OPT = "quiet_access_log"
# Where the request id is kept for the error handler, which answers outside this middleware.
REQUEST_ID_SCOPE_KEY = "marketplace.request_id"


class RequestLogMiddleware:
    """One JSON log line per request (request id, method, path, route, status, duration) and its metrics;
    successful probes (routes marked `QUIET_ACCESS_LOG_OPT`) are only counted.

    The request id comes from `X-Request-ID` (a proxy's) or is generated, and is echoed back. When an inner
    middleware refuses the request by raising (CSRF, a bad token), the status logged is the one the error
    handler sends, not 500.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500
        request_id = request_id_from(dict(scope["headers"]).get(b"x-request-id"))
        scope[REQUEST_ID_SCOPE_KEY] = request_id  # type: ignore[literal-required]
        token = current_request_id.set(request_id)

        async def send_wrapper(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", ()), (b"x-request-id", request_id.encode())]
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        except Exception as error:
            status = describe(error)[0]
            raise
        finally:
            self._record(scope, request_id, status, time.perf_counter() - started)
            current_request_id.reset(token)

    @staticmethod
    def _record(scope: Scope, request_id: str, status: int, seconds: float) -> None:
        route = scope.get("path_template") or "unmatched"
        REQUESTS.labels(scope["method"], route, str(status)).inc()
        REQUEST_SECONDS.labels(scope["method"], route).observe(seconds)
        handler = scope.get("route_handler")
        if handler is not None and handler.opt.get(QUIET_ACCESS_LOG_OPT) and status < 400:
            return
        access_log.info("request", extra={"fields": {
            "request_id": request_id,
            "method": scope["method"],
            "path": scope["path"],
            "route": route,
            "status": status,
            "duration_ms": round(seconds * 1000, 2),
        }})


def content_security_policy(frame_ancestors: str) -> str:
    """No inline scripts or styles; forms may post to ourselves and to Stripe's hosted checkout."""
    return "; ".join([
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self' https://checkout.stripe.com",
        f"frame-ancestors {frame_ancestors}",
    ])


class SecurityHeadersMiddleware:
    """CSP, nosniff, Referrer-Policy and friends on every response."""

    def __init__(self, app: ASGIApp, frame_ancestors: str = "'self'", hsts: bool = False) -> None:
        self.app = app
        headers: list[tuple[str, str]] = [
            ("content-security-policy", content_security_policy(frame_ancestors)),
            ("x-content-type-options", "nosniff"),
            ("referrer-policy", "strict-origin-when-cross-origin"),
            ("permissions-policy", "camera=(), microphone=(), geolocation=(self)"),
            ("cross-origin-opener-policy", "same-origin"),
        ]
        if frame_ancestors.strip() == "'none'":
            headers.append(("x-frame-options", "DENY"))
        elif frame_ancestors.strip() == "'self'":
            headers.append(("x-frame-options", "SAMEORIGIN"))
        if hsts:
            headers.append(("strict-transport-security", "max-age=31536000"))
        self.raw_headers = [(name.encode("latin-1"), value.encode("latin-1")) for name, value in headers]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_wrapper(message: Message) -> None:
            if message["type"] == "http.response.start":
                # Raw header pairs, encoded once: Litestar's MutableScopeHeaders decoded and searched the
                # whole list for each of the seven names (13% of /healthz's CPU under cProfile).
                headers = list(message.get("headers", ()))
                present = {name.lower() for name, _ in headers}
                headers.extend(header for header in self.raw_headers if header[0] not in present)
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_wrapper)


MASK_PREFIX = "m1."


def mask_csrf_token(token: str) -> str:
    """A different spelling of the same token on every page, so compression cannot leak it (BREACH)."""
    raw = token.encode()
    pad = secrets.token_bytes(len(raw))
    return MASK_PREFIX + base64.urlsafe_b64encode(pad + bytes(a ^ b for a, b in zip(raw, pad, strict=True))).decode()


def unmask_csrf_token(value: str) -> str:
    """The token behind a masked spelling; unmasked values pass through."""
    if not value.startswith(MASK_PREFIX):
        return value
    try:
        data = base64.urlsafe_b64decode(value[len(MASK_PREFIX):].encode("ascii"))
    except (ValueError, UnicodeEncodeError):
        return ""
    half = len(data) // 2
    return bytes(a ^ b for a, b in zip(data[half:], data[:half], strict=False)).decode("latin-1")


class MaskedCSRFMiddleware(CSRFMiddleware):
    """Litestar's CSRF check that accepts masked tokens and treats malformed ones as a mismatch (403, not 500)."""

    def _csrf_tokens_match(self, request_csrf_token: str, cookie_csrf_token: str) -> bool:
        try:
            return super()._csrf_tokens_match(unmask_csrf_token(request_csrf_token), cookie_csrf_token)
        except (TypeError, ValueError, UnicodeError):
            return False


class CsrfUnlessTokenMiddleware:
    """Litestar's double-submit CSRF check, except where a cross-site forgery cannot happen.

    Skipped for requests that carry a bearer token (API tokens are not ambient credentials)
    and for JSON bodies: a cross-site page cannot send `application/json` without a CORS preflight,
    which this service never grants. Form posts (urlencoded, multipart, text/plain) are always checked.
    """

    def __init__(self, app: ASGIApp, config: CSRFConfig, exempt_paths: tuple[str, ...] = ()) -> None:
        self.app = app
        self.csrf = MaskedCSRFMiddleware(app=app, config=config)
        self.exempt_paths = exempt_paths

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and self._exempt(scope):
            await self.app(scope, receive, send)
            return
        await self.csrf(scope, receive, send)

    def _exempt(self, scope: Scope) -> bool:
        if scope["method"] in ("GET", "HEAD", "OPTIONS"):
            return False  # let the CSRF middleware set its cookie and expose the token to templates
        headers: dict[bytes, bytes] = dict(scope["headers"])
        # Only bearer tokens: a browser attaches other schemes (a proxy's Basic auth) by itself.
        if headers.get(b"authorization", b"")[:7].lower() == b"bearer ":
            return True
        content_type = headers.get(b"content-type", b"").split(b";", 1)[0].strip().lower()
        if content_type == b"application/json":
            return True
        path: str = scope["path"]
        return any(path.endswith(suffix) for suffix in self.exempt_paths)


IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


@functools.lru_cache(maxsize=8)
def trusted_networks(cidrs: tuple[str, ...]) -> tuple[IPNetwork, ...]:
    """The TRUSTED_PROXIES setting parsed (checked at start by load_settings)."""
    return tuple(ipaddress.ip_network(cidr, strict=False) for cidr in cidrs)


def _address(value: str) -> IPAddress | None:
    try:
        address = ipaddress.ip_address(value.strip())
    except ValueError:
        return None
    # An IPv4 client seen through an IPv6 socket counts as the IPv4 address.
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def _trusted_proxies(scope: Scope) -> tuple[IPNetwork, ...]:
    app: Any = scope.get("app")
    runtime = getattr(app, "state", {}).get(RUNTIME_KEY) if app is not None else None
    return trusted_networks(runtime.settings.trusted_proxies) if runtime is not None else ()


def _forwarded_chain(scope: Scope) -> list[str]:
    # Several X-Forwarded-For headers are one list, in order (RFC 7230 section 3.2.2).
    values = [value.decode("latin-1") for name, value in scope.get("headers", ()) if name == b"x-forwarded-for"]
    return [hop for value in values for hop in value.split(",") if hop.strip()]


def client_ip(scope: Scope) -> str | None:
    """The client's address: the socket peer, or, when the peer is a trusted proxy, X-Forwarded-For's
    right-most address that is not itself a trusted proxy (addresses to its left are the client's word)."""
    client: Any = scope.get("client")
    peer = _address(str(client[0])) if client else None
    if peer is None:
        return None
    networks = _trusted_proxies(scope)
    if not any(peer in network for network in networks):
        return str(peer)
    nearest = peer
    for hop in reversed(_forwarded_chain(scope)):
        address = _address(hop)
        if address is None:
            break  # a malformed entry: the last trusted hop is the best we know
        if not any(address in network for network in networks):
            return str(address)
        nearest = address
    return str(nearest)
