"""Editors create and change events through the API and the pages; bad events are refused with a reason."""

import pytest


@pytest.mark.parametrize(
    "body",
    [
        {"slug": "e1", "name": {"vi": "E"}, "starts_on": "2030-01-05", "ends_on": "2030-01-01"},
        {
            "slug": "e2",
            "name": {"vi": "E"},
            "starts_on": "2030-01-01",
            "ends_on": "2030-01-02",
            "attraction_slug": "nowhere",
        },
    ],
)
async def test_bad_events_are_refused_with_a_reason(client, demo, api_token, body) -> None:
    editor = {"authorization": f"Bearer {await api_token('editor')}"}
    response = await client.post("/api/v1/events", json=body, headers=editor)
    assert response.status_code == 422 and response.json()["error"]["code"] in ("dates_reversed", "unknown_attraction")


async def test_editor_creates_and_edits_an_event_through_pages(client, demo, session, csrf) -> None:
    client.cookies.set("sid", await session("editor"))
    assert "Lễ hội Katê" in (await client.get("/vi/editor/events")).text
    token = await csrf(client, "/en/editor/events/new")
    form = {
        "_csrf_token": token,
        "slug": "dem-nhac-thap",
        "name_vi": "Đêm nhạc dưới tháp",
        "name_en": "Music night",
        "starts_on": "2027-03-10",
        "ends_on": "2027-03-09",
        "attraction_slug": "po-klong-garai",
        "status": "published",
    }
    bad = await client.post("/en/editor/events/new", data=form)
    assert bad.status_code == 422 and "ends before it starts" in bad.text and "Music night" in bad.text
    form["ends_on"] = "2027-03-11"
    created = await client.post("/en/editor/events/new", data=form, follow_redirects=False)
    assert created.status_code == 303
    event = (await client.get("/api/v1/events/dem-nhac-thap")).json()
    assert event["attraction_slug"] == "po-klong-garai" and event["lat"] == 11.6018
    form.update(recurrence="yearly", name_en="Tower music night")
    assert (
        await client.post("/en/editor/events/dem-nhac-thap/edit", data=form, follow_redirects=False)
    ).status_code == 303
    event = (await client.get("/api/v1/events/dem-nhac-thap")).json()
    assert event["recurrence"] == "yearly" and event["name"]["en"] == "Tower music night"
    client.cookies.set("sid", await session("merchant"))
    assert (await client.get("/en/editor/events")).status_code == 403


async def test_a_refused_event_edit_shows_the_stored_event_and_an_unknown_one_is_not_found(
    client, demo, session, csrf
) -> None:
    client.cookies.set("sid", await session("editor"))
    token = await csrf(client, "/en/editor/events/kate/edit")
    form = {"_csrf_token": token, "slug": "kate", "name_en": "Renamed festival", "starts_on": "2027-10-10"}
    bad = await client.post("/en/editor/events/kate/edit", data={**form, "ends_on": "2027-10-09"})
    assert bad.status_code == 422 and "ends before it starts" in bad.text and 'value="Renamed festival"' in bad.text
    assert "Edit Kate Festival" in bad.text
    good = {**form, "ends_on": "2027-10-12"}
    for data in (good, {**good, "ends_on": "not a date"}):
        missing = await client.post("/en/editor/events/nowhere/edit", data=data, follow_redirects=False)
        assert missing.status_code == 404
