"""Editors alone may write; an editor publishes a new attraction through pages or the API and search finds it."""

import re

from search.models import SearchFilters, SearchQuery

NEW_ATTRACTION = {
    "slug": "vuon-tao-thai-an",
    "name": {"vi": "Vườn táo Thái An", "en": "Thai An apple garden"},
    "category": "food",
    "lat": 11.72,
    "lng": 109.15,
    "commune_code": None,
    "opening_hours": {"weekly": {"mon": [{"opens": "07:00", "closes": "17:00"}]}},
    "fees": [{"visitor_type": "adult", "amount_vnd": 30000}],
}


async def _search(engine, text: str) -> list[str]:
    result = await engine.search(SearchQuery(text=text, locale="vi", filters=SearchFilters(kinds=("attraction",))))
    return [hit.document.id for hit in result.hits]


async def test_only_editors_may_write_through_the_api(client, demo, api_token) -> None:
    anonymous = await client.post("/api/v1/attractions", json=NEW_ATTRACTION)
    assert anonymous.status_code in (401, 403)
    customer = {"authorization": f"Bearer {await api_token('customer', 'merchant')}"}
    assert (await client.post("/api/v1/attractions", json=NEW_ATTRACTION, headers=customer)).status_code == 403
    assert (
        await client.patch("/api/v1/attractions/po-klong-garai", json={"status": "draft"}, headers=customer)
    ).status_code == 403
    assert (
        await client.post(
            "/api/v1/events",
            headers=customer,
            json={"slug": "x", "name": {"vi": "X"}, "starts_on": "2030-01-01", "ends_on": "2030-01-02"},
        )
    ).status_code == 403
    assert (await client.get("/api/v1/editor/attractions/stale", headers=customer)).status_code == 403

    editor = {"authorization": f"Bearer {await api_token('editor')}"}
    created = await client.post("/api/v1/attractions", json=NEW_ATTRACTION, headers=editor)
    assert created.status_code == 201, created.text
    assert created.json()["status"] == "draft" and created.json()["fees"][0]["amount_vnd"] == 30000
    # A draft is invisible to visitors but not to editors.
    assert (await client.get("/api/v1/attractions/vuon-tao-thai-an")).status_code == 404
    assert (await client.get("/api/v1/attractions/vuon-tao-thai-an", headers=editor)).status_code == 200
    assert (await client.post("/api/v1/attractions", json=NEW_ATTRACTION, headers=editor)).status_code == 409
    bad = await client.post("/api/v1/attractions", headers=editor, json={**NEW_ATTRACTION, "slug": "Bad Slug"})
    assert bad.status_code == 400
    unknown_commune = await client.post(
        "/api/v1/attractions", headers=editor, json={**NEW_ATTRACTION, "slug": "elsewhere", "commune_code": 1}
    )
    assert unknown_commune.status_code == 422 and unknown_commune.json()["error"]["code"] == "unknown_commune"
    stale = (await client.get("/api/v1/editor/attractions/stale", headers=editor)).json()
    assert "po-klong-garai" in {item["slug"] for item in stale}


async def test_editor_publishes_and_the_attraction_appears_in_search(client, demo, api_token, drain) -> None:
    editor = {"authorization": f"Bearer {await api_token('editor')}"}
    assert (await client.post("/api/v1/attractions", json=NEW_ATTRACTION, headers=editor)).status_code == 201
    engine = await drain()
    assert "attraction:vuon-tao-thai-an" not in await _search(engine, "vuon tao")
    published = await client.patch("/api/v1/attractions/vuon-tao-thai-an", json={"status": "published"}, headers=editor)
    assert published.status_code == 200 and published.json()["published_at"]
    await drain()
    assert "attraction:vuon-tao-thai-an" in await _search(engine, "vuon tao thai an")
    assert (await client.get("/en/attractions/vuon-tao-thai-an")).status_code == 200
    # Renaming the slug moves the search entry.
    assert (
        await client.patch("/api/v1/attractions/vuon-tao-thai-an", json={"slug": "vuon-tao"}, headers=editor)
    ).status_code == 200
    await drain()
    hits = await _search(engine, "vuon tao thai an")
    assert "attraction:vuon-tao" in hits and "attraction:vuon-tao-thai-an" not in hits


