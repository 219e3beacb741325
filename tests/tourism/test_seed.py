"""Demo seeding: every attraction and event lands, wards resolve by name, and a second run only updates."""

import asyncpg

from tourism.attractions import service as attractions
from tourism.communes import DATASET_VERSION, commune_code_by_name
from tourism.events import service as events
from tourism.seed import PACKAGED_DEMO_PATH, seed_demo


async def test_seed_demo_is_idempotent_and_resolves_wards_by_name(conn: asyncpg.Connection) -> None:
    first = await seed_demo(conn)
    assert first.attractions_created == 27 and first.attractions_updated == 0
    assert first.events_created == 5
    assert first.unresolved_wards == []
    second = await seed_demo(conn)
    assert second.attractions_created == 0 and second.attractions_updated == 27
    assert second.events_created == 0 and second.events_updated == 5
    assert await conn.fetchval("SELECT count(*) FROM tourism.attractions") == 27

    tower = await attractions.get_attraction(conn, "po-klong-garai")
    assert tower.name["vi"] == "Tháp Pô Klông Garai" and tower.name["en"] == "Po Klong Garai Cham Towers"
    assert tower.commune_name == "Phường Đô Vinh"
    assert tower.commune_code == commune_code_by_name("Phường Đô Vinh")
    assert tower.commune_dataset_version == DATASET_VERSION
    assert tower.opening_hours.verified is False and tower.opening_hours.weekly
    # Đông Hải's code differs between dataset releases: the installed release's code is stored.
    beach = await attractions.get_attraction(conn, "binh-son-park")
    assert beach.commune_code == commune_code_by_name("Phường Đông Hải")

    kate = await events.get_event(conn, "kate")
    assert kate.recurrence == "yearly" and kate.date_precision == "approximate"
    assert kate.attraction_slug == "po-klong-garai" and kate.lat == tower.lat


async def test_seed_reads_the_packaged_copy(conn: asyncpg.Connection) -> None:
    summary = await seed_demo(conn, PACKAGED_DEMO_PATH)
    assert summary.attractions_created == 27
    queued = await conn.fetchval("SELECT count(*) FROM search_outbox WHERE document_id LIKE 'attraction:%'")
    assert queued >= 27


async def test_search_source_documents(conn: asyncpg.Connection) -> None:
    from tourism.search_source import TourismSource

    await seed_demo(conn)
    source = TourismSource()
    documents = [document async for document in source.iter_all(conn)]
    assert len(documents) == 32 and {d.kind for d in documents} == {"attraction", "event"}
    tower = next(d for d in documents if d.id == "attraction:po-klong-garai")
    assert tower.point is not None and (tower.point.lat, tower.point.lng) == (11.6018, 108.9465)
    assert tower.url_path == "/attractions/po-klong-garai" and tower.name["vi"] == "Tháp Pô Klông Garai"
    assert tower.commune_code == commune_code_by_name("Phường Đô Vinh") and tower.category == "heritage"
    kate = next(d for d in documents if d.id == "event:kate")
    assert kate.point == tower.point and kate.url_path == "/events/kate"

    await attractions.publish_attraction(conn, "hoa-lai", published=False)
    loaded = await source.load(conn, ["attraction:hoa-lai", "attraction:nowhere", "event:kate", "bogus"])
    assert set(loaded) == {"attraction:hoa-lai", "event:kate"}
    assert loaded["attraction:hoa-lai"].published is False
    # Every write queued its documents in the same transaction.
    queued = await conn.fetchval("SELECT count(*) FROM search_outbox WHERE document_id = 'attraction:hoa-lai'")
    assert queued == 2
