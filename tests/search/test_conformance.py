"""The conformance suite every search engine must pass (PostgreSQL here; Meilisearch where it runs)."""

import msgspec
import pytest

from search.engine import SearchEngine
from search.models import GeoFilter, SearchFilters, SearchQuery
from tests.search.search_samples import DO_VINH, DOCUMENTS, NINH_HAI, PHUOC_DINH, doc


async def ids(engine: SearchEngine, text: str = "", **options: object) -> list[str]:
    result = await engine.search(SearchQuery(text=text, **options))  # type: ignore[arg-type]
    return [hit.document.id for hit in result.hits]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("nho ninh thuan", "product:nho-xanh"),
        ("Nho Ninh Thuận", "product:nho-xanh"),
        ("gom bau truc", "product:gom-bau-truc"),
        ("GỐM BÀU TRÚC", "product:gom-bau-truc"),
        ("duong thot not", "product:duong-thot-not"),
        ("thap po klong garai", "attraction:po-klong-garai"),
        ("doi cat", "attraction:doi-cat-nam-cuong"),
    ],
)
async def test_text_without_diacritics_finds_the_accented_listing_first(
    loaded: SearchEngine, text: str, expected: str
) -> None:
    assert (await ids(loaded, text))[:1] == [expected]


async def test_d_with_stroke_and_plain_d_match_both_ways(loaded: SearchEngine) -> None:
    # The listing is written "Đặng Dương"; typed as "dang duong" and as "Đặng Đương" it is found.
    assert "merchant:htx-dan-duong" in await ids(loaded, "dang duong")
    assert "merchant:htx-dan-duong" in await ids(loaded, "Đặng Đương")
    # "Phước Dinh" is written with a plain D; typing Đ finds it too.
    assert "product:nho-xanh" in await ids(loaded, "Phước Đinh")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("nho ninh thuam", "product:nho-xanh"),  # substitution in the last word
        ("vinnh hy", "attraction:vinh-hy"),  # insertion, not the last word
        ("po klong garrai", "attraction:po-klong-garai"),  # insertion
        ("gom bau truuc", "product:gom-bau-truc"),  # insertion
        ("green asparagas", "product:mang-tay"),  # substitution
        ("pottrey workshop", "experience:lam-gom"),  # neighbours swapped
    ],
)
async def test_one_typo_in_a_word_of_five_letters_still_finds(loaded: SearchEngine, text: str, expected: str) -> None:
    assert expected in await ids(loaded, text)


async def test_a_word_no_listing_contains_does_not_empty_the_results(loaded: SearchEngine) -> None:
    assert (await ids(loaded, "nho ninh thuan qwzxv"))[:1] == ["product:nho-xanh"]


async def test_typos_in_short_words_are_not_guessed(loaded: SearchEngine) -> None:
    # "tpi" is one edit from "toi" but three letters is too short to correct safely.
    assert await ids(loaded, "tpi ") == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("mang ta", "product:mang-tay"),
        ("thap po k", "attraction:po-klong-garai"),
        ("gar", "attraction:po-klong-garai"),
        ("vinh h", "attraction:vinh-hy"),
        ("potte", "product:gom-bau-truc"),
    ],
)
async def test_prefixes_find_while_typing(loaded: SearchEngine, text: str, expected: str) -> None:
    assert expected in await ids(loaded, text)


@pytest.mark.parametrize(
    ("locale", "text", "expected", "shown"),
    [
        ("vi", "tháp chăm", "attraction:po-klong-garai", "Tháp Pô Klông Garai"),
        ("en", "grape wine", "product:vang-nho", "Ninh Thuan grape wine"),
        ("zh", "葡萄酒", "product:vang-nho", "宁顺葡萄酒"),
        ("ko", "포도주", "product:vang-nho", "닌투언 포도주"),
        ("ja", "ぶどう", "product:nho-xanh", "ニントゥアンのぶどう"),
        ("ru", "виноград", "product:nho-xanh", "Виноград Ниньтхуана"),
        ("fr", "poterie", "product:gom-bau-truc", "Poterie de Bau Truc"),
        ("ar", "عنب", "product:nho-xanh", "عنب نينه ثوان"),
    ],
)
async def test_queries_in_each_of_the_eight_locales(
    loaded: SearchEngine, locale: str, text: str, expected: str, shown: str
) -> None:
    result = await loaded.search(SearchQuery(text=text, locale=locale))
    assert result.hits, f"{text!r} found nothing"
    first = result.hits[0]
    assert first.document.id == expected
    # The highlight is the name in the visitor's locale with the match marked.
    assert "<mark>" in first.highlight
    assert first.highlight.replace("<mark>", "").replace("</mark>", "") == shown


