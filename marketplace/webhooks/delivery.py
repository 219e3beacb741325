"""The webhook worker: sequences new events into deliveries, and sends them; safe in several processes.

Each round: `fan_out` (one sequencer at a time, under an advisory lock) turns new events into one delivery per
subscribed endpoint, then `deliver_due` claims due deliveries with FOR UPDATE SKIP LOCKED, only the oldest
unfinished one of each endpoint, so an endpoint receives its events one at a time and in order: an event is not
sent before the earlier ones were delivered or given up.

Retries: 5 s, 5 min, 30 min, 2 h, 5 h and 10 h after the failed tries, then a last one when 24 hours have passed
since the delivery was created, then it is given up (an admin can send it again). Deliveries queued behind a
receiver that is down keep their own 24-hour clock, so after a day-long outage each gets its one late try
instead of a day more each.

At-least-once: a worker that dies between the receiver's answer and recording it leaves the delivery `sending`;
when its lease ends another worker sends it again, with the same `webhook-id`, which receivers use to drop copies.
"""

import asyncio
import contextlib
import logging
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Protocol

import asyncpg
import httpx
import msgspec

from marketplace.platform.listening import first_of, release_listener
from marketplace.webhooks import repository as repo
from marketplace.webhooks import signing
from marketplace.webhooks.service import fan_out, message_id
from search.changes import CHANGES_CHANNEL

__all__ = [
    "RETRY_DELAYS",
    "GIVE_UP_AFTER",
    "Sender",
    "HttpSender",
    "next_attempt_at",
    "message_body",
    "sequence_all",
    "deliver_due",
    "run_round",
    "run_webhook_worker",
]

log = logging.getLogger("marketplace.webhooks")

RETRY_DELAYS: tuple[timedelta, ...] = (
    timedelta(seconds=5), timedelta(minutes=5), timedelta(minutes=30),
    timedelta(hours=2), timedelta(hours=5), timedelta(hours=10),
)
GIVE_UP_AFTER = timedelta(hours=24)
CONNECT_TIMEOUT_SECONDS = 5.0
# A whole try, answer included: a receiver that trickles bytes cannot hold a worker longer.
SEND_TIMEOUT_SECONDS = 15.0
# What is kept of a receiver's answer for the log; the rest is never read.
MAX_RESPONSE_BYTES = 1000
BATCH = 10
LEASE = timedelta(seconds=SEND_TIMEOUT_SECONDS * 4)
POLL_SECONDS = 5.0
USER_AGENT = "marketplace-webhooks/1"

_encoder = msgspec.json.Encoder()
_decoder = msgspec.json.Decoder()
Clock = Callable[[], datetime]


def _utc_now() -> datetime:
    return datetime.now(UTC)


class Sender(Protocol):
    """POSTs a signed message; the receiver's status and the start of its answer (raises on network errors)."""

    async def post(self, url: str, headers: dict[str, str], body: bytes) -> tuple[int, str]: ...


class HttpSender:
    """The real sender: httpx without redirects or proxies from the environment, bounded in time and in bytes."""

    def __init__(self) -> None:
        self._client = httpx.AsyncClient(
            timeout=httpx.Timeout(SEND_TIMEOUT_SECONDS, connect=CONNECT_TIMEOUT_SECONDS),
            follow_redirects=False, trust_env=False,
            limits=httpx.Limits(max_connections=BATCH, max_keepalive_connections=BATCH),
            headers={"user-agent": USER_AGENT})

    async def post(self, url: str, headers: dict[str, str], body: bytes) -> tuple[int, str]:
        # Checked again here, not only at registration: a row changed by hand must not make us open file: URLs.
        if httpx.URL(url).scheme not in ("http", "https"):
            raise ValueError("only http and https endpoints are called")
        return await asyncio.wait_for(self._post(url, headers, body), timeout=SEND_TIMEOUT_SECONDS)

    async def _post(self, url: str, headers: dict[str, str], body: bytes) -> tuple[int, str]:
        async with self._client.stream("POST", url, content=body, headers=headers) as response:
            kept = bytearray()
            async for chunk in response.aiter_raw():
                kept.extend(chunk[: MAX_RESPONSE_BYTES - len(kept)])
                if len(kept) >= MAX_RESPONSE_BYTES:
                    break
            return response.status_code, kept.decode("utf-8", "replace")

    async def close(self) -> None:
        await self._client.aclose()


def next_attempt_at(attempts: int, created_at: datetime, now: datetime) -> datetime | None:
    """When to try again after `attempts` failed tries, or None to give up (24 hours after creation)."""
    deadline = created_at + GIVE_UP_AFTER
    if now >= deadline:
        return None
    if attempts <= len(RETRY_DELAYS):
        return min(now + RETRY_DELAYS[attempts - 1], deadline)
    return deadline


