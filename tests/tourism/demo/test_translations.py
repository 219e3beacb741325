"""The demo attractions and events in all eight locales, shown in the visitor's own language."""

import json
from pathlib import Path

import pytest
from markupsafe import escape

from i18n import SUPPORTED_LOCALES
from tests.lang_runs import runs_containing
from tourism.demo import seed
from tourism.demo.seed import demo_rows, translation_gaps


def test_every_demo_attraction_and_event_is_translated_into_every_locale() -> None:
    assert translation_gaps() == []


def test_a_missing_translation_is_listed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    locales = json.loads(seed.LOCALES_PATH.read_text(encoding="utf-8"))
    del locales["attractions"]["hoa-lai"]["description"]["ko"]
    del locales["events"]["kate"]["summary"]["ar"]
    changed = tmp_path / "locales.json"
    changed.write_text(json.dumps(locales, ensure_ascii=False), encoding="utf-8")
    monkeypatch.setattr(seed, "LOCALES_PATH", changed)
    assert translation_gaps() == [
        ("attraction:hoa-lai", "summary", "ko"),
        ("attraction:hoa-lai", "description", "ko"),
        ("event:kate", "summary", "ar"),
    ]


def test_no_editor_note_is_a_public_event_text() -> None:
    source = json.loads(seed.demo_path().read_text(encoding="utf-8"))
    notes = {row["note"] for row in source["events"] if row.get("note")}
    notes |= {row["calendar"] for row in source["events"]}
    _, events = demo_rows()
    for event in events:
        for field in (event.summary, event.description, event.calendar_note, event.venue):
            assert not notes & set(field.values()), event.slug


def test_non_latin_names_keep_the_vietnamese_name_recognisable() -> None:
    attractions, _ = demo_rows()
    tower = next(row for row in attractions if row.slug == "po-klong-garai")
    for locale in SUPPORTED_LOCALES:
        assert "Klông Garai" in tower.name[locale] or "Klong Garai" in tower.name[locale], locale


async def test_every_demo_listing_shows_its_own_locale_name(client, demo) -> None:
    attractions, events = demo_rows()
    for locale in ("zh", "ko", "ar"):
        await _shows_own_locale(client, locale, attractions, events)


async def _shows_own_locale(client, locale: str, attractions: list, events: list) -> None:
    for row in attractions:
        page = (await client.get(f"/{locale}/attractions/{row.slug}")).text
        assert f'lang="{locale}"' in page and str(escape(row.name[locale])) in page, row.slug
        assert str(escape(row.description[locale])) in page, row.slug
    for row in events:
        page = (await client.get(f"/{locale}/events/{row.slug}")).text
        assert str(escape(row.name[locale])) in page and str(escape(row.summary[locale])) in page, row.slug


async def test_the_arabic_attraction_page_has_no_english_run(client, demo) -> None:
    html = (await client.get("/ar/attractions/po-klong-garai")).text
    source = json.loads(seed.demo_path().read_text(encoding="utf-8"))
    tower = next(row for row in source["attractions"] if row["id"] == "po-klong-garai")
    assert runs_containing(html, tower["description_en"][:40]) == []
    # The hours note (a note about the data) is in Arabic too.
    assert runs_containing(html, "مواعيد تقريبية لم تؤكدها إدارة الموقع بعد.") == [("ar", "rtl")]
    assert runs_containing(html, "Indicative hours") == []