async def test_a_tourist_may_type_vietnamese_while_browsing_in_another_locale(loaded: SearchEngine) -> None:
    result = await loaded.search(SearchQuery(text="gom bau truc", locale="ko"))
    assert result.hits[0].document.id == "product:gom-bau-truc"


async def test_highlights_escape_html(engine: SearchEngine) -> None:
    await engine.upsert([doc("product:xss", name={"vi": "Nho <script>alert(1)</script>"})])
    result = await engine.search(SearchQuery(text="nho"))
    assert "<script>" not in result.hits[0].highlight
    assert "&lt;script&gt;" in result.hits[0].highlight


async def test_filters_are_anded_across_fields_and_ored_within_one(loaded: SearchEngine) -> None:
    attractions = await ids(loaded, filters=SearchFilters(kinds=("attraction", "event")))
    assert set(attractions) == {d.id for d in DOCUMENTS if d.kind in ("attraction", "event")}
    in_ninh_hai_or_do_vinh = await ids(loaded, filters=SearchFilters(commune_codes=(NINH_HAI, DO_VINH)))
    assert set(in_ninh_hai_or_do_vinh) == {d.id for d in DOCUMENTS if d.commune_code in (NINH_HAI, DO_VINH)}
    products_nature = await ids(loaded, filters=SearchFilters(kinds=("product",), categories=("nature",)))
    assert products_nature == []
    ocop4 = await ids(loaded, "", filters=SearchFilters(min_ocop_stars=4))
    assert set(ocop4) == {"product:nho-xanh", "product:gom-bau-truc"}
    rated = await ids(loaded, filters=SearchFilters(min_rating=4.7))
    assert set(rated) == {"product:gom-bau-truc", "attraction:po-klong-garai", "experience:lam-gom"}
    available = await ids(loaded, filters=SearchFilters(available_only=True, kinds=("product",)))
    assert "product:toi-phan-rang" not in available and "product:nho-xanh" in available


async def test_price_filter_keeps_listings_whose_range_overlaps(loaded: SearchEngine) -> None:
    found = await ids(loaded, filters=SearchFilters(price_min=100000, price_max=130000))
    expected = {
        d.id for d in DOCUMENTS
        if d.price_min is not None and d.price_min <= 130000 and d.price_max is not None and d.price_max >= 100000
    }
    assert set(found) == expected and "product:vang-nho" in found and "product:nho-xanh" not in found


async def test_text_and_filters_together(loaded: SearchEngine) -> None:
    assert await ids(loaded, "nho", filters=SearchFilters(kinds=("merchant",))) == ["merchant:htx-dan-duong"]


async def test_facet_counts(loaded: SearchEngine) -> None:
    result = await loaded.search(SearchQuery(facets=("kind", "commune_code", "ocop_stars", "category")))
    kinds = {facet.value: facet.count for facet in result.facets["kind"]}
    assert kinds == {"product": 6, "attraction": 3, "event": 1, "merchant": 1, "experience": 1}
    communes = {facet.value: facet.count for facet in result.facets["commune_code"]}
    assert communes == {str(PHUOC_DINH): 5, str(NINH_HAI): 4, str(DO_VINH): 3}
    assert {f.value: f.count for f in result.facets["ocop_stars"]} == {"4": 2, "3": 2}
    narrowed = await loaded.search(SearchQuery(text="gom", facets=("kind",)))
    assert {f.value: f.count for f in narrowed.facets["kind"]} == {"product": 1, "experience": 1}
    assert result.estimated_total == len(DOCUMENTS)


