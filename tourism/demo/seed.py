"""Demo data: the real attractions and events of the former Ninh Thuận province, upserted by slug."""

import json
from datetime import date
from pathlib import Path
from typing import Any

import asyncpg
import msgspec

from i18n import SUPPORTED_LOCALES
from tourism.attractions import repository as attractions_repository
from tourism.attractions import service as attractions
from tourism.attractions.models import AttractionCreate, AttractionUpdate, Fee
from tourism.communes import commune_code_by_name
from tourism.events import repository as events_repository
from tourism.events import service as events
from tourism.events.models import EventCreate, EventUpdate
from tourism.hours import OpeningHours

__all__ = ["DEFAULT_DEMO_PATH", "PACKAGED_DEMO_PATH", "SeedSummary", "seed_demo", "demo_path", "demo_rows",
           "translation_gaps"]

DATA_DIR = Path(__file__).parent / "data"
PACKAGED_DEMO_PATH = DATA_DIR / "ninh_thuan_demo.json"
EXTRA_PATH = DATA_DIR / "tourism_demo_extra.json"
# The other six locales' text (and the events' public text in all eight), kept apart from the shared source.
LOCALES_PATH = DATA_DIR / "tourism_demo_locales.json"
# In the development checkout the shared data sits beside the repository; installs use the packaged copy.
DEFAULT_DEMO_PATH = Path(__file__).resolve().parents[3] / "shared" / "data" / "ninh_thuan_demo.json"


class SeedSummary(msgspec.Struct, kw_only=True):
    """How many rows seeding created and updated, and the wards it could not resolve by name."""

    attractions_created: int = 0
    attractions_updated: int = 0
    events_created: int = 0
    events_updated: int = 0
    unresolved_wards: list[str] = []


def demo_path() -> Path:
    """The shared demo file when present, the copy shipped in the package otherwise."""
    return DEFAULT_DEMO_PATH if DEFAULT_DEMO_PATH.is_file() else PACKAGED_DEMO_PATH


def _localized(row: dict[str, Any], field: str, more: dict[str, Any] | None = None) -> dict[str, str]:
    source = {locale: row[f"{field}_{locale}"] for locale in ("vi", "en") if row.get(f"{field}_{locale}")}
    return {**source, **((more or {}).get(field) or {})}


def _with_locales(text: dict[str, str], more: dict[str, str] | None) -> dict[str, str]:
    return {**text, **(more or {})}


def _attraction(
    row: dict[str, Any],
    extra: dict[str, Any],
    profiles: dict[str, Any],
    summary: SeedSummary,
    more: dict[str, Any],
    hours_notes: dict[str, Any],
) -> AttractionCreate:
    wards = row.get("ward_2025") or []
    commune_code = None
    if wards:
        # Codes in the file come from a newer dataset release; names are stable, codes are not.
        commune_code = commune_code_by_name(wards[0]["name"])
        if commune_code is None:
            summary.unresolved_wards.append(f"{row['id']}: {wards[0]['name']}")
    description = _localized(row, "description", more)
    profile = dict(profiles[extra.get("hours", "unknown")])
    if profile.get("note"):
        profile["note"] = {**profile["note"], **hours_notes.get(extra.get("hours", "unknown"), {})}
    hours = msgspec.convert(profile, OpeningHours)
    notes = [row.get("note"), f"confidence: {row.get('confidence')}", f"source: {row.get('source')}"]
    return AttractionCreate(
        slug=row["id"],
        name=_localized(row, "name", more),
        summary=description,
        description=description,
        category=row["category"],
        commune_code=commune_code,
        lat=row["lat"],
        lng=row["lng"],
        coord_accuracy=row.get("coord_accuracy") or "unknown",
        opening_hours=hours,
        fees=[Fee(visitor_type="adult", amount_vnd=0)] if extra.get("free") else [],
        accessibility=_with_locales(extra.get("accessibility", {}), more.get("accessibility")),
        tips=_with_locales(extra.get("tips", {}), more.get("tips")),
        best_season=_with_locales(extra.get("best_season", {}), more.get("best_season")),
        verified_on=None,
        source="; ".join(note for note in notes if note and not note.endswith("None")),
        status="published",
    )


