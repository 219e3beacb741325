"""Delivery: signed by the Standard Webhooks scheme, retried with back-off over 24 hours, one endpoint's events
sent one at a time and in order, "send again", and only http(s) receivers."""

import asyncio
import json
import uuid
from datetime import datetime

import asyncpg
import pytest
from standardwebhooks import Webhook

from marketplace.platform.errors import Unprocessable
from marketplace.webhooks import repository, service
from marketplace.webhooks.delivery import (
    GIVE_UP_AFTER,
    LEASE,
    HttpSender,
    deliver_due,
    run_round,
    run_webhook_worker,
    sequence_all,
)
from marketplace.webhooks.models import EndpointForm
from search.changes import record_event
from tests.browser import refusing_port
from tests.marketplace.webhooks.receiver import Clock, Received, Receiver


async def register(pool: asyncpg.Pool, key: bytes, url: str, *event_types: str) -> tuple[int, str]:
    async with pool.acquire() as connection, connection.transaction():
        created = await service.create_endpoint(
            connection, key, EndpointForm(url=url, event_types=list(event_types or ("attraction.updated",))), None)
    return created.endpoint.id, created.secret


async def change(pool: asyncpg.Pool, event_type: str = "attraction.updated", **data: object) -> int:
    async with pool.acquire() as connection, connection.transaction():
        return await record_event(connection, event_type, data)


async def states(pool: asyncpg.Pool, endpoint_id: int) -> list[tuple[str, int]]:
    async with pool.acquire() as connection:
        return [(d.state, d.attempts) for d in reversed(await service.deliveries(connection, endpoint_id))]


def signed_by(secret: str, request: Received) -> bool:
    """The signature the standardwebhooks package computes for this id, timestamp and body is the one sent."""
    timestamp = datetime.fromtimestamp(int(request.headers["webhook-timestamp"]))
    expected = Webhook(secret).sign(request.headers["webhook-id"], timestamp, request.body)
    return expected in request.headers["webhook-signature"].split(" ")


async def test_receivers_verify_the_signature_with_standardwebhooks(pool, receiver: Receiver, sender: HttpSender,
                                                                    key: bytes) -> None:
    _, secret = await register(pool, key, receiver.url)
    assert secret.startswith("whsec_")
    event_id = await change(pool, id=7, slug="po-klong-garai", status="published")
    await run_round(pool, sender, key)
    [request] = receiver.requests
    # Verified as a receiver would, timestamp tolerance included (the real clock signs here).
    payload = Webhook(secret).verify(request.body, request.headers)
    assert payload["type"] == "attraction.updated"
    assert payload["data"] == {"id": 7, "slug": "po-klong-garai", "status": "published"}
    assert request.headers["webhook-id"] == f"msg_{event_id}"
    assert request.headers["webhook-signature"].startswith("v1,")
    assert request.headers["content-type"] == "application/json"
    with pytest.raises(Exception, match="signature"):
        Webhook("whsec_" + "A" * 43 + "=").verify(request.body, request.headers)


async def test_a_receiver_that_fails_twice_gets_the_event_on_the_third_try(
        pool, receiver: Receiver, sender: HttpSender, key: bytes, clock: Clock) -> None:
    script = iter([500, 503, 204])
    receiver.answer = lambda _: next(script)
    endpoint_id, secret = await register(pool, key, receiver.url)
    await change(pool, id=1, slug="a")
    await run_round(pool, sender, key, now=clock)
    assert receiver.statuses == [500] and await states(pool, endpoint_id) == [("pending", 1)]
    # Nothing is due before the back-off has passed.
    clock.advance(seconds=4)
    await run_round(pool, sender, key, now=clock)
    assert receiver.statuses == [500]
    clock.advance(seconds=1)
    await run_round(pool, sender, key, now=clock)
    assert receiver.statuses == [500, 503]
    clock.advance(minutes=4, seconds=59)
    await run_round(pool, sender, key, now=clock)
    assert receiver.statuses == [500, 503]
    clock.advance(seconds=1)
    await run_round(pool, sender, key, now=clock)
    assert receiver.statuses == [500, 503, 204]
    assert await states(pool, endpoint_id) == [("delivered", 3)]
    # Every try is the same message (same webhook-id), each correctly signed for its own timestamp.
    assert len({request.headers["webhook-id"] for request in receiver.requests}) == 1
    assert all(signed_by(secret, request) for request in receiver.requests)
    async with pool.acquire() as connection:
        [delivery] = await service.deliveries(connection, endpoint_id)
    assert [attempt.response_status for attempt in delivery.log] == [500, 503, 204]


