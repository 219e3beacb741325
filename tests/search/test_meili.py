"""MeilisearchEngine's translation of settings, documents, queries and answers, against a recorded fake API."""

import json
from typing import Any

import httpx2
import msgspec
import pytest
from meilisearch_python_sdk._http_requests import AsyncHttpRequests

from search.errors import SearchError, SearchUnavailable
from search.meili import MeilisearchEngine, meili_uid, to_meili_document
from search.models import GeoFilter, SearchFilters, SearchQuery
from tests.search.search_samples import DOCUMENTS

URL = "http://meili.test:7700"
NOW = "2026-11-24T10:00:00Z"


class FakeMeili:
    """Answers like Meilisearch 1.x and records each request (method, path, query, JSON body, headers)."""

    def __init__(self) -> None:
        self.requests: list[tuple[str, str, dict[str, str], Any, httpx2.Headers]] = []
        self.index_exists = True
        self.next_task = 0
        self.task_status = "succeeded"
        self.search_answer: dict[str, Any] = {"hits": [], "processingTimeMs": 1, "query": "", "estimatedTotalHits": 0}
        self.documents: list[dict[str, Any]] = []
        self.unreachable = False

    def calls(self, method: str, path: str) -> list[tuple[dict[str, str], Any]]:
        return [(query, body) for m, p, query, body, _ in self.requests if m == method and p == path]

    def _task(self, kind: str) -> httpx2.Response:
        uid, self.next_task = self.next_task, self.next_task + 1
        return httpx2.Response(
            202, json={"taskUid": uid, "indexUid": "listings", "status": "enqueued", "type": kind, "enqueuedAt": NOW}
        )

    def __call__(self, request: httpx2.Request) -> httpx2.Response:
        if self.unreachable:
            raise httpx2.ConnectError("connection refused", request=request)
        body = json.loads(request.content) if request.content else None
        path = request.url.path
        self.requests.append((request.method, path, dict(request.url.params), body, request.headers))
        if request.method == "GET" and path.startswith("/tasks/"):
            uid = int(path.rsplit("/", 1)[1])
            return httpx2.Response(200, json={
                "uid": uid, "indexUid": "listings", "status": self.task_status, "type": "documentAdditionOrUpdate",
                "enqueuedAt": NOW, "startedAt": NOW, "finishedAt": NOW,
                "error": None if self.task_status == "succeeded" else {"code": "invalid_document_id"},
            })
        if request.method == "GET" and path == "/indexes/listings":
            if not self.index_exists:
                return httpx2.Response(404, json={"message": "Index `listings` not found.", "code": "index_not_found",
                                                 "type": "invalid_request", "link": ""})
            return httpx2.Response(200, json={"uid": "listings", "primaryKey": "uid", "createdAt": NOW,
                                              "updatedAt": NOW})
        if request.method == "POST" and path == "/indexes":
            self.index_exists = True
            return self._task("indexCreation")
        if request.method == "PATCH" and path == "/indexes/listings/settings":
            return self._task("settingsUpdate")
        if request.method == "POST" and path == "/indexes/listings/documents":
            return self._task("documentAdditionOrUpdate")
        if request.method == "POST" and path == "/indexes/listings/documents/delete-batch":
            return self._task("documentDeletion")
        if request.method == "DELETE" and path == "/indexes/listings/documents":
            return self._task("documentDeletion")
        if request.method == "POST" and path == "/indexes/listings/search":
            return httpx2.Response(200, json=self.search_answer)
        if request.method == "GET" and path == "/indexes/listings/stats":
            # Every locale's name field present, as in the demo data.
            fields = {f"name_{locale}": 1 for locale in ("vi", "en", "zh", "ko", "ja", "ru", "fr", "ar")}
            return httpx2.Response(200, json={"numberOfDocuments": 1, "isIndexing": False,
                                              "fieldDistribution": fields})
        if request.method == "GET" and path == "/indexes/listings/documents":
            offset, limit = int(request.url.params["offset"]), int(request.url.params["limit"])
            page = self.documents[offset : offset + limit]
            return httpx2.Response(200, json={"results": page, "offset": offset, "limit": limit,
                                              "total": len(self.documents)})
        return httpx2.Response(404, json={"message": f"unexpected {request.method} {path}", "code": "not_found",
                                          "type": "invalid_request", "link": ""})


