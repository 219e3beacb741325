"""Done when: a portal receives signed webhooks when an editor changes an attraction (through the editor's page)."""

import json

from standardwebhooks import Webhook

from marketplace.webhooks import service
from marketplace.webhooks.delivery import HttpSender, run_round, sequence_all
from marketplace.webhooks.models import EndpointForm
from tests.helpers import make_user, sign_in
from tests.marketplace.web_helpers import page_csrf
from tests.marketplace.webhooks.receiver import Receiver
from tourism.demo.seed import seed_demo


async def test_a_portal_receives_a_signed_webhook_when_an_editor_publishes_an_attraction(
        client, pool, receiver: Receiver, sender: HttpSender, key: bytes) -> None:
    async with pool.acquire() as connection, connection.transaction():
        await seed_demo(connection)
    # The demo's own events are sequenced before the portal registers: it hears only what comes after.
    await sequence_all(pool)
    async with pool.acquire() as connection, connection.transaction():
        created = await service.create_endpoint(
            connection, key, EndpointForm(url=receiver.url, event_types=["attraction.updated", "event.updated"]),
            None)
    await make_user(pool, "editor@hooks.test", ["editor"])
    await sign_in(client, "editor@hooks.test")
    token = await page_csrf(client, "/en/editor/attractions")
    taken_back = await client.post("/en/editor/attractions/po-klong-garai/publish",
                                   data={"_csrf_token": token, "published": "0"}, follow_redirects=False)
    assert taken_back.status_code == 303, taken_back.text
    await run_round(pool, sender, key)
    [request] = receiver.requests
    payload = Webhook(created.secret).verify(request.body, request.headers)
    assert payload["type"] == "attraction.updated"
    assert payload["data"]["slug"] == "po-klong-garai" and payload["data"]["status"] == "draft"
    assert json.loads(request.body) == payload
