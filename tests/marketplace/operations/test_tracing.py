"""OpenTelemetry tracing: off by default; with OTEL_EXPORTER_OTLP_ENDPOINT, a span per request (probes excluded)."""

from pathlib import Path

import pytest
from litestar.testing import AsyncTestClient
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from marketplace.app import create_app
from marketplace.platform import telemetry
from marketplace.platform.settings import load_settings


def test_tracing_is_off_unless_configured(tmp_path: Path) -> None:
    assert telemetry.tracing_middleware(load_settings({"DATA_DIR": str(tmp_path)})) == []


async def test_requests_become_spans(db_uri: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    exported = InMemorySpanExporter()  # stands in for the OTLP collector
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exported))
    monkeypatch.setattr(telemetry, "_tracer_provider", provider)
    settings = load_settings({"DATABASE_URL": db_uri, "SECRET_KEY": "s" * 40, "DATA_DIR": str(tmp_path),
                              "RUN_INDEXER": "false", "OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:4318"})
    async with AsyncTestClient(app=create_app(settings)) as client:
        assert (await client.get("/api/v1/attractions/no-such-place")).status_code == 404
        assert (await client.get("/healthz")).status_code == 200
    names = [span.name for span in exported.get_finished_spans()]
    assert "GET /api/v1/attractions/no-such-place" in names, names
    assert not any("healthz" in name for name in names)
