"""The open data catalogue: DCAT in JSON-LD that expands offline, downloads that answer, dates from the data."""

import csv
import io
import re
from datetime import UTC, datetime
from typing import Any

import asyncpg
import msgspec
import pytest
import pytest_asyncio
from litestar.testing import AsyncTestClient
from pyld import jsonld

from i18n import SUPPORTED_LOCALES
from marketplace.opendata.catalogue import DCAT_CONTEXT
from marketplace.opendata.models import DATASETS, LICENSE_URL
from marketplace.province import service as province
from tourism.demo.seed import seed_demo

# Not the test client's origin: every link must come from the settings, not from the request.
PUBLIC_BASE = "http://opendata.example.test:8080"
DCAT = "http://www.w3.org/ns/dcat#"
DCT = "http://purl.org/dc/terms/"
XSD_DATETIME = "http://www.w3.org/2001/XMLSchema#dateTime"
ATTRACTIONS_CHANGED = datetime(2026, 11, 3, 8, 30, tzinfo=UTC)
EVENTS_CHANGED = datetime(2026, 10, 20, 1, 0, tzinfo=UTC)
INDICATORS_COMPUTED = datetime(2026, 11, 30, 17, 0, tzinfo=UTC)
IANA = "https://www.iana.org/assignments/media-types/"


def no_network(url: str, options: dict[str, Any] | None = None) -> dict[str, Any]:
    """pyld's document loader: the catalogue carries its context inline, so nothing may be fetched."""
    raise AssertionError(f"the catalogue made the JSON-LD processor fetch {url}")


@pytest_asyncio.fixture
async def published(pool: asyncpg.Pool) -> asyncpg.Pool:
    """The demo attractions and events, their last changes at known instants, and one month of indicators."""
    async with pool.acquire() as connection, connection.transaction():
        await seed_demo(connection)
        await connection.execute(
            "UPDATE tourism.attractions SET updated_at = $1::timestamptz - make_interval(days => id::integer)",
            ATTRACTIONS_CHANGED)
        await connection.execute("UPDATE tourism.attractions SET updated_at = $1 WHERE slug = 'po-klong-garai'",
                                 ATTRACTIONS_CHANGED)
        await connection.execute("UPDATE tourism.events SET updated_at = $1", EVENTS_CHANGED)
        await province.refresh_period(connection, province.parse_period(None))
        await connection.execute("UPDATE indicator_snapshots SET computed_at = $1", INDICATORS_COMPUTED)
    return pool


@pytest_asyncio.fixture
async def public_client(settings: Any) -> Any:
    from marketplace.app import create_app

    app = create_app(msgspec.structs.replace(settings, base_url=PUBLIC_BASE))
    async with AsyncTestClient(app=app, base_url="http://127.0.0.1:8000") as client:
        yield client


async def _expanded(client: Any) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    response = await client.get("/api/v1/datasets")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/ld+json")
    document = response.json()
    assert document["@context"] == DCAT_CONTEXT  # inline: no remote context to fetch
    return document, jsonld.expand(document, {"documentLoader": no_network})


