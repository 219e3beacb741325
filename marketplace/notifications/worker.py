"""The delivery worker: claims due deliveries, sends them, records the outcome; safe in several processes.

Claiming is one UPDATE over `FOR UPDATE SKIP LOCKED` rows that sets state `sending`, a fresh claim token and a
lease: two workers never claim the same row, and the outcome is recorded only by the worker holding the token.

At-least-once, not exactly-once: a worker that dies after the server accepted a message but before recording it
leaves the row `sending`; when its lease runs out another worker sends it again. Exactly-once would need the
receiver to take part in our transaction, which SMTP and SMS gateways cannot. So every message carries a stable
idempotency key (the mail's Message-ID, the gateway body's `idempotency_key`) and a receiver can drop the copy.
The window is the few milliseconds between the server's answer and one UPDATE.
"""

import asyncio
import contextlib
import logging
import uuid
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta

import asyncpg

from marketplace.notifications import repository
from marketplace.notifications.channels import SEND_TIMEOUT_SECONDS, Channel
from marketplace.notifications.kinds import KINDS
from marketplace.notifications.messages import MessageRenderer
from marketplace.platform.listening import first_of, release_listener

__all__ = ["MAX_ATTEMPTS", "backoff", "deliver_due", "run_delivery_worker"]

log = logging.getLogger("marketplace.notifications")

MAX_ATTEMPTS = 8
BATCH = 20
# Longer than a send can take (its timeout), so a slow send is never taken over by another worker.
LEASE = timedelta(seconds=SEND_TIMEOUT_SECONDS * 4)
POLL_SECONDS = 5.0
NO_CHANNEL = "no channel configured: shown here, not sent"


def backoff(attempts: int) -> timedelta:
    """Wait before the next try: 10 s, 20 s, 40 s ... at most an hour (8 tries span about 40 minutes)."""
    return timedelta(seconds=min(10 * 2 ** max(attempts - 1, 0), 3600))


async def deliver_due(pool: asyncpg.Pool, channels: Mapping[str, Channel], renderer: MessageRenderer, *,
                      now: Callable[[], datetime] = lambda: datetime.now(UTC)) -> int:
    """Claim and send what is due, batch after batch; the number of rows handled (sent, failed or held)."""
    handled = 0
    while True:
        token = uuid.uuid4()
        claimed = await repository.claim_due(pool, now(), token, BATCH, LEASE)
        if not claimed:
            return handled
        notifications = await repository.get_notifications(pool, list({row["notification_id"] for row in claimed}))
        for row in claimed:
            await _deliver(pool, channels, renderer, row, notifications[row["notification_id"]], now)
            handled += 1


async def _deliver(pool: asyncpg.Pool, channels: Mapping[str, Channel], renderer: MessageRenderer,
                   row: asyncpg.Record, notification: asyncpg.Record, now: Callable[[], datetime]) -> None:
    channel = channels.get(row["channel"])
    if channel is None:
        await repository.mark_held(pool, row["id"], row["claim_token"], NO_CHANNEL)
        return
    try:
        message = renderer.render(notification, row["channel"], row["recipient"], row["id"])
        await asyncio.wait_for(channel.send(message), timeout=SEND_TIMEOUT_SECONDS)
    except Exception as error:  # any failure of the channel is retried, then shown to admins
        reason = f"{type(error).__name__}: {error}"[:500]
        state = await repository.mark_failed(pool, row["id"], row["claim_token"], MAX_ATTEMPTS,
                                             now() + backoff(row["attempts"]), reason)
        log.warning("delivery %s (%s) failed, attempt %s: %s -> %s", row["id"], row["channel"], row["attempts"],
                    reason, state)
        if state == "dead":
            await _forget_secret(pool, notification)
        return
    await repository.mark_sent(pool, row["id"], row["claim_token"], now())
    await _forget_secret(pool, notification)


async def _forget_secret(pool: asyncpg.Pool, notification: asyncpg.Record) -> None:
    kind = KINDS.get(notification["kind"])
    if kind is not None and kind.secret:
        await repository.scrub_secret(pool, notification["id"])


async def run_delivery_worker(pool: asyncpg.Pool, channels: Mapping[str, Channel], renderer: MessageRenderer,
                              stop_event: asyncio.Event, *, poll_seconds: float = POLL_SECONDS,
                              listen_pool: asyncpg.Pool | None = None) -> None:
    """Deliver until `stop_event` is set: at once when an enqueueing transaction commits (LISTEN/NOTIFY), and
    every `poll_seconds` for retries that fall due; a database restart only pauses it.

    `listen_pool`: where LISTEN holds its session (DATABASE_DIRECT_URL's pool behind PgBouncer)."""
    wake = asyncio.Event()
    listening = listen_pool or pool

    def on_notify(*_: object) -> None:
        wake.set()

    listener: asyncpg.Connection | None = None
    while not stop_event.is_set():
        try:
            if listener is None or listener.is_closed():
                listener = await listening.acquire()
                await listener.add_listener(repository.WAKE_CHANNEL, on_notify)
            wake.clear()
            await deliver_due(pool, channels, renderer)
        except Exception:  # the database may be restarting; listen again and retry next round
            log.warning("notification delivery round failed", exc_info=True)
            listener = await release_listener(listening, listener, (repository.WAKE_CHANNEL,), on_notify)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(first_of(wake, stop_event), timeout=poll_seconds)
    await release_listener(listening, listener, (repository.WAKE_CHANNEL,), on_notify)
