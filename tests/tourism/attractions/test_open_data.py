"""Open data of attractions: GeoJSON (longitude first), CSV and the page's schema.org JSON-LD parse back."""

import csv
import io

import asyncpg


async def test_geojson_is_valid_with_longitude_first(client, demo: asyncpg.Pool) -> None:
    response = await client.get("/api/v1/attractions.geojson")
    assert response.status_code == 200 and response.headers["content-type"].startswith("application/geo+json")
    data = response.json()
    assert data["type"] == "FeatureCollection" and len(data["features"]) == 27
    for feature in data["features"]:
        assert feature["type"] == "Feature" and set(feature) >= {"geometry", "properties"}
        geometry = feature["geometry"]
        assert geometry["type"] == "Point" and len(geometry["coordinates"]) == 2
        lng, lat = geometry["coordinates"]
        # The province lies near 11-12 N, 108-109 E: a swapped pair would fail both ranges.
        assert 108.0 < lng < 109.5 and 11.0 < lat < 12.5, feature["id"]
    tower = next(f for f in data["features"] if f["properties"]["slug"] == "po-klong-garai")
    assert tower["geometry"]["coordinates"] == [108.9465, 11.6018]
    assert tower["properties"]["name"]["vi"] == "Tháp Pô Klông Garai"


async def test_csv_download(client, demo: asyncpg.Pool) -> None:
    rows = list(csv.DictReader(io.StringIO((await client.get("/api/v1/attractions.csv")).text)))
    assert len(rows) == 27
    tower = next(row for row in rows if row["slug"] == "po-klong-garai")
    assert tower["name_vi"] == "Tháp Pô Klông Garai" and tower["latitude"] == "11.6018"
    assert tower["commune_name"] == "Phường Đô Vinh" and tower["commune_dataset_version"]


async def test_page_carries_schema_org_json_ld(client, demo: asyncpg.Pool, page_json_ld) -> None:
    data = page_json_ld((await client.get("/en/attractions/po-klong-garai")).text)
    assert data["@type"] == "TouristAttraction" and data["name"] == "Po Klong Garai Cham Towers"
    assert data["geo"] == {"@type": "GeoCoordinates", "latitude": 11.6018, "longitude": 108.9465}
    assert data["openingHoursSpecification"][0]["opens"] == "07:00"


async def test_csv_neutralises_formulas(client, demo: asyncpg.Pool) -> None:
    # An editor's (or an attacker's) name that a spreadsheet would run: it must arrive as text.
    await demo.execute("""UPDATE tourism.attractions SET name = name || jsonb_build_object('vi', '=HYPERLINK("http://x.test","a")',
                                                                               'en', '@SUM(1)', 'fr', e'\\tx')
                          WHERE slug = 'po-klong-garai'""")
    rows = list(csv.DictReader(io.StringIO((await client.get("/api/v1/attractions.csv")).text)))
    tower = next(row for row in rows if row["slug"] == "po-klong-garai")
    assert tower["name_vi"] == "'=HYPERLINK(\"http://x.test\",\"a\")"
    assert tower["name_en"] == "'@SUM(1)" and tower["name_fr"] == "'\tx"
    assert float(tower["longitude"]) > 0  # numbers stay numbers


def test_every_text_cell_starting_a_formula_is_quoted() -> None:
    from tourism.opendata import csv_text

    text = csv_text(["h"], [[value] for value in ("=1+1", "+1", "-1", "@A1", "\tA", "\rA", "ok", -5)])
    cells = [row[0] for row in csv.reader(io.StringIO(text))][1:]
    assert cells == ["'=1+1", "'+1", "'-1", "'@A1", "'\tA", "'\rA", "ok", "-5"]