@pytest.fixture
def fake() -> FakeMeili:
    return FakeMeili()


@pytest.fixture
def engine(fake: FakeMeili) -> MeilisearchEngine:
    created = MeilisearchEngine(URL, "master-key", task_timeout_ms=2000, batch_size=5)
    client = created.client
    # The SDK builds its own httpx2 client; swapping it is the only way to put a transport under it.
    client.http_client = httpx2.AsyncClient(base_url=URL, headers=client._headers, transport=httpx2.MockTransport(fake))
    client._http_requests = AsyncHttpRequests(client.http_client, json_handler=client.json_handler)
    return created


async def test_setup_creates_the_index_and_sends_the_settings(engine: MeilisearchEngine, fake: FakeMeili) -> None:
    fake.index_exists = False
    await engine.setup()
    assert fake.calls("POST", "/indexes") == [({}, {"uid": "listings", "primaryKey": "uid"})]
    [(_, settings)] = fake.calls("PATCH", "/indexes/listings/settings")
    assert settings["searchableAttributes"][:2] == ["name_vi", "name_en"]
    assert settings["searchableAttributes"][-1] == "text_ar"
    assert {"kind", "category", "commune_code", "price_min", "price_max", "rating", "ocop_stars", "available",
            "_geo", "id"} <= set(settings["filterableAttributes"])
    assert {"price_min", "price_max", "rating", "popularity", "_geo", "available"} <= set(
        settings["sortableAttributes"])
    assert {"locales": ["vie"], "attributePatterns": ["*_vi"]} in settings["localizedAttributes"]
    assert {"locales": ["cmn"], "attributePatterns": ["*_zh"]} in settings["localizedAttributes"]
    assert len(settings["localizedAttributes"]) == 8
    assert settings["typoTolerance"]["enabled"] is True
    assert settings["typoTolerance"]["minWordSizeForTypos"] == {"oneTypo": 5, "twoTypos": 9}
    assert settings["rankingRules"][0] == "sort" and "popularity:desc" in settings["rankingRules"]
    assert settings["pagination"] == {"maxTotalHits": 1000}
    # Every task is waited for before setup returns, and the key travels as a Bearer token.
    assert [p for m, p, *_ in fake.requests if p.startswith("/tasks/")] == ["/tasks/0", "/tasks/1"]
    assert all(headers["authorization"] == "Bearer master-key" for *_, headers in fake.requests)


async def test_upsert_sends_batches_and_waits_for_each(engine: MeilisearchEngine, fake: FakeMeili) -> None:
    unpublished = msgspec.structs.replace(DOCUMENTS[0], published=False)
    await engine.upsert([*DOCUMENTS[1:], unpublished])
    batches = fake.calls("POST", "/indexes/listings/documents")
    assert [len(body) for _, body in batches] == [5, 5, 1]
    assert all(query == {"primaryKey": "uid"} for query, _ in batches)
    sent = {doc["id"]: doc for _, body in batches for doc in body}
    assert DOCUMENTS[0].id not in sent
    gom = sent["product:gom-bau-truc"]
    assert gom["uid"] == meili_uid("product:gom-bau-truc") and gom["name_vi"] == "Gốm Bàu Trúc"
    assert gom["_geo"] == {"lat": 11.6106, "lng": 108.8496} and gom["kind"] == "product"
    assert gom["document"]["slug"] == "gom-bau-truc" and gom["price_min"] == 50000
    assert fake.calls("POST", "/indexes/listings/documents/delete-batch") == [({}, [meili_uid(DOCUMENTS[0].id)])]
    methods_paths = [(m, p) for m, p, *_ in fake.requests]
    # Each batch's task is awaited before the next batch is sent.
    assert methods_paths[:4] == [("POST", "/indexes/listings/documents"), ("GET", "/tasks/0"),
                                 ("POST", "/indexes/listings/documents"), ("GET", "/tasks/1")]


