"""SQL for trips and their stops; nothing else lives here."""

import asyncpg
import msgspec

from tourism.trips.models import Trip, TripStop

__all__ = [
    "delete_unused_trips",
    "insert_trip",
    "get_trip_by_edit_hash",
    "get_trip_by_share_token",
    "get_latest_trip_for_user",
    "set_trip_user",
    "list_stops",
    "lock_trip",
    "count_stops",
    "insert_stop",
    "delete_stop",
    "touch_trip",
    "update_trip_title",
]

TRIP_COLUMNS = "id, share_token, title, user_id, created_at, updated_at"
INSERT_TRIP = """
INSERT INTO tourism.trips (edit_token_hash, share_token, user_id, title) VALUES ($1, $2, $3, $4)
RETURNING id, share_token, title, user_id, created_at, updated_at
"""
GET_BY_EDIT = (
    "SELECT id, share_token, title, user_id, created_at, updated_at FROM tourism.trips WHERE edit_token_hash = $1"
)
GET_BY_SHARE = (
    "SELECT id, share_token, title, user_id, created_at, updated_at FROM tourism.trips WHERE share_token = $1"
)
LIST_STOPS = """
SELECT document_id, name, lat, lng, url_path, added_at FROM tourism.trip_stops
WHERE trip_id = $1 ORDER BY added_at, document_id
"""
COUNT_STOPS = "SELECT count(*) FROM tourism.trip_stops WHERE trip_id = $1"
LOCK_TRIP = "SELECT id FROM tourism.trips WHERE id = $1 FOR UPDATE"
INSERT_STOP = """
INSERT INTO tourism.trip_stops (trip_id, document_id, name, lat, lng, url_path) VALUES ($1, $2, $3, $4, $5, $6)
ON CONFLICT (trip_id, document_id) DO UPDATE SET name = EXCLUDED.name, lat = EXCLUDED.lat, lng = EXCLUDED.lng,
    url_path = EXCLUDED.url_path
"""
DELETE_STOP = "DELETE FROM tourism.trip_stops WHERE trip_id = $1 AND document_id = $2 RETURNING 1"
TOUCH = "UPDATE tourism.trips SET updated_at = now() WHERE id = $1"
GET_LATEST_FOR_USER = """
SELECT id, share_token, title, user_id, created_at, updated_at FROM tourism.trips
WHERE user_id = $1 ORDER BY updated_at DESC, id DESC LIMIT 1
"""
SET_USER = "UPDATE tourism.trips SET user_id = $2 WHERE id = $1 AND user_id IS NULL"
UPDATE_TITLE = "UPDATE tourism.trips SET title = $2, updated_at = now() WHERE id = $1"


async def _trip(connection: asyncpg.Connection, record: asyncpg.Record | None) -> Trip | None:
    if record is None:
        return None
    trip = msgspec.convert(dict(record), Trip)
    return msgspec.structs.replace(trip, stops=await list_stops(connection, trip.id))


async def insert_trip(
    connection: asyncpg.Connection, edit_token_hash: bytes, share_token: str, user_id: int | None, title: str = ""
) -> Trip:
    """A new, empty trip."""
    record = await connection.fetchrow(INSERT_TRIP, edit_token_hash, share_token, user_id, title)
    return msgspec.convert(dict(record), Trip)


async def get_trip_by_edit_hash(connection: asyncpg.Connection, edit_token_hash: bytes) -> Trip | None:
    """The trip whose edit token hashes to this, with its stops."""
    return await _trip(connection, await connection.fetchrow(GET_BY_EDIT, edit_token_hash))


async def get_trip_by_share_token(connection: asyncpg.Connection, share_token: str) -> Trip | None:
    """The trip with this share token, with its stops."""
    return await _trip(connection, await connection.fetchrow(GET_BY_SHARE, share_token))


async def get_latest_trip_for_user(connection: asyncpg.Connection, user_id: int) -> Trip | None:
    """The signed-in user's most recently changed trip, with its stops."""
    return await _trip(connection, await connection.fetchrow(GET_LATEST_FOR_USER, user_id))


async def set_trip_user(connection: asyncpg.Connection, trip_id: int, user_id: int) -> None:
    """Attach an anonymous trip to the user who just signed in (never moves another user's trip)."""
    await connection.execute(SET_USER, trip_id, user_id)


async def list_stops(connection: asyncpg.Connection, trip_id: int) -> list[TripStop]:
    """The trip's stops in the order they were saved."""
    return [msgspec.convert(dict(record), TripStop) for record in await connection.fetch(LIST_STOPS, trip_id)]


async def lock_trip(connection: asyncpg.Connection, trip_id: int) -> None:
    """Hold the trip's row until the transaction ends (so two saves cannot both take the last free place)."""
    await connection.execute(LOCK_TRIP, trip_id)


async def count_stops(connection: asyncpg.Connection, trip_id: int) -> int:
    """How many stops the trip has."""
    return await connection.fetchval(COUNT_STOPS, trip_id)


async def insert_stop(connection: asyncpg.Connection, trip_id: int, stop: TripStop) -> None:
    """Save a stop (saving it again refreshes its copy of the name and point)."""
    await connection.execute(INSERT_STOP, trip_id, stop.document_id, stop.name, stop.lat, stop.lng, stop.url_path)


async def delete_stop(connection: asyncpg.Connection, trip_id: int, document_id: str) -> bool:
    """Remove a stop; False when the trip did not have it."""
    return await connection.fetchval(DELETE_STOP, trip_id, document_id) is not None


async def touch_trip(connection: asyncpg.Connection, trip_id: int) -> None:
    """Mark the trip changed now."""
    await connection.execute(TOUCH, trip_id)


async def update_trip_title(connection: asyncpg.Connection, trip_id: int, title: str) -> None:
    """Rename the trip."""
    await connection.execute(UPDATE_TITLE, trip_id, title)


# Anonymous trips: gone 90 days after their last change, or after a day when they have no stop.
DELETE_UNUSED_TRIPS = """
DELETE FROM tourism.trips t WHERE t.user_id IS NULL AND (
    t.updated_at < now() - interval '90 days'
    OR (t.updated_at < now() - interval '1 day' AND NOT EXISTS (SELECT 1 FROM tourism.trip_stops s
                                                              WHERE s.trip_id = t.id)))
"""


async def delete_unused_trips(connection: asyncpg.Connection) -> int:
    """Delete unused anonymous trips; returns how many."""
    status = await connection.execute(DELETE_UNUSED_TRIPS)
    return int(status.split()[-1])
