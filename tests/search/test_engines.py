"""Choosing the configured engine from the settings."""

from search.engines import create_engine
from search.meili import MeilisearchEngine
from search.postgres import PostgresEngine

URL = "http://meili.test:7700"


def test_create_engine_uses_meilisearch_only_when_a_url_is_set() -> None:
    class Settings:
        meilisearch_url: str | None = None
        meilisearch_api_key: str | None = None

    assert isinstance(create_engine(Settings(), pool=None), PostgresEngine)  # type: ignore[arg-type]
    Settings.meilisearch_url = URL
    chosen = create_engine(Settings(), pool=None)  # type: ignore[arg-type]
    assert isinstance(chosen, MeilisearchEngine)