def test_uids_are_valid_meilisearch_keys_for_any_id() -> None:
    for document_id in ("product:42", "attraction:pô-klông garai/ü", "event:" + "x" * 600):
        uid = meili_uid(document_id)
        assert uid.isalnum() and len(uid) <= 511
    assert meili_uid("product:1") != meili_uid("product:2")
    assert "summary_zh" not in to_meili_document(DOCUMENTS[0]) and "name_zh" in to_meili_document(DOCUMENTS[0])


async def test_search_request_translation(engine: MeilisearchEngine, fake: FakeMeili) -> None:
    query = SearchQuery(
        text="gom bau truc", locale="ko", page=3, per_page=10, sort="distance",
        facets=("kind", "commune_code"), geo=GeoFilter(lat=11.61, lng=108.85, radius_m=5000),
        filters=SearchFilters(kinds=("product", "experience"), categories=('say "hi"',), commune_codes=(22800,),
                              price_min=10000, price_max=200000, min_rating=4.5, min_ocop_stars=3,
                              available_only=True, merchant_id=7),
        exclude_ids=("product:nho-xanh",),
    )
    await engine.search(query)
    [(_, body)] = fake.calls("POST", "/indexes/listings/search")
    assert body["q"] == "gom bau truc" and body["offset"] == 20 and body["limit"] == 10
    assert body["locales"] == ["kor"]
    assert body["facets"] == ["kind", "commune_code"]
    assert body["filter"] == [
        'kind IN ["product", "experience"]', 'category IN ["say \\"hi\\""]', "commune_code IN [22800]",
        "price_max >= 10000", "price_min <= 200000", "rating >= 4.5", "ocop_stars >= 3", "available = true",
        "merchant_id = 7", 'id NOT IN ["product:nho-xanh"]', "_geoRadius(11.61, 108.85, 5000)",
    ]
    assert body["sort"] == ["available:desc", "_geoPoint(11.61, 108.85):asc"]
    # `_geo` retrieved: without it Meilisearch sends no `_geoDistance` and every nearby list came out empty.
    assert body["attributesToRetrieve"] == ["document", "_geo"]
    assert body["attributesToHighlight"][0] == "name_ko"
    assert body["showRankingScore"] is True


@pytest.mark.parametrize(
    ("sort", "expected"),
    [("relevance", ["available:desc"]), ("price_asc", ["available:desc", "price_min:asc"]),
     ("price_desc", ["available:desc", "price_max:desc"]), ("rating", ["available:desc", "rating:desc"]),
     ("newest", ["available:desc", "updated_at:desc"]), ("distance", ["available:desc"])],
)
async def test_sort_translation(engine: MeilisearchEngine, fake: FakeMeili, sort: str, expected: list[str]) -> None:
    await engine.search(SearchQuery(text="nho", sort=sort))  # type: ignore[arg-type]
    [(_, body)] = fake.calls("POST", "/indexes/listings/search")
    assert body["sort"] == expected and body["filter"] is None


async def test_answers_become_search_results(engine: MeilisearchEngine, fake: FakeMeili) -> None:
    gom, nho = DOCUMENTS[2], DOCUMENTS[0]
    fake.search_answer = {
        "hits": [
            {"document": msgspec.to_builtins(gom), "_rankingScore": 0.97, "_geoDistance": 42,
             "_formatted": {"name_en": "\ue000Bau\ue001 \ue000Truc\ue001 <pottery>", "name_vi": "Gốm Bàu Trúc"}},
            {"document": msgspec.to_builtins(nho), "_rankingScore": 0.5,
             "_formatted": {"name_en": "Ninh Thuan green grapes", "summary_en": "Grown near \ue000Bau\ue001"}},
        ],
        "processingTimeMs": 3, "query": "bau truc", "estimatedTotalHits": 2,
        "facetDistribution": {"kind": {"product": 2}, "commune_code": {"22800": 1, "22900": 1}},
    }
    result = await engine.search(SearchQuery(text="bau truc", locale="en", facets=("kind", "commune_code")))
    assert [hit.document for hit in result.hits] == [gom, nho]
    assert result.hits[0].highlight == "<mark>Bau</mark> <mark>Truc</mark> &lt;pottery&gt;"
    # The title is always the name; the matching summary is the snippet below it.
    assert result.hits[1].highlight == "Ninh Thuan green grapes"
    assert (result.hits[1].snippet, result.hits[1].snippet_locale) == ("Grown near <mark>Bau</mark>", "en")
    assert result.hits[0].distance_m == 42 and result.hits[0].score == 0.97
    assert result.estimated_total == 2
    assert [(f.value, f.count) for f in result.facets["commune_code"]] == [("22800", 1), ("22900", 1)]
    assert [(f.value, f.count) for f in result.facets["kind"]] == [("product", 2)]


