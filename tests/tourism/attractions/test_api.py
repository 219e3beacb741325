"""The attractions API and list page: filters and cursor pagination, and the open status at chosen instants."""

import re


async def test_list_filters_and_pagination(client, demo) -> None:
    page = (await client.get("/api/v1/attractions?limit=10")).json()
    assert len(page["items"]) == 10 and page["next_cursor"] == page["items"][-1]["slug"]
    slugs = [item["slug"] for item in page["items"]]
    while page["next_cursor"]:
        page = (await client.get(f"/api/v1/attractions?limit=10&cursor={page['next_cursor']}")).json()
        slugs += [item["slug"] for item in page["items"]]
    assert len(slugs) == len(set(slugs)) == 27 and slugs == sorted(slugs)

    beaches = (await client.get("/api/v1/attractions?category=beach")).json()["items"]
    assert beaches and {item["category"] for item in beaches} == {"beach"}
    tower = (await client.get("/api/v1/attractions/po-klong-garai")).json()
    in_ward = (await client.get(f"/api/v1/attractions?commune={tower['commune_code']}")).json()["items"]
    assert [item["slug"] for item in in_ward] == ["po-klong-garai"]
    assert (await client.get("/api/v1/attractions?category=casino")).status_code == 400

    html = (await client.get("/en/attractions?category=craft_village")).text
    assert "Bau Truc Pottery Village" in html and "Po Klong Garai" not in html
    assert re.search(r'<option value="craft_village" selected>', html)


async def test_status_api_at_chosen_instants(client, demo) -> None:
    # 2026-11-23T02:00Z is 09:00 in Vietnam: the towers (07:00-17:00, unverified) are open until 17:00.
    open_ = (await client.get("/api/v1/attractions/po-klong-garai/status?at=2026-11-23T02:00:00Z")).json()
    assert open_["is_open"] is True and open_["closes_at"].startswith("2026-11-23T17:00:00+07:00")
    closed = (await client.get("/api/v1/attractions/po-klong-garai/status?at=2026-11-23T12:00:00Z")).json()
    assert closed["is_open"] is False and closed["opens_at"].startswith("2026-11-24T07:00:00+07:00")
    beach = (await client.get("/api/v1/attractions/ninh-chu-beach/status?at=2026-11-23T20:00:00Z")).json()
    assert beach["is_open"] is True and beach["always_open"] is True