async def test_editor_pages_are_guarded(client, demo, session) -> None:
    anonymous = await client.get("/vi/editor/attractions", follow_redirects=False)
    assert anonymous.status_code in (302, 303, 401) and "sign-in" in anonymous.headers.get("location", "sign-in")
    client.cookies.set("sid", await session("customer"))
    assert (await client.get("/vi/editor/attractions")).status_code == 403
    assert (
        await client.post(
            "/vi/editor/attractions/po-klong-garai/publish", data={"published": "0"}, follow_redirects=False
        )
    ).status_code == 403


async def test_editor_creates_through_the_form_and_sees_errors(client, demo, session, csrf, drain) -> None:
    client.cookies.set("sid", await session("editor"))
    listing = await client.get("/en/editor/attractions")
    assert listing.status_code == 200 and "Needs re-checking" in listing.text and "Po Klong Garai" in listing.text
    token = await csrf(client, "/en/editor/attractions/new")
    form = {
        "_csrf_token": token,
        "slug": "doi-cat-moi",
        "name_vi": "Đồi cát mới",
        "name_en": "New dunes",
        "summary_en": "Sand dunes.",
        "category": "nature",
        "commune": "",
        "lat": "11.55",
        "lng": "109.05",
        "hours": "mon-sun 05:00-18:00\nfri 25:00-26:00",
        "fees": "adult 10000",
        "status": "published",
    }
    bad = await client.post("/en/editor/attractions/new", data=form)
    assert bad.status_code == 422 and "line 2" in bad.text and "New dunes" in bad.text
    form["hours"] = "mon-sun 05:00-18:00\n2026-12-24 closed"
    # The Struct's own limits hold on the form too: at most 20 fee lines.
    too_many_fees = await client.post("/en/editor/attractions/new", data={**form, "fees": "adult 1000\n" * 25})
    assert too_many_fees.status_code == 422 and "New dunes" in too_many_fees.text
    # A slug typed in capitals is stored in lower case, as it always was.
    form["slug"] = "Doi-Cat-Moi"
    created = await client.post("/en/editor/attractions/new", data=form, follow_redirects=False)
    assert created.status_code == 303 and created.headers["location"].endswith(
        "/editor/attractions/doi-cat-moi/edit?saved=1"
    )
    # A taken slug shows the form again with 422, like every other refusal of the editor's form.
    taken = await client.post("/en/editor/attractions/new", data={**form, "slug": "po-klong-garai"})
    assert taken.status_code == 422 and "New dunes" in taken.text
    edit = await client.get("/en/editor/attractions/doi-cat-moi/edit")
    assert "mon-sun 05:00-18:00" in edit.text and "2026-12-24 closed" in edit.text and "adult 10000" in edit.text
    engine = await drain()
    assert "attraction:doi-cat-moi" in await _search(engine, "doi cat moi")

    unpublish = await client.post(
        "/en/editor/attractions/doi-cat-moi/publish",
        data={"_csrf_token": token, "published": "0"},
        follow_redirects=False,
    )
    assert unpublish.status_code == 303
    assert (await client.get("/en/attractions/doi-cat-moi")).status_code == 404