def _nodes(expanded: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Every node of the expanded document by @id, the nested ones too."""
    found: dict[str, dict[str, Any]] = {}

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            if "@id" in value and "@type" in value:
                found[value["@id"]] = value
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    walk(expanded)
    return found


def _ids(node: dict[str, Any], prop: str) -> list[str]:
    return [item["@id"] for item in node.get(prop, [])]


def _value(node: dict[str, Any], prop: str) -> dict[str, Any]:
    (item,) = node[prop]
    return item


async def test_catalogue_expands_to_dcat_offline(public_client: Any, published: asyncpg.Pool) -> None:
    _, expanded = await _expanded(public_client)
    nodes = _nodes(expanded)
    (catalogue,) = [node for node in nodes.values() if DCAT + "Catalog" in node["@type"]]
    assert catalogue["@id"] == PUBLIC_BASE + "/api/v1/datasets"
    assert _ids(catalogue, DCT + "license") == [LICENSE_URL]
    publisher_id = _ids(catalogue, DCT + "publisher")[0]
    assert "http://xmlns.com/foaf/0.1/Agent" in nodes[publisher_id]["@type"]
    titles = {item["@language"]: item["@value"] for item in catalogue[DCT + "title"]}
    assert set(titles) == set(SUPPORTED_LOCALES) and titles["vi"] != titles["en"]

    datasets = [nodes[dataset_id] for dataset_id in _ids(catalogue, DCAT + "dataset")]
    assert [_value(d, DCT + "identifier")["@value"] for d in datasets] == [spec.key for spec in DATASETS]
    for dataset, spec in zip(datasets, DATASETS, strict=True):
        assert DCAT + "Dataset" in dataset["@type"]
        assert _ids(dataset, DCT + "publisher") == [publisher_id]
        assert _ids(dataset, DCT + "license") == [LICENSE_URL]
        assert _value(dataset, DCT + "modified")["@type"] == XSD_DATETIME
        assert _value(dataset, DCT + "issued")["@type"] == XSD_DATETIME
        distributions = [nodes[item] for item in _ids(dataset, DCAT + "distribution")]
        assert len(distributions) == len(spec.distributions)
        for distribution, expected in zip(distributions, spec.distributions, strict=True):
            assert DCAT + "Distribution" in distribution["@type"]
            assert _ids(distribution, DCAT + "downloadURL") == [PUBLIC_BASE + expected.path]
            assert _ids(distribution, DCAT + "mediaType") == [
                "https://www.iana.org/assignments/media-types/" + expected.media_type]
            assert _value(distribution, DCT + "format")["@value"] == expected.format
            assert _ids(distribution, DCT + "license") == [LICENSE_URL]
    formats = {_value(nodes[d], DCT + "format")["@value"] for ds in datasets for d in _ids(ds, DCAT + "distribution")}
    assert formats == {"GeoJSON", "CSV", "iCalendar"}


async def test_dates_are_the_data_s_own(public_client: Any, published: asyncpg.Pool) -> None:
    document, _ = await _expanded(public_client)
    by_key = {dataset["dct:identifier"]: dataset for dataset in document["dcat:dataset"]}
    assert datetime.fromisoformat(by_key["attractions"]["dct:modified"]) == ATTRACTIONS_CHANGED
    assert datetime.fromisoformat(by_key["events"]["dct:modified"]) == EVENTS_CHANGED
    assert datetime.fromisoformat(by_key["indicators"]["dct:modified"]) == INDICATORS_COMPUTED
    assert datetime.fromisoformat(document["dct:modified"]) == INDICATORS_COMPUTED  # the latest of the three
    first_published = await published.fetchval(
        "SELECT min(coalesce(published_at, created_at)) FROM tourism.attractions WHERE status = 'published'")
    assert datetime.fromisoformat(by_key["attractions"]["dct:issued"]) == first_published
    for distribution in by_key["events"]["dcat:distribution"]:
        assert datetime.fromisoformat(distribution["dct:modified"]) == EVENTS_CHANGED


async def test_every_listed_download_answers(public_client: Any, published: asyncpg.Pool) -> None:
    document, _ = await _expanded(public_client)
    urls = [(distribution["dcat:downloadURL"], distribution["dcat:mediaType"])
            for dataset in document["dcat:dataset"] for distribution in dataset["dcat:distribution"]]
    assert len(urls) == sum(len(spec.distributions) for spec in DATASETS) == 6
    for url, media_type in urls:
        assert url.startswith(PUBLIC_BASE + "/api/v1/"), url
        response = await public_client.get(url.removeprefix(PUBLIC_BASE))
        assert response.status_code == 200, url
        assert response.headers["content-type"].split(";")[0] == media_type.removeprefix(IANA), url
        assert response.content, url
    for locale in SUPPORTED_LOCALES:
        landing = [dataset["dcat:landingPage"] for dataset in document["dcat:dataset"]]
        for url in landing:
            page = url.removeprefix(PUBLIC_BASE).replace("/vi/", f"/{locale}/", 1)
            assert (await public_client.get(page)).status_code == 200, page


async def test_public_indicators_are_the_province_s_months_only(client: Any, published: asyncpg.Pool) -> None:
    response = await client.get("/api/v1/indicators.csv")
    assert response.status_code == 200 and "public" in response.headers["cache-control"]
    rows = list(csv.DictReader(io.StringIO(response.text)))
    # The one month the fixture computed (read back, so a run across midnight at a month's end agrees).
    kept = await published.fetchrow("SELECT period, figures FROM indicator_snapshots WHERE commune_code = 0")
    assert [row["period"] for row in rows] == [province.period_label(kept["period"])]
    assert int(rows[0]["attractions"]) == kept["figures"]["attractions"] == 27
    # No commune rows, no search terms, no agents' names: those are the officials' exports.
    assert "commune_code" not in rows[0] and "area" not in rows[0]
    assert "top_zero_result_terms" not in response.text and "agents" not in rows[0]


@pytest.mark.parametrize("locale", SUPPORTED_LOCALES)
async def test_open_data_page_in_every_locale(client: Any, published: asyncpg.Pool, locale: str) -> None:
    response = await client.get(f"/{locale}/open-data")
    assert response.status_code == 200
    html = response.text
    direction = "rtl" if locale == "ar" else "ltr"
    assert re.search(f'<html lang="{locale}" dir="{direction}"', html)
    assert "<script" not in html.replace('<script type="application/ld+json"', "")
    for spec in DATASETS:
        for distribution in spec.distributions:
            assert f'href="{distribution.path}"' in html
    assert f'href="{LICENSE_URL}"' in html and 'href="/api/v1/datasets"' in html
    assert html.count("<time datetime=") == len(DATASETS)
    home = (await client.get(f"/{locale}/")).text
    assert f'href="/{locale}/open-data"' in home  # the footer leads here