async def test_a_receiver_that_never_answers_2xx_is_given_up_after_24_hours(
        pool, receiver: Receiver, sender: HttpSender, key: bytes, clock: Clock) -> None:
    receiver.answer = lambda _: 500
    endpoint_id, _ = await register(pool, key, receiver.url)
    await change(pool, id=1)
    started = clock()
    await run_round(pool, sender, key, now=clock)
    for _ in range(20):
        async with pool.acquire() as connection:
            [delivery] = await service.deliveries(connection, endpoint_id)
        if delivery.state == "failed":
            break
        clock.now = delivery.next_attempt_at
        await run_round(pool, sender, key, now=clock)
    assert delivery.state == "failed"
    # 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, then the last try at 24 hours.
    assert delivery.attempts == 8 and len(receiver.requests) == 8
    assert delivery.log[-1].attempted_at == started + GIVE_UP_AFTER
    assert delivery.log[-2].attempted_at - started < GIVE_UP_AFTER


async def test_one_endpoint_gets_its_events_one_at_a_time_and_in_order(
        pool, receiver: Receiver, sender: HttpSender, key: bytes, clock: Clock) -> None:
    failed_once: set[str] = set()

    def answer(request: Received) -> int:
        slug = json.loads(request.body)["data"]["slug"]
        if slug == "second" and slug not in failed_once:
            failed_once.add(slug)
            return 500
        return 200

    receiver.answer = answer
    other = await Receiver().start()
    try:
        endpoint_id, _ = await register(pool, key, receiver.url)
        await register(pool, key, other.url)
        for slug in ("first", "second", "third", "fourth"):
            await change(pool, id=1, slug=slug)
        await sequence_all(pool, clock)
        # Two workers at once: neither sends anything out of turn.
        await asyncio.gather(deliver_due(pool, sender, key, now=clock), deliver_due(pool, sender, key, now=clock))
        slugs = [json.loads(request.body)["data"]["slug"] for request in receiver.requests]
        assert slugs == ["first", "second"], "the third event went out before the second was delivered"
        # The other endpoint is not held up by this one's failure.
        assert [json.loads(r.body)["data"]["slug"] for r in other.requests] == ["first", "second", "third", "fourth"]
        clock.advance(seconds=5)
        await asyncio.gather(deliver_due(pool, sender, key, now=clock), deliver_due(pool, sender, key, now=clock))
        slugs = [json.loads(request.body)["data"]["slug"] for request in receiver.delivered()]
        assert slugs == ["first", "second", "third", "fourth"]
        assert [state for state, _ in await states(pool, endpoint_id)] == ["delivered"] * 4
    finally:
        await other.stop()


async def test_an_event_given_up_lets_the_next_ones_through(
        pool, receiver: Receiver, sender: HttpSender, key: bytes, clock: Clock) -> None:
    receiver.answer = lambda request: 500 if b'"stuck"' in request.body else 200
    endpoint_id, _ = await register(pool, key, receiver.url)
    await change(pool, id=1, slug="stuck")
    await change(pool, id=2, slug="next")
    await run_round(pool, sender, key, now=clock)
    clock.advance(hours=25)
    for _ in range(10):
        await run_round(pool, sender, key, now=clock)
    assert [state for state, _ in await states(pool, endpoint_id)] == ["failed", "delivered"]


async def test_send_again_repeats_the_same_message_after_what_is_waiting(
        pool, receiver: Receiver, sender: HttpSender, key: bytes, clock: Clock) -> None:
    endpoint_id, secret = await register(pool, key, receiver.url)
    await change(pool, id=1, slug="again")
    await run_round(pool, sender, key, now=clock)
    async with pool.acquire() as connection, connection.transaction():
        [delivery] = await service.deliveries(connection, endpoint_id)
        assert await service.resend(connection, delivery.id, clock()) == endpoint_id
        with pytest.raises(Exception, match="No finished delivery"):
            await service.resend(connection, delivery.id + 1000, clock())
    await run_round(pool, sender, key, now=clock)
    first, second = receiver.requests
    assert first.headers["webhook-id"] == second.headers["webhook-id"] and first.body == second.body
    assert signed_by(secret, second)
    assert [state for state, _ in await states(pool, endpoint_id)] == ["delivered", "delivered"]


