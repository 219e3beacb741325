"""Demo seeding: every attraction and event lands, wards resolve by name, and a second run only updates."""

import asyncpg

from tourism.attractions import service as attractions
from tourism.communes import DATASET_VERSION, commune_code_by_name
from tourism.demo.seed import PACKAGED_DEMO_PATH, seed_demo
from tourism.events import service as events


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
