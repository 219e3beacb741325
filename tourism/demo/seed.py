"""Demo data: the real attractions and events of the former Ninh Thuận province, upserted by slug."""

import json
from datetime import date
from pathlib import Path
from typing import Any

import asyncpg
import msgspec

from tourism.attractions import repository as attractions_repository
from tourism.attractions import service as attractions
from tourism.attractions.models import AttractionCreate, AttractionUpdate, Fee
from tourism.communes import commune_code_by_name
from tourism.events import repository as events_repository
from tourism.events import service as events
from tourism.events.models import EventCreate, EventUpdate
from tourism.hours import OpeningHours

__all__ = ["DEFAULT_DEMO_PATH", "PACKAGED_DEMO_PATH", "SeedSummary", "seed_demo", "demo_path"]

DATA_DIR = Path(__file__).parent / "data"
PACKAGED_DEMO_PATH = DATA_DIR / "ninh_thuan_demo.json"
EXTRA_PATH = DATA_DIR / "tourism_demo_extra.json"
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


def _localized(row: dict[str, Any], field: str) -> dict[str, str]:
    return {locale: row[f"{field}_{locale}"] for locale in ("vi", "en") if row.get(f"{field}_{locale}")}


def _attraction(
    row: dict[str, Any], extra: dict[str, Any], profiles: dict[str, Any], summary: SeedSummary
) -> AttractionCreate:
    wards = row.get("ward_2025") or []
    commune_code = None
    if wards:
        # Codes in the file come from a newer dataset release; names are stable, codes are not.
        commune_code = commune_code_by_name(wards[0]["name"])
        if commune_code is None:
            summary.unresolved_wards.append(f"{row['id']}: {wards[0]['name']}")
    description = _localized(row, "description")
    hours = msgspec.convert(profiles[extra.get("hours", "unknown")], OpeningHours)
    notes = [row.get("note"), f"confidence: {row.get('confidence')}", f"source: {row.get('source')}"]
    return AttractionCreate(
        slug=row["id"],
        name={**_localized(row, "name"), **extra.get("names", {})},
        summary=description,
        description=description,
        category=row["category"],
        commune_code=commune_code,
        lat=row["lat"],
        lng=row["lng"],
        coord_accuracy=row.get("coord_accuracy") or "unknown",
        opening_hours=hours,
        fees=[Fee(visitor_type="adult", amount_vnd=0)] if extra.get("free") else [],
        accessibility=extra.get("accessibility", {}),
        tips=extra.get("tips", {}),
        best_season=extra.get("best_season", {}),
        verified_on=None,
        source="; ".join(note for note in notes if note and not note.endswith("None")),
        status="published",
    )


def _event(row: dict[str, Any], extra: dict[str, Any]) -> EventCreate:
    venues = ", ".join(row.get("venues") or [])
    note = row["calendar"] + (f" — usually {row['usual_gregorian']}" if row.get("usual_gregorian") else "")
    return EventCreate(
        slug=row["id"],
        name=_localized(row, "name"),
        summary={"en": row["note"]} if row.get("note") else {},
        starts_on=date.fromisoformat(extra["starts_on"]),
        ends_on=date.fromisoformat(extra["ends_on"]),
        recurrence=extra["recurrence"],
        date_precision=extra["date_precision"],
        calendar_note={"en": note},
        attraction_slug=extra.get("attraction"),
        venue={"vi": venues} if venues else {},
        source=row.get("source"),
        status="published",
    )


async def seed_demo(connection: asyncpg.Connection, path: Path | None = None) -> SeedSummary:
    """Create or update every demo attraction and event by slug; running it again changes nothing new."""
    data = json.loads((path or demo_path()).read_text(encoding="utf-8"))
    extra = json.loads(EXTRA_PATH.read_text(encoding="utf-8"))
    summary = SeedSummary()
    for row in data["attractions"]:
        create = _attraction(row, extra["attractions"].get(row["id"], {}), extra["hours_profiles"], summary)
        if await attractions_repository.get_attraction(connection, create.slug, include_drafts=True) is None:
            await attractions.create_attraction(connection, create)
            summary.attractions_created += 1
        else:
            fields = {f: v for f, v in msgspec.structs.asdict(create).items() if f != "slug"}
            await attractions.update_attraction(connection, create.slug, AttractionUpdate(**fields))
            summary.attractions_updated += 1
    for row in data["events"]:
        if row["id"] not in extra["events"]:
            continue
        create_event = _event(row, extra["events"][row["id"]])
        if await events_repository.get_event(connection, create_event.slug, include_drafts=True) is None:
            await events.create_event(connection, create_event)
            summary.events_created += 1
        else:
            fields = {f: v for f, v in msgspec.structs.asdict(create_event).items() if f != "slug"}
            await events.update_event(connection, create_event.slug, EventUpdate(**fields))
            summary.events_updated += 1
    return summary
