"""`/metrics` in the Prometheus text format, for scrapers that bear METRICS_TOKEN.

Request counts and latency are this process's (set PROMETHEUS_MULTIPROC_DIR to add up a server's workers);
pool use is this process's pools; outbox lag, background job runs and payments by state are read from the
database at scrape time, so every server reports the same, whole picture of them.
"""

import hmac
import os
from collections.abc import Iterable, Iterator
from typing import Any

from litestar import Request, Response, Router, get
from prometheus_client import REGISTRY, CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from prometheus_client.registry import Collector

from marketplace.operations import repository
from marketplace.platform.access import check_route_access
from marketplace.platform.database import ACQUIRE_TIMEOUT
from marketplace.platform.runtime import Runtime, runtime_of
from search import repository as search_repository

__all__ = ["metrics", "router"]


class _Snapshot(Collector):
    """Values read for one scrape, exposed as metric families."""

    def __init__(self, families: list[Metric]) -> None:
        self.families = families

    def collect(self) -> Iterator[Metric]:
        yield from self.families


def _pool_families(runtime: Runtime) -> Iterable[Metric]:
    size = GaugeMetricFamily("marketplace_db_pool_connections", "Open connections of this process's pools.",
                             labels=["pool"])
    idle = GaugeMetricFamily("marketplace_db_pool_idle_connections", "Idle connections of this process's pools.",
                             labels=["pool"])
    limit = GaugeMetricFamily("marketplace_db_pool_max_connections", "Pool size limits of this process.",
                              labels=["pool"])
    for name, pool in (("primary", runtime.pool), ("search", runtime.search_pool),
                       ("replica", runtime.replica_pool)):
        if pool is None:
            continue
        size.add_metric([name], pool.get_size())
        idle.add_metric([name], pool.get_idle_size())
        limit.add_metric([name], pool.get_max_size())
    return [size, idle, limit]


async def _database_families(runtime: Runtime) -> list[Metric]:
    async with runtime.require_pool().acquire(timeout=ACQUIRE_TIMEOUT) as connection:
        lags = {"search": await search_repository.get_outbox_lag(connection)}
        for name, lag_of in runtime.outboxes.items():
            lags[name] = await lag_of(connection)
        runs = await repository.list_job_runs(connection)
        payments = await repository.count_payments_by_status(connection)
    outbox = GaugeMetricFamily("marketplace_outbox_pending", "Changes waiting in an outbox.", labels=["outbox"])
    lag = GaugeMetricFamily("marketplace_outbox_lag_seconds", "Age of the oldest change waiting in an outbox "
                            "(the indexer's lag).", labels=["outbox"])
    for name, (pending, oldest) in lags.items():
        outbox.add_metric([name], pending)
        lag.add_metric([name], oldest)
    job_runs = CounterMetricFamily("marketplace_background_job_runs", "Rounds of each background job, "
                                   "over every worker.", labels=["job", "outcome"])
    last = GaugeMetricFamily("marketplace_background_job_last_success_timestamp_seconds",
                             "When each background job last succeeded.", labels=["job"])
    for run in runs:
        job_runs.add_metric([run["job"], "ok"], run["runs"] - run["failures"])
        job_runs.add_metric([run["job"], "failed"], run["failures"])
        if run["last_success"] is not None:
            last.add_metric([run["job"]], run["last_success"])
    by_state = GaugeMetricFamily("marketplace_payments", "Payments by state.", labels=["state"])
    for state, count in payments.items():
        by_state.add_metric([state], count)
    return [outbox, lag, job_runs, last, by_state]


def _process_registry() -> Any:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return registry
    return REGISTRY


def _refusal(request: Request[Any, Any, Any], expected: str | None) -> Response[bytes] | None:
    # Plain answers, not the site's error pages: a scraper is no browser to send to a sign-in page.
    if not expected:
        return Response(b"metrics are not enabled (set METRICS_TOKEN)\n", status_code=404, media_type="text/plain")
    scheme, _, presented = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(presented.strip().encode(), expected.encode()):
        return Response(b"send the metrics token: Authorization: Bearer <METRICS_TOKEN>\n", status_code=401,
                        media_type="text/plain", headers={"www-authenticate": "Bearer"})
    return None


@get("/metrics", include_in_schema=False)
async def metrics(request: Request[Any, Any, Any]) -> Response[bytes]:
    """Every metric, in the Prometheus text exposition format."""
    runtime = runtime_of(request.app.state)
    refusal = _refusal(request, runtime.settings.metrics_token)
    if refusal is not None:
        return refusal
    snapshot = CollectorRegistry(auto_describe=False)
    snapshot.register(_Snapshot([*_pool_families(runtime), *await _database_families(runtime)]))
    body = generate_latest(_process_registry()) + generate_latest(snapshot)
    return Response(body, media_type=CONTENT_TYPE_LATEST, headers={"cache-control": "no-store"})


# Public as far as accounts go (no principal is resolved here): the METRICS_TOKEN check above is its access rule.
router = Router(path="/", route_handlers=[metrics], guards=[check_route_access])
