"""The running worker: a cash-on-delivery purchase reaches the merchant's and the buyer's mailboxes within five
seconds (woken by the committing transaction, not by its poll); mail settings are checked at start."""

import asyncio
import time
from pathlib import Path

import pytest

from marketplace.notifications.channels import configured_channels
from marketplace.notifications.repository import WAKE_CHANNEL
from marketplace.notifications.worker import run_delivery_worker
from marketplace.platform.settings import SettingsError, load_settings
from tests.helpers import eventually, listening_sessions
from tests.marketplace.notifications.test_outbox import _cod_purchase, renderer


async def test_a_cod_purchase_is_in_both_mailboxes_within_five_seconds(pool, smtp_server, tmp_path: Path) -> None:
    settings = load_settings({"DATABASE_URL": "postgresql://x@localhost/x", "SECRET_KEY": "k" * 40,
                              "DATA_DIR": str(tmp_path), "SMTP_URL": smtp_server.url,
                              "MAIL_FROM": "Chợ Ninh Thuận <no-reply@market.example>"})
    stop = asyncio.Event()
    # A poll of a minute: only the NOTIFY of the committing transaction can wake the worker in time.
    worker = asyncio.create_task(run_delivery_worker(pool, configured_channels(settings), renderer(), stop,
                                                     poll_seconds=60))
    try:
        await eventually(lambda: listening_sessions(pool, WAKE_CHANNEL))
        order_id, buyer_email, owner_email = await _cod_purchase(pool)
        # From the order's commit (the shop's set-up before it is not the purchase); the poll alone would take 60 s.
        committed = time.monotonic()
        await smtp_server.box.await_for(2, within=5)
        elapsed = time.monotonic() - committed
    finally:
        stop.set()
        await asyncio.wait_for(worker, timeout=10)
    assert elapsed < 5
    assert {m["To"] for m in smtp_server.box.messages} == {buyer_email, owner_email}
    assert all(f"#{order_id}" in m["Subject"] for m in smtp_server.box.messages)


@pytest.mark.parametrize(("values", "variable"), [
    ({"SMTP_URL": "http://mail.example"}, "SMTP_URL"),
    ({"SMTP_URL": "smtp://mail.example:25?starttls=maybe", "MAIL_FROM": "a@b.example"}, "SMTP_URL"),
    ({"SMTP_URL": "smtp://mail.example:25"}, "MAIL_FROM"),
    ({"MAIL_FROM": "not an address"}, "MAIL_FROM"),
    ({"SMS_GATEWAY_URL": "https://gateway.example/send"}, "SMS_GATEWAY_SECRET"),
    ({"SMS_GATEWAY_URL": "https://gateway.example/send", "SMS_GATEWAY_SECRET": "short"}, "SMS_GATEWAY_SECRET"),
    ({"SMS_GATEWAY_URL": "ftp://gateway.example", "SMS_GATEWAY_SECRET": "s" * 20}, "SMS_GATEWAY_URL"),
])
def test_bad_mail_and_gateway_settings_stop_the_start_with_one_line(tmp_path: Path, values: dict[str, str],
                                                                     variable: str) -> None:
    with pytest.raises(SettingsError) as caught:
        load_settings({"DATA_DIR": str(tmp_path), **values})
    assert caught.value.variable == variable and "\n" not in str(caught.value)


def test_nothing_configured_means_no_channel(tmp_path: Path) -> None:
    assert configured_channels(load_settings({"DATA_DIR": str(tmp_path)})) == {}
