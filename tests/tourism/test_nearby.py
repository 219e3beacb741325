"""Nearby: producers, products, experiences and attractions, nearest first and within the radius."""

import re

import asyncpg

from tourism.nearby import find_nearby


async def _index_listings(drain, listing, shift, tower) -> object:
    engine = await drain()  # the demo attractions, through the real outbox and indexer
    await engine.upsert(
        [
            listing(
                "product",
                "nho-do",
                {"vi": "Nho đỏ Ninh Thuận", "en": "Ninh Thuan red grapes"},
                shift(tower, 1.0),
                price_min=40000,
            ),
            listing("product", "vang-nho", {"vi": "Vang nho", "en": "Grape wine"}, shift(tower, 0.3), price_min=120000),
            listing("product", "toi-xa", {"vi": "Tỏi", "en": "Garlic"}, shift(tower, 4.0, 2.0), price_min=60000),
            listing("product", "far-away", {"vi": "Xa", "en": "Far away"}, shift(tower, 30.0)),
            listing("merchant", "htx-bau-truc", {"vi": "HTX gốm Bàu Trúc"}, shift(tower, -2.0)),
            listing(
                "experience",
                "lam-gom",
                {"vi": "Lớp làm gốm", "en": "Pottery class"},
                shift(tower, 0.0, 1.5),
                price_min=150000,
            ),
        ]
    )
    return engine


async def test_nearby_is_ordered_by_distance_and_respects_the_radius(demo, drain, listing, shift, tower) -> None:
    engine = await _index_listings(drain, listing, shift, tower)
    nearby = await find_nearby(engine, *tower, 5_000, locale="en", exclude_ids=("attraction:po-klong-garai",))
    products = nearby.groups["product"]
    assert [item.id for item in products] == ["product:vang-nho", "product:nho-do", "product:toi-xa"]
    distances = [item.distance_m for item in products]
    assert distances == sorted(distances) and all(d <= 5_000 for d in distances)
    assert 250 < distances[0] < 380  # 0.3 km north
    assert [item.id for item in nearby.groups["merchant"]] == ["merchant:htx-bau-truc"]
    assert [item.id for item in nearby.groups["experience"]] == ["experience:lam-gom"]
    # The attraction itself is left out; Ba Moi vineyard is 5.4 km away, outside 5 km.
    assert all(item.id != "attraction:po-klong-garai" for item in nearby.groups["attraction"])
    assert "attraction:ba-moi-vineyard" not in {item.id for item in nearby.groups["attraction"]}

    wider = await find_nearby(engine, *tower, 10_000, exclude_ids=("attraction:po-klong-garai",))
    attractions = [item.id for item in wider.groups["attraction"]]
    assert attractions[:2] == ["attraction:ba-moi-vineyard", "attraction:square-16-4"]
    distances = [item.distance_m for item in wider.groups["attraction"]]
    assert distances == sorted(distances) and max(distances) <= 10_000

    narrow = await find_nearby(engine, *tower, 500)
    assert [item.id for item in narrow.groups["product"]] == ["product:vang-nho"]


async def test_attraction_page_shows_local_products_with_locale_distances(
    client, demo, drain, listing, shift, tower
) -> None:
    await _index_listings(drain, listing, shift, tower)
    html = (await client.get("/en/attractions/po-klong-garai?radius=5000")).text
    section = html[html.index('id="nearby"') :]
    assert section.index("Grape wine") < section.index("Ninh Thuan red grapes") < section.index("Garlic")
    assert "Far away" not in section
    assert "1.0 km" in section  # the red grapes, formatted for English
    vi = (await client.get("/vi/attractions/po-klong-garai?radius=5000")).text
    assert "1,0 km" in vi[vi.index('id="nearby"') :]
    assert re.search(r'<option value="5000" selected>', html)


async def test_nearby_api_and_near_me(client, demo, drain, listing, shift, tower) -> None:
    await _index_listings(drain, listing, shift, tower)
    data = (await client.get("/api/v1/attractions/po-klong-garai/nearby?radius_m=5000&kinds=product")).json()
    assert list(data["groups"]) == ["product"]
    assert [item["id"] for item in data["groups"]["product"]] == [
        "product:vang-nho",
        "product:nho-do",
        "product:toi-xa",
    ]
    point = shift(tower, 0.0, 1.5)
    near_me = (await client.get(f"/api/v1/nearby?lat={point[0]}&lng={point[1]}&radius_m=1000")).json()
    assert near_me["groups"]["experience"][0]["id"] == "experience:lam-gom"
    assert near_me["groups"]["experience"][0]["distance_m"] < 50
    page = await client.get(f"/en/nearby?lat={point[0]}&lng={point[1]}&radius=2000")
    assert page.status_code == 200 and "Pottery class" in page.text
    bad = await client.get("/en/nearby?lat=abc&lng=108")
    assert bad.status_code == 400 and "Enter a latitude" in bad.text
    assert (await client.get("/api/v1/nearby?lat=95&lng=108")).status_code == 400
    assert (await client.get("/api/v1/attractions/po-klong-garai/nearby?kinds=weapons")).status_code == 422


async def test_page_renders_when_search_is_down(client, demo, monkeypatch) -> None:
    from search.postgres import PostgresEngine

    async def broken(self, query):
        raise ConnectionError("engine down")

    monkeypatch.setattr(PostgresEngine, "search", broken)
    response = await client.get("/en/attractions/po-klong-garai")
    assert response.status_code == 200
    assert "Nearby places cannot be shown right now" in response.text


async def test_unpublished_attraction_leaves_search_after_indexing(demo: asyncpg.Pool, drain, tower) -> None:
    from tourism.attractions import service

    engine = await drain()
    before = await find_nearby(engine, *tower, 10_000, kinds=("attraction",))
    assert "attraction:ba-moi-vineyard" in {item.id for item in before.groups["attraction"]}
    async with demo.acquire() as connection, connection.transaction():
        await service.publish_attraction(connection, "ba-moi-vineyard", published=False)
    await drain()
    after = await find_nearby(engine, *tower, 10_000, kinds=("attraction",))
    assert "attraction:ba-moi-vineyard" not in {item.id for item in after.groups["attraction"]}