async def test_geo_radius_and_distance_order(loaded: SearchEngine) -> None:
    near_bau_truc = GeoFilter(lat=11.6106, lng=108.8496, radius_m=1000)
    result = await loaded.search(SearchQuery(geo=near_bau_truc, sort="distance"))
    assert [hit.document.id for hit in result.hits] == ["product:gom-bau-truc", "experience:lam-gom"]
    assert result.hits[0].distance_m is not None and result.hits[0].distance_m < 50
    assert 40 < (result.hits[1].distance_m or 0) < 100
    wide = await loaded.search(SearchQuery(geo=GeoFilter(lat=11.6106, lng=108.8496, radius_m=30000), sort="distance"))
    # Nearest first among available listings; the sold-out garlic comes last whatever its distance.
    distances = [hit.distance_m for hit in wide.hits if hit.document.available]
    assert distances == sorted(distances)  # type: ignore[type-var]
    assert wide.hits[-1].document.id == "product:toi-phan-rang"
    assert "attraction:vinh-hy" not in [hit.document.id for hit in wide.hits]  # about 38 km away


async def test_text_with_a_radius(loaded: SearchEngine) -> None:
    near_towers = GeoFilter(lat=11.6018, lng=108.9465, radius_m=1000)
    assert set(await ids(loaded, "cham", geo=near_towers)) == {"attraction:po-klong-garai", "event:kate"}


async def test_paging_covers_every_result_once(loaded: SearchEngine) -> None:
    seen: list[str] = []
    for page in (1, 2, 3):
        result = await loaded.search(SearchQuery(page=page, per_page=5))
        assert result.page == page and result.per_page == 5 and result.estimated_total == len(DOCUMENTS)
        seen.extend(hit.document.id for hit in result.hits)
    assert sorted(seen) == sorted(d.id for d in DOCUMENTS)
    assert (await loaded.search(SearchQuery(page=4, per_page=5))).hits == []


async def test_sorting(loaded: SearchEngine) -> None:
    cheapest = await ids(loaded, filters=SearchFilters(kinds=("product",), available_only=True), sort="price_asc")
    assert cheapest[0] == "product:nho-xanh"
    best = await ids(loaded, sort="rating")
    assert best[0] == "experience:lam-gom"


async def test_sold_out_listings_come_after_available_ones(loaded: SearchEngine) -> None:
    found = await ids(loaded, "phan rang")
    assert found == ["product:toi-phan-rang"]
    products = await ids(loaded, filters=SearchFilters(kinds=("product",)))
    assert products[-1] == "product:toi-phan-rang"


async def test_deleted_and_unpublished_documents_disappear(loaded: SearchEngine) -> None:
    assert "attraction:vinh-hy" in await ids(loaded, "vinh hy")
    await loaded.delete(["attraction:vinh-hy", "product:never-indexed"])
    assert await ids(loaded, "vinh hy") == []
    unpublished = msgspec.structs.replace(DOCUMENTS[2], published=False)
    await loaded.upsert([unpublished])
    assert "product:gom-bau-truc" not in await ids(loaded, "gom bau truc")
    assert "product:gom-bau-truc" not in await loaded.get_ids()


async def test_an_edit_replaces_the_old_text(loaded: SearchEngine) -> None:
    renamed = msgspec.structs.replace(DOCUMENTS[4], name={"vi": "Táo xanh", "en": "Green apples"})
    await loaded.upsert([renamed])
    assert "product:mang-tay" not in await ids(loaded, "mang tay ")
    assert "product:mang-tay" in await ids(loaded, "tao xanh")


async def test_suggestions_in_the_visitors_locale(loaded: SearchEngine) -> None:
    suggestions = await loaded.suggest("thap po", "en")
    assert suggestions and suggestions[0].text == "Po Klong Garai Cham Towers"
    assert suggestions[0].url_path == "/attractions/po-klong-garai"
    assert len(await loaded.suggest("n", "vi", limit=20)) <= 8
    vi = await loaded.suggest("gom", "vi")
    assert "Gốm Bàu Trúc" in [s.text for s in vi]
    ar = await loaded.suggest("gom", "ar")
    assert "فخار باو تروك" in [s.text for s in ar]


async def test_get_ids_and_clear(loaded: SearchEngine) -> None:
    assert await loaded.get_ids() == {d.id for d in DOCUMENTS}
    await loaded.clear()
    assert await loaded.get_ids() == set()
    assert await ids(loaded, "nho") == []