def _event(row: dict[str, Any], extra: dict[str, Any], more: dict[str, Any]) -> EventCreate:
    # The source's "note" and "calendar" columns are written for editors (decisions, source quality), so
    # the public summary, calendar note and venue come from the translated text, never from them.
    return EventCreate(
        slug=row["id"],
        name=_localized(row, "name", more),
        summary=dict(more.get("summary") or {}),
        starts_on=date.fromisoformat(extra["starts_on"]),
        ends_on=date.fromisoformat(extra["ends_on"]),
        recurrence=extra["recurrence"],
        date_precision=extra["date_precision"],
        calendar_note=dict(more.get("calendar_note") or {}),
        attraction_slug=extra.get("attraction"),
        venue=dict(more.get("venue") or {}),
        source=row.get("source"),
        status="published",
    )


async def seed_demo(connection: asyncpg.Connection, path: Path | None = None) -> SeedSummary:
    """Create or update every demo attraction and event by slug; running it again changes nothing new."""
    summary = SeedSummary()
    attraction_rows, event_rows = demo_rows(path, summary)
    for create in attraction_rows:
        if await attractions_repository.get_attraction(connection, create.slug, include_drafts=True) is None:
            await attractions.create_attraction(connection, create)
            summary.attractions_created += 1
        else:
            fields = {f: v for f, v in msgspec.structs.asdict(create).items() if f != "slug"}
            await attractions.update_attraction(connection, create.slug, AttractionUpdate(**fields))
            summary.attractions_updated += 1
    for create_event in event_rows:
        if await events_repository.get_event(connection, create_event.slug, include_drafts=True) is None:
            await events.create_event(connection, create_event)
            summary.events_created += 1
        else:
            fields = {f: v for f, v in msgspec.structs.asdict(create_event).items() if f != "slug"}
            await events.update_event(connection, create_event.slug, EventUpdate(**fields))
            summary.events_updated += 1
    return summary


def demo_rows(
    path: Path | None = None, summary: SeedSummary | None = None
) -> tuple[list[AttractionCreate], list[EventCreate]]:
    """Every demo attraction and event as it is stored, built from the source, the additions and the locales."""
    data = json.loads((path or demo_path()).read_text(encoding="utf-8"))
    extra = json.loads(EXTRA_PATH.read_text(encoding="utf-8"))
    more = json.loads(LOCALES_PATH.read_text(encoding="utf-8"))
    summary = summary or SeedSummary()
    attractions_out = [
        _attraction(
            row,
            extra["attractions"].get(row["id"], {}),
            extra["hours_profiles"],
            summary,
            more["attractions"].get(row["id"], {}),
            more["hours_notes"],
        )
        for row in data["attractions"]
    ]
    events_out = [
        _event(row, extra["events"][row["id"]], more["events"].get(row["id"], {}))
        for row in data["events"]
        if row["id"] in extra["events"]
    ]
    return attractions_out, events_out


# Text a visitor reads; each must exist in every locale once it exists in one (tips may be absent).
ATTRACTION_TEXT = ("name", "summary", "description", "tips", "best_season", "accessibility")
ATTRACTION_REQUIRED = ("name", "summary", "description")
EVENT_TEXT = ("name", "summary", "calendar_note", "venue")


def translation_gaps(path: Path | None = None) -> list[tuple[str, str, str]]:
    """(row, field, locale) for every piece of demo text missing in a locale; empty when all is translated."""
    attraction_rows, event_rows = demo_rows(path)
    gaps: list[tuple[str, str, str]] = []
    for kind, rows, fields, required in (
        ("attraction", attraction_rows, ATTRACTION_TEXT, ATTRACTION_REQUIRED),
        ("event", event_rows, EVENT_TEXT, EVENT_TEXT),
    ):
        for row in rows:
            for field in fields:
                text = getattr(row, field) or {}
                if not text and field not in required:
                    continue
                gaps += [(f"{kind}:{row.slug}", field, locale) for locale in SUPPORTED_LOCALES if not text.get(locale)]
            note = row.opening_hours.note if isinstance(row, AttractionCreate) else None
            if note:
                gaps += [(f"{kind}:{row.slug}", "hours_note", loc) for loc in SUPPORTED_LOCALES if not note.get(loc)]
    return gaps
