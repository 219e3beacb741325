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
