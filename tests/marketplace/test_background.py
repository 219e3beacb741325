"""Background jobs: one list of every package's loops, run by `serve` or by `marketplace worker`."""

import asyncio

from marketplace import composition
from marketplace.platform.runtime import Runtime
from marketplace.platform.templating import create_environment


def test_every_job_has_a_unique_name() -> None:
    names = [job.name for job in composition.background_jobs()]
    assert len(names) == len(set(names))
    assert {"search-indexer", "housekeeping", "payment-expiry"} <= set(names)


async def test_worker_mode_starts_every_job_and_stops_them(settings) -> None:
    # settings has RUN_INDEXER=false, as `serve` on a server that leaves background work to workers.
    runtime = Runtime(settings=settings, templates=create_environment())
    await composition.start_runtime(runtime, background=True)
    try:
        running = {task.get_name() for task in runtime.tasks}
        assert running == {job.name for job in composition.background_jobs()}
        await asyncio.sleep(0.1)
        assert not any(task.done() for task in runtime.tasks), [t for t in runtime.tasks if t.done()]
    finally:
        await composition.stop_runtime(runtime)
    assert runtime.tasks == []


async def test_serve_without_background_starts_no_job(settings) -> None:
    runtime = Runtime(settings=settings, templates=create_environment())
    await composition.start_runtime(runtime)
    try:
        assert runtime.tasks == []
    finally:
        await composition.stop_runtime(runtime)
