"""Tourism's search documents: attractions and events as search sees them, and drafts loaded unpublished."""

import asyncpg

from tourism.attractions import service as attractions
from tourism.communes import commune_code_by_name
from tourism.demo.seed import seed_demo


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