async def test_the_title_is_always_the_name_and_the_match_is_the_snippet(engine: SearchEngine) -> None:
    # The grape village's name does not contain "largest"; its summary does (issue 14: the summary was the title).
    await engine.upsert([doc("attraction:thai-an", name={"vi": "Làng nho Thái An", "en": "Thai An grape village"},
                             summary={"en": "One of the largest grape-growing villages of the province."})])
    result = await engine.search(SearchQuery(text="largest", locale="en"))
    [hit] = result.hits
    assert hit.highlight == "Thai An grape village"
    assert "<mark>largest</mark>" in hit.snippet and hit.snippet_locale == "en"
    # A visitor in a locale with no name of its own sees the fallback name, never the snippet.
    zh = (await engine.search(SearchQuery(text="largest", locale="zh"))).hits[0]
    assert zh.highlight == "Thai An grape village" and "<mark>largest</mark>" in zh.snippet


async def test_the_querys_own_spelling_ranks_above_a_match_without_tone_marks(engine: SearchEngine) -> None:
    small = doc("attraction:ho-nho", name={"vi": "Hồ nước nhỏ Tân Mỹ"}, summary={"vi": "Một hồ nhỏ giữa đồi."},
                popularity=900)
    grape = doc("attraction:vuon-nho", name={"vi": "Vườn nho Tân Mỹ"}, summary={"vi": "Vườn nho nhà Ba Mọi."},
                popularity=10)
    await engine.upsert([small, grape])
    assert (await ids(engine, "nho tan my"))[:2] == ["attraction:vuon-nho", "attraction:ho-nho"]
    assert (await ids(engine, "nhỏ tân mỹ"))[:2] == ["attraction:ho-nho", "attraction:vuon-nho"]


LANGUAGES_OF_GRAPE = [("en", "grape"), ("zh", "葡萄"), ("ko", "포도"), ("ja", "ぶどう"), ("ru", "виноград"),
                      ("fr", "raisin"), ("ar", "عنب"), ("en", "grape village")]


async def test_the_dictionary_finds_a_vietnamese_only_listing_in_every_language(engine: SearchEngine) -> None:
    village = doc("attraction:lang-nho-thai-an", name={"vi": "Làng nho Thái An"},
                  summary={"vi": "Làng trồng nho lớn nhất vùng, có vườn mở cửa cho khách."}, category="vineyard")
    await engine.upsert([village, doc("attraction:lang-gom", name={"vi": "Làng gốm Bàu Trúc"})])
    for locale, text in LANGUAGES_OF_GRAPE:
        assert await ids(engine, text, locale=locale) == ["attraction:lang-nho-thai-an"], (locale, text)


async def test_the_dictionary_matches_phrases(engine: SearchEngine) -> None:
    await engine.upsert([doc("product:mam", name={"vi": "Nước mắm Cà Ná"}),
                         doc("attraction:nui-chua", name={"vi": "Vườn quốc gia Núi Chúa"}),
                         doc("product:nuoc-dua", name={"vi": "Nước dừa tươi"})])
    assert await ids(engine, "fish sauce", locale="en") == ["product:mam"]
    assert await ids(engine, "鱼露", locale="zh") == ["product:mam"]
    assert await ids(engine, "national park", locale="en") == ["attraction:nui-chua"]
    assert await ids(engine, "국립공원", locale="ko") == ["attraction:nui-chua"]


def test_the_dictionary_has_200_concepts_in_all_eight_locales() -> None:
    from importlib import resources

    from search.dictionary import concepts

    lines = [line for line in resources.files("search").joinpath("dictionary.txt").read_text("utf-8").splitlines()
             if line.strip() and not line.startswith("#")]
    assert lines[0].split("\t") == ["vi", "en", "zh", "ko", "ja", "ru", "fr", "ar"]
    assert all(len(line.split("\t")) == 8 and all(cell.strip() for cell in line.split("\t")) for line in lines)
    assert len(concepts()) >= 200
    grape = next(terms for terms in concepts() if terms[0] == "nho")
    assert {"grape", "葡萄", "포도", "ぶどう", "виноград", "raisin", "عنب"} <= set(grape)


async def test_suggestions_when_no_listing_has_a_name_in_some_locales(engine: SearchEngine) -> None:
    # A new province's first listings are named in Vietnamese and English only; Meilisearch refused to
    # search name fields no document had yet, so /readyz and the suggest box failed on a fresh index.
    await engine.upsert([doc("product:toi-ly-son", name={"vi": "Tỏi Phan Rang", "en": "Phan Rang garlic"},
                             category="spice")])
    assert [s.text for s in await engine.suggest("toi", "vi")] == ["Tỏi Phan Rang"]
    assert [s.text for s in await engine.suggest("garlic", "zh")] == ["Phan Rang garlic"]
