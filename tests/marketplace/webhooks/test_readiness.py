"""/readyz (and /metrics, from the same list) report the change log's and the webhooks' lag."""

from marketplace.webhooks import service
from marketplace.webhooks.delivery import sequence_all
from marketplace.webhooks.models import EndpointForm
from search.changes import record_event


async def test_readiness_reports_events_waiting_for_order_and_deliveries_waiting(client, pool, key) -> None:
    async with pool.acquire() as connection, connection.transaction():
        await service.create_endpoint(connection, key, EndpointForm(url="http://127.0.0.1:9/x",
                                                                    event_types=["event.updated"]), None)
        await record_event(connection, "event.updated", {"id": 1})
    body = (await client.get("/readyz")).json()
    assert body["change_log_outbox"]["pending"] == 1 and body["webhooks_outbox"]["pending"] == 0
    await sequence_all(pool)
    body = (await client.get("/readyz")).json()
    assert body["change_log_outbox"]["pending"] == 0 and body["webhooks_outbox"]["pending"] == 1
