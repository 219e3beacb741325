"""Editors see which languages each attraction and event still lacks, on one list and in the forms."""

from tourism.attractions import service
from tourism.attractions.models import AttractionUpdate


async def test_editors_see_what_is_missing_in_which_language(client, demo, session) -> None:
    client.cookies.set("sid", await session("customer"))
    assert (await client.get("/en/editor/translations")).status_code == 403
    client.cookies.set("sid", await session("editor"))
    complete = (await client.get("/en/editor/translations")).text
    assert "Every attraction and event is written in all eight languages." in complete

    # Hoa Lai loses its Korean and Arabic summary and gets tips in English only.
    async with demo.acquire() as connection, connection.transaction():
        tower = await service.get_attraction(connection, "hoa-lai")
        summary = {k: v for k, v in tower.summary.items() if k not in ("ko", "ar")}
        await service.update_attraction(
            connection, "hoa-lai", AttractionUpdate(summary=summary, tips={"en": "Bring water."})
        )
    listing = (await client.get("/en/editor/translations")).text
    assert '<a href="/en/editor/attractions/hoa-lai/edit">Hoa Lai Cham Towers</a>' in listing
    assert 'Summary: <span lang="ko">한국어</span>, <span lang="ar">العربية</span>' in listing
    assert "Tips: " in listing and listing.count("Tips: ") == 1
    assert "po-klong-garai/edit" not in listing  # complete listings are not listed

    work_list = (await client.get("/en/editor/attractions")).text
    assert '<abbr title="한국어" lang="ko">ko</abbr> <abbr title="العربية" lang="ar">ar</abbr>' in work_list
    form = (await client.get("/en/editor/attractions/hoa-lai/edit")).text
    assert form.count("(not yet written)") == 2 + 7  # two summaries, tips in seven languages
