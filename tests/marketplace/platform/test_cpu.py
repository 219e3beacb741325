"""run_cpu: CPU-bound work in worker threads, a bounded number at once, a bounded queue, then 503."""

import asyncio
import threading

import pytest

from marketplace.platform.cpu import CPU_BOUNDS, CPU_QUEUES, ServerBusy, run_cpu
from marketplace.platform.errors import describe


async def test_a_full_queue_is_refused_at_once_and_the_rest_complete() -> None:
    release = threading.Event()
    running = threading.Semaphore(0)
    at_once = 0
    most_at_once = 0
    lock = threading.Lock()

    def work(number: int) -> int:
        nonlocal at_once, most_at_once
        with lock:
            at_once += 1
            most_at_once = max(most_at_once, at_once)
        running.release()
        release.wait(timeout=10)
        with lock:
            at_once -= 1
        return number

    capacity = CPU_BOUNDS["image"] + CPU_QUEUES["image"]
    accepted = [asyncio.ensure_future(run_cpu("image", work, number)) for number in range(capacity)]
    for _ in range(CPU_BOUNDS["image"]):
        assert await asyncio.to_thread(running.acquire, True, 10)
    await asyncio.sleep(0)  # let the queued calls reach their wait
    with pytest.raises(ServerBusy) as refused:
        await run_cpu("image", work, 99)
    status, _, _, _, headers = describe(refused.value)
    assert status == 503 and headers["Retry-After"]
    release.set()
    assert await asyncio.gather(*accepted) == list(range(capacity))
    assert most_at_once == CPU_BOUNDS["image"]


async def test_an_upload_is_refused_before_its_body_is_read_when_images_are_queued_full(
        client, pool, monkeypatch) -> None:
    from marketplace.platform import cpu
    from tests.helpers import make_user, sign_in

    await make_user(pool, "uploader@example.vn", ["merchant"])
    await sign_in(client, "uploader@example.vn")
    await client.get("/vi/account")  # the CSRF cookie, sent back as a header (a form field would need parsing)
    csrf = {"x-csrftoken": client.cookies.get("csrftoken", "")}

    monkeypatch.setattr(cpu, "is_busy", lambda kind: kind == "image")
    # Not even a valid multipart body: had it been parsed first, the answer would be 400.
    response = await client.post("/api/v1/manage/merchants/1/logo", content=b"x" * 100_000,
                                 headers={"content-type": "multipart/form-data; boundary=none", **csrf})
    assert response.status_code == 503 and response.headers["retry-after"]
    monkeypatch.setattr(cpu, "is_busy", lambda kind: False)
    response = await client.post("/api/v1/manage/merchants/1/logo", content=b"x" * 100_000,
                                 headers={"content-type": "multipart/form-data; boundary=none", **csrf})
    assert response.status_code != 503