async def test_distances_without_a_distance_sort_come_from_the_hits_point(
    engine: MeilisearchEngine, fake: FakeMeili
) -> None:
    # Meilisearch sends `_geoDistance` only for a `_geoPoint` sort; a radius alone must still give distances.
    fake.search_answer = {
        "hits": [{"document": msgspec.to_builtins(DOCUMENTS[2]), "_geo": {"lat": 11.6106, "lng": 108.8496}}],
        "processingTimeMs": 1, "query": "", "estimatedTotalHits": 1,
    }
    result = await engine.search(SearchQuery(geo=GeoFilter(lat=11.6106, lng=108.8506, radius_m=1000)))
    assert result.hits[0].distance_m is not None and 100 < result.hits[0].distance_m < 115  # 0.001° of longitude


async def test_answers_are_asked_for_uncompressed(engine: MeilisearchEngine, fake: FakeMeili) -> None:
    # A brotli answer arrives in several small writes, and Nagle's algorithm with delayed ACKs then held
    # every search on a kept-alive connection for about 40 ms; an identity answer is one write.
    await engine.search(SearchQuery(text="nho"))
    assert [headers["accept-encoding"] for *_, headers in fake.requests] == ["identity"]


async def test_suggest_searches_names_in_the_visitors_locale(engine: MeilisearchEngine, fake: FakeMeili) -> None:
    fake.search_answer = {"hits": [{"document": msgspec.to_builtins(DOCUMENTS[6])}], "processingTimeMs": 1,
                          "query": "thap", "estimatedTotalHits": 1}
    suggestions = await engine.suggest("thap po", "ar", limit=50)
    assert [(s.text, s.url_path) for s in suggestions] == [("أبراج بو كلونغ غاراي", "/attractions/po-klong-garai")]
    [(_, body)] = fake.calls("POST", "/indexes/listings/search")
    assert body["limit"] == 8 and body["locales"] == ["ara"] and body["q"] == "thap po"
    assert body["attributesToSearchOn"][0] == "name_vi" and len(body["attributesToSearchOn"]) == 8


async def test_get_ids_reads_every_page(engine: MeilisearchEngine, fake: FakeMeili) -> None:
    fake.documents = [{"id": f"product:{i}"} for i in range(2500)]
    assert await engine.get_ids() == {f"product:{i}" for i in range(2500)}
    assert [q["offset"] for q, _ in fake.calls("GET", "/indexes/listings/documents")] == ["0", "1000", "2000"]
    assert fake.calls("GET", "/indexes/listings/documents")[0][0]["fields"] == "id"


async def test_delete_and_clear(engine: MeilisearchEngine, fake: FakeMeili) -> None:
    await engine.delete(["product:1", "product:1", "event:kate"])
    [(_, uids)] = fake.calls("POST", "/indexes/listings/documents/delete-batch")
    assert sorted(uids) == sorted([meili_uid("product:1"), meili_uid("event:kate")])
    await engine.clear()
    assert len(fake.calls("DELETE", "/indexes/listings/documents")) == 1


async def test_a_failed_task_and_an_unreachable_server_raise_search_errors(
    engine: MeilisearchEngine, fake: FakeMeili
) -> None:
    fake.task_status = "failed"
    with pytest.raises(SearchError):
        await engine.upsert(DOCUMENTS[:1])
    fake.unreachable = True
    with pytest.raises(SearchUnavailable) as raised:
        await engine.search(SearchQuery(text="nho"))
    assert raised.value.status_code == 503


async def test_unknown_facets_are_refused_before_any_request(engine: MeilisearchEngine, fake: FakeMeili) -> None:
    with pytest.raises(SearchError) as raised:
        await engine.search(SearchQuery(facets=("secret_field",)))
    assert raised.value.status_code == 400 and fake.requests == []
