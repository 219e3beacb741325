"""Webhook fixtures: a loopback receiver, a hand-moved clock, the sealing key of the test settings."""

from collections.abc import AsyncIterator

import pytest
import pytest_asyncio

from marketplace.webhooks.delivery import HttpSender
from marketplace.webhooks.signing import sealing_key
from tests.marketplace.webhooks.receiver import Clock, Receiver

# The SECRET_KEY of the `settings` fixture.
TEST_SECRET_KEY = "test-secret-key-that-is-long-enough-0123456789"


@pytest_asyncio.fixture
async def receiver() -> AsyncIterator[Receiver]:
    started = await Receiver().start()
    yield started
    await started.stop()


@pytest_asyncio.fixture
async def sender() -> AsyncIterator[HttpSender]:
    http = HttpSender()
    yield http
    await http.close()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def key() -> bytes:
    return sealing_key(TEST_SECRET_KEY)
