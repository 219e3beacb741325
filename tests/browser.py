"""Real Chromium through Playwright against the real app served over HTTP on a free local port.

Use the `live_server` and `browser` fixtures (registered in conftest through `pytest_plugins`):

    @pytest.mark.browser
    async def test_x(live_server, browser):
        page = await browser.new_page(locale="vi-VN")
        await page.goto(live_server.url + "/vi/")
"""

import asyncio
import contextlib
import os
import shutil
import socket
import tempfile
import threading
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn

import pytest
import pytest_asyncio

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def refusing_port() -> Iterator[int]:
    """A local port that refuses connections while the block runs: bound but never listening, so no server of
    another test can take it in the meantime (as it could a port from free_port that nobody holds)."""
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        yield holder.getsockname()[1]


@dataclass
class LiveServer:
    """The app served by uvicorn in a background thread (with its own event loop)."""

    url: str
    app: Any
    settings: Any


class _ServerThread(threading.Thread):
    def __init__(self, app: Any, port: int) -> None:
        super().__init__(daemon=True)
        import uvicorn

        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning",
                                                    lifespan="on", access_log=False))

    def run(self) -> None:
        asyncio.run(self.server.serve())


def serve_app(app: Any) -> Iterator[str]:
    """Serve `app` until the generator is closed; yields its base URL."""
    port = free_port()
    thread = _ServerThread(app, port)
    thread.start()
    for _ in range(1200):  # up to 60 s on a busy machine
        if thread.server.started:
            break
        if not thread.is_alive():
            raise RuntimeError("the live server did not start")
        threading.Event().wait(0.05)
    else:
        thread.server.should_exit = True
        raise RuntimeError("the live server did not start within 60 s")
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        thread.server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture
def live_server(settings: Any) -> Iterator[LiveServer]:
    """The real app on its own fresh database, over real HTTP."""
    from marketplace.app import create_app

    app = create_app(settings)
    server = serve_app(app)
    url = next(server)
    try:
        yield LiveServer(url=url, app=app, settings=settings)
    finally:
        server.close()


def missing_tool(reason: str) -> NoReturn:
    """Skip a test whose tool is not installed here, but fail it in CI, which installs every tool (.ci/run)."""
    if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
        pytest.fail(f"{reason}; CI must have it", pytrace=False)
    pytest.skip(reason)


@pytest_asyncio.fixture(scope="session")
async def chromium() -> AsyncIterator[Any]:
    if not os.path.exists(CHROMIUM):  # noqa: ASYNC240 (a one-off check before the browser starts)
        missing_tool(f"browser tests need Debian's chromium at {CHROMIUM} (apt-get install chromium)")
    from playwright.async_api import async_playwright

    profile = Path(tempfile.mkdtemp(prefix="mkt-chromium-"))
    env = {**os.environ, "XDG_CONFIG_HOME": str(profile / "config"), "XDG_CACHE_HOME": str(profile / "cache")}
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS,
                                                   env=env)
        try:
            yield browser
        finally:
            await browser.close()
    shutil.rmtree(profile, ignore_errors=True)


@pytest_asyncio.fixture
async def browser(chromium: Any) -> AsyncIterator[Any]:
    """A fresh browser context (own cookies) per test, in Asia/Ho_Chi_Minh."""
    context = await chromium.new_context(timezone_id="Asia/Ho_Chi_Minh")
    context.set_default_timeout(15_000)
    try:
        yield context
    finally:
        await context.close()


ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"


async def screenshot(page: Any, name: str) -> Path:
    """Save a full-page screenshot under test-artifacts/ (ignored by git) for a person to look at."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    await page.screenshot(path=str(path), full_page=True)
    return path
