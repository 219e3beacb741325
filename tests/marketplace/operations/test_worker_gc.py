"""A serving worker hides its start-up objects from the garbage collector (full collections walked them all and
paused the worker for about 100 ms: the p99 of the page benchmark)."""

import gc
from pathlib import Path

import pytest

from marketplace import app as app_module
from marketplace.platform.runtime import runtime_of


async def test_a_serving_worker_freezes_what_exists_once_it_has_started(
    db_uri: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in {"DATABASE_URL": db_uri, "SECRET_KEY": "s" * 40, "DATA_DIR": str(tmp_path / "data"),
                        "RUN_INDEXER": "false"}.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setattr(app_module, "configure_logging", lambda: None)  # leave the test run's logging alone
    gc.unfreeze()
    app = app_module.app_from_environment()
    try:
        assert gc.get_freeze_count() == 0
        async with app.lifespan():
            assert gc.get_freeze_count() > 10_000
    finally:
        gc.unfreeze()
    # An app built for a test (create_app) does not: objects of earlier tests would be kept for good.
    async with app_module.create_app(runtime_of(app.state).settings).lifespan():
        assert gc.get_freeze_count() == 0