async def test_an_endpoint_gets_only_the_events_it_asked_for(
        pool, receiver: Receiver, sender: HttpSender, key: bytes) -> None:
    await register(pool, key, receiver.url, "merchant.approved", "product.created")
    await change(pool, "attraction.updated", id=1)
    await change(pool, "product.created", id=2)
    await change(pool, "merchant.approved", id=3)
    await run_round(pool, sender, key)
    assert [json.loads(request.body)["type"] for request in receiver.requests] == [
        "product.created", "merchant.approved"]


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://example.test/x", "javascript:alert(1)",
                                 "gopher://127.0.0.1:70/", "http://", "//example.test/x", "http://a b.test/",
                                 "http://example.test:99999/"])
def test_only_http_and_https_addresses_are_accepted(url: str) -> None:
    with pytest.raises(Unprocessable) as refused:
        service.check_url(url)
    assert refused.value.code == "invalid_webhook_url"


async def test_the_sender_refuses_other_schemes_and_reads_a_bounded_answer(
        pool, receiver: Receiver, sender: HttpSender, key: bytes) -> None:
    with pytest.raises(ValueError):
        await sender.post("file:///etc/passwd", {}, b"{}")
    receiver.reply_body = b"x" * 100_000
    endpoint_id, _ = await register(pool, key, receiver.url)
    await change(pool, id=1)
    await run_round(pool, sender, key)
    async with pool.acquire() as connection:
        [delivery] = await service.deliveries(connection, endpoint_id)
    assert delivery.state == "delivered" and len(delivery.log[0].response_excerpt) == 1000


async def test_an_unreachable_receiver_is_retried(pool, sender: HttpSender, key: bytes, clock: Clock) -> None:
    with refusing_port() as port:  # nothing listens there
        endpoint_id, _ = await register(pool, key, f"http://127.0.0.1:{port}/hooks")
        await change(pool, id=1)
        await run_round(pool, sender, key, now=clock)
    async with pool.acquire() as connection:
        [delivery] = await service.deliveries(connection, endpoint_id)
    assert delivery.state == "pending" and delivery.last_error and "Connect" in delivery.last_error
    assert delivery.log[0].response_status is None


async def test_a_delivery_whose_worker_died_is_sent_after_its_lease_ends(
        pool, receiver: Receiver, sender: HttpSender, key: bytes, clock: Clock) -> None:
    endpoint_id, _ = await register(pool, key, receiver.url)
    await change(pool, id=1)
    await sequence_all(pool, clock)
    # A worker claims the delivery and dies before sending it.
    assert len(await repository.claim_due(pool, clock(), uuid.uuid4(), 10, LEASE)) == 1
    await deliver_due(pool, sender, key, now=clock)
    assert receiver.requests == []  # its lease still holds
    clock.advance(seconds=LEASE.total_seconds() + 1)
    await deliver_due(pool, sender, key, now=clock)
    assert len(receiver.requests) == 1
    assert await states(pool, endpoint_id) == [("delivered", 2)]


async def test_the_background_worker_sends_as_soon_as_a_change_commits(pool, receiver: Receiver,
                                                                       key: bytes) -> None:
    arrived = asyncio.Event()

    def answer(_: Received) -> int:
        arrived.set()
        return 200

    receiver.answer = answer
    await register(pool, key, receiver.url)
    stop = asyncio.Event()
    # Polling once an hour: only the NOTIFY of the committing transaction can wake it in time.
    worker = asyncio.create_task(run_webhook_worker(pool, key, stop, poll_seconds=3600))
    try:
        await change(pool, id=1, slug="live")
        await asyncio.wait_for(arrived.wait(), timeout=60)
    finally:
        stop.set()
        await worker
    assert json.loads(receiver.requests[0].body)["data"]["slug"] == "live"