def message_body(event_type: str, occurred_at: datetime, data_json: str) -> bytes:
    """The JSON every receiver gets: `{"type", "timestamp", "data"}` (the Standard Webhooks payload shape)."""
    return _encoder.encode({"type": event_type, "timestamp": occurred_at, "data": _decoder.decode(data_json)})


async def sequence_all(pool: asyncpg.Pool, now: Clock = _utc_now) -> int:
    """Sequence every waiting event into deliveries, batch after batch; how many events."""
    total = 0
    while True:
        async with pool.acquire() as connection, connection.transaction():
            events = await fan_out(connection, now())
        total += len(events)
        if not events:
            return total


async def deliver_due(pool: asyncpg.Pool, sender: Sender, sealing_key: bytes, *, now: Clock = _utc_now) -> int:
    """Claim and send what is due until nothing is; the number of tries made."""
    tried = 0
    while True:
        token = uuid.uuid4()
        claimed = await repo.claim_due(pool, now(), token, BATCH, LEASE)
        if not claimed:
            return tried
        # One delivery per endpoint at most in a claim: these go out side by side.
        await asyncio.gather(*(_deliver(pool, sender, sealing_key, row, now) for row in claimed))
        tried += len(claimed)


async def _deliver(pool: asyncpg.Pool, sender: Sender, sealing_key: bytes, row: asyncpg.Record,
                   now: Clock) -> None:
    started = now()
    status: int | None = None
    try:
        secret = signing.unseal(sealing_key, row["secret_sealed"])
        body = message_body(row["event_type"], row["occurred_at"], row["data"])
        headers = signing.signed_headers(secret, message_id(row["event_id"]), int(started.timestamp()), body)
        status, excerpt = await sender.post(row["url"], headers, body)
        error = None if 200 <= status < 300 else f"HTTP {status}"
    except Exception as failure:  # any failure of the receiver or the network is logged and retried
        excerpt = error = f"{type(failure).__name__}: {failure}"[:MAX_RESPONSE_BYTES]
    finished = now()
    await repo.insert_attempt(pool, row["id"], started, status, excerpt[:MAX_RESPONSE_BYTES])
    if error is None and status is not None:
        await repo.mark_delivered(pool, row["id"], row["claim_token"], finished, status)
        return
    retry_at = next_attempt_at(row["attempts"], row["created_at"], finished)
    state = await repo.mark_failed(pool, row["id"], row["claim_token"], retry_at, status, error or "", finished)
    log.warning("webhook delivery %s to endpoint %s failed (try %s): %s -> %s", row["id"], row["endpoint_id"],
                row["attempts"], error, state)


async def run_round(pool: asyncpg.Pool, sender: Sender, sealing_key: bytes, *, now: Clock = _utc_now) -> None:
    """One round of the worker: new events into deliveries, then every due delivery sent."""
    await sequence_all(pool, now)
    await deliver_due(pool, sender, sealing_key, now=now)


async def run_webhook_worker(pool: asyncpg.Pool, sealing_key: bytes, stop_event: asyncio.Event, *,
                             sender: Sender | None = None, poll_seconds: float = POLL_SECONDS,
                             listen_pool: asyncpg.Pool | None = None) -> None:
    """Run rounds until `stop_event` is set: at once when a change commits or an admin asks for a resend
    (LISTEN/NOTIFY), and every `poll_seconds` for retries that fall due; a database restart only pauses it."""
    http = HttpSender() if sender is None else None
    wake = asyncio.Event()
    listening = listen_pool or pool

    def on_notify(*_: object) -> None:
        wake.set()

    listener: asyncpg.Connection | None = None
    try:
        while not stop_event.is_set():
            try:
                if listener is None or listener.is_closed():
                    listener = await listening.acquire()
                    await listener.add_listener(CHANGES_CHANNEL, on_notify)
                    await listener.add_listener(repo.WAKE_CHANNEL, on_notify)
                wake.clear()
                await run_round(pool, sender or http, sealing_key)  # type: ignore[arg-type]
            except Exception:  # the database may be restarting; listen again and retry next round
                log.warning("webhook round failed", exc_info=True)
                listener = await release_listener(listening, listener, (CHANGES_CHANNEL, repo.WAKE_CHANNEL), on_notify)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(first_of(wake, stop_event), timeout=poll_seconds)
    finally:
        await release_listener(listening, listener, (CHANGES_CHANNEL, repo.WAKE_CHANNEL), on_notify)
        if http is not None:
            await http.close()