async def test_photo_upload_goes_through_the_image_pipeline(client, demo, api_token) -> None:
    import io

    from PIL import Image

    editor = {"authorization": f"Bearer {await api_token('editor')}"}
    out = io.BytesIO()
    Image.new("RGB", (640, 480), (200, 90, 40)).save(out, format="PNG")
    png = out.getvalue()
    response = await client.post(
        "/api/v1/attractions/po-klong-garai/photos",
        headers=editor,
        files={"file": ("tower.png", png, "image/png")},
        data={"caption_en": "At dawn", "alt_en": "The brick tower in the first light"},
    )
    assert response.status_code == 201, response.text
    photo = response.json()
    assert re.fullmatch(r"/media/[0-9a-f]{2}/[0-9a-f]{32}-thumb\.webp", photo["urls"]["thumb"])
    assert photo["sizes"]["thumb"] == [160, 120] and photo["alt"] == {"en": "The brick tower in the first light"}
    detail = (await client.get("/api/v1/attractions/po-klong-garai")).json()
    assert detail["photos"][0]["caption"] == {"en": "At dawn"}
    page = (await client.get("/en/attractions/po-klong-garai")).text
    assert photo["urls"]["medium"] in page and "<figcaption>At dawn</figcaption>" in page
    no_alt = await client.post(
        "/api/v1/attractions/po-klong-garai/photos", headers=editor, files={"file": ("tower.png", png, "image/png")}
    )
    assert no_alt.status_code == 422 and no_alt.json()["error"]["code"] == "alt_required"
    wrong = await client.post(
        "/api/v1/attractions/po-klong-garai/photos", headers=editor, files={"file": ("x.gif", b"GIF89a", "image/gif")}
    )
    assert wrong.status_code == 422 and wrong.json()["error"]["code"] == "photo_type"
    customer = {"authorization": f"Bearer {await api_token('customer')}"}
    assert (
        await client.post(
            "/api/v1/attractions/po-klong-garai/photos",
            headers=customer,
            files={"file": ("tower.png", png, "image/png")},
            data={"alt_en": "A tower"},
        )
    ).status_code == 403
    photo_id = detail["photos"][0]["id"]
    assert (
        await client.delete(f"/api/v1/attractions/po-klong-garai/photos/{photo_id}", headers=editor)
    ).status_code == 204


async def test_editor_form_names_each_bad_field_and_keeps_what_was_typed(client, demo, session, csrf) -> None:
    client.cookies.set("sid", await session("editor"))
    edit = await client.get("/en/editor/attractions/po-klong-garai/edit")
    assert '<option value="' in edit.text and "selected>Phường Đô Vinh</option>" in edit.text
    assert "Po Klong Garai Cham Towers" in edit.text and "07:00-17:00" in edit.text
    token = await csrf(client, "/en/editor/attractions/new")
    form = {"_csrf_token": token, "slug": "doi-gio", "name_en": "Windy hill", "category": "nature"}
    bad = await client.post("/en/editor/attractions/new", data={**form, "lat": "north", "lng": "200"})
    assert bad.status_code == 422
    assert "Enter a number." in bad.text and "This number is too large." in bad.text
    assert 'value="north"' in bad.text and 'value="Windy hill"' in bad.text
    translated = await client.post("/vi/editor/attractions/new", data={**form, "lat": "north", "lng": "109"})
    assert translated.status_code == 422 and "Enter a number." not in translated.text


async def test_a_refused_edit_shows_the_stored_attraction_and_an_unknown_one_is_not_found(
    client, demo, session, csrf
) -> None:
    client.cookies.set("sid", await session("editor"))
    token = await csrf(client, "/en/editor/attractions/po-klong-garai/edit")
    form = {"_csrf_token": token, "slug": "po-klong-garai", "name_en": "Renamed towers", "category": "heritage"}
    bad = await client.post("/en/editor/attractions/po-klong-garai/edit", data={**form, "lat": "north", "lng": "109"})
    # The form comes back with what was typed, under the stored attraction's own title and photo section.
    assert bad.status_code == 422 and 'value="Renamed towers"' in bad.text
    assert "Edit Po Klong Garai Cham Towers" in bad.text and 'id="h-photos"' in bad.text
    good = {**form, "lat": "11.6018", "lng": "108.9465"}
    for data in (good, {**good, "lat": "north"}):
        missing = await client.post("/en/editor/attractions/nowhere/edit", data=data, follow_redirects=False)
        assert missing.status_code == 404
    assert (await client.get("/api/v1/attractions/po-klong-garai")).json()["name"]["en"] != "Renamed towers"
