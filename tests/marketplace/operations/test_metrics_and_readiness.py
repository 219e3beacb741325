"""/metrics (Prometheus text, only with METRICS_TOKEN) and /readyz (database, search engine, outbox lag)."""

import asyncio
from pathlib import Path

import pytest
from litestar.testing import AsyncTestClient
from prometheus_client.parser import text_string_to_metric_families

from marketplace.app import create_app
from marketplace.composition import housekeeping
from marketplace.platform.runtime import Runtime
from marketplace.platform.settings import load_settings
from marketplace.platform.templating import create_environment
from search import outbox

TOKEN = "metrics-token-0123456789"


@pytest.fixture
def metrics_settings(db_uri: str, tmp_path: Path):
    return load_settings({"DATABASE_URL": db_uri, "SECRET_KEY": "s" * 40, "DATA_DIR": str(tmp_path / "data"),
                          "RUN_INDEXER": "false", "METRICS_TOKEN": TOKEN})


def _samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    return {(sample.name, tuple(sorted(sample.labels.items()))): sample.value
            for family in text_string_to_metric_families(text) for sample in family.samples}


async def test_metrics_need_the_token_and_report_every_family(metrics_settings, pool) -> None:
    # A housekeeping round (as a worker process would run it) and a change waiting for the indexer.
    runtime = Runtime(settings=metrics_settings, templates=create_environment(), pool=pool)
    async with pool.acquire() as connection, connection.transaction():
        await outbox.enqueue(connection, ["product:1"])
    stop = asyncio.Event()
    task = asyncio.create_task(housekeeping(runtime, stop, interval_seconds=60))
    await asyncio.sleep(0)
    stop.set()
    await task
    async with AsyncTestClient(app=create_app(metrics_settings)) as client:
        assert (await client.get("/metrics")).status_code == 401
        assert (await client.get("/metrics", headers={"Authorization": "Bearer wrong-token-000000"})).status_code == 401
        await client.get("/healthz")
        await client.get("/api/v1/attractions/no-such-place")
        response = await client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/plain")
    samples = _samples(response.text)
    assert samples[("marketplace_http_requests_total",
                    (("method", "GET"), ("route", "/healthz"), ("status", "200")))] >= 1
    # Routes are counted by template, never by the raw path (which would grow without bound).
    routes = {dict(labels).get("route", "") for name, labels in samples if name == "marketplace_http_requests_total"}
    assert any(route.startswith("/api/v1/attractions/{slug") for route in routes), routes
    assert not any("no-such-place" in str(labels) for _, labels in samples)
    assert samples[("marketplace_http_request_duration_seconds_count", (("method", "GET"), ("route", "/healthz")))]
    assert samples[("marketplace_db_pool_max_connections", (("pool", "primary"),))] >= 1
    assert samples[("marketplace_outbox_pending", (("outbox", "search"),))] == 1
    assert ("marketplace_outbox_lag_seconds", (("outbox", "search"),)) in samples
    assert samples[("marketplace_outbox_pending", (("outbox", "notifications"),))] == 0
    assert samples[("marketplace_background_job_runs_total", (("job", "housekeeping"), ("outcome", "ok")))] == 1
    assert ("marketplace_background_job_last_success_timestamp_seconds", (("job", "housekeeping"),)) in samples


async def test_metrics_are_off_without_a_token(client) -> None:
    assert (await client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})).status_code == 404


async def test_readiness_reports_database_search_and_outbox_lag(client) -> None:
    response = await client.get("/readyz")
    assert response.status_code == 200
    body = response.json()
    assert body["database"] == "ok" and body["search"] == "ok"
    assert body["search_outbox"] == {"pending": 0, "oldest_seconds": 0.0, "state": "ok"}
    assert body["notifications_outbox"] == {"pending": 0, "oldest_seconds": 0.0, "state": "ok"}
