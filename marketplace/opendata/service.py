"""The catalogue's datasets with their real dates: each feed's own domain says when its data changed."""

from collections.abc import Awaitable, Callable
from datetime import datetime

import asyncpg

from marketplace.opendata.models import DATASETS, Dataset
from marketplace.province import service as province
from tourism.attractions import service as attractions
from tourism.events import service as events

__all__ = ["list_datasets"]

DateReader = Callable[[asyncpg.Connection], Awaitable[tuple[datetime | None, datetime | None]]]
DATE_READERS: dict[str, DateReader] = {
    "attractions": attractions.get_open_data_dates,
    "events": events.get_open_data_dates,
    "indicators": province.get_public_indicator_dates,
}


async def list_datasets(conn: asyncpg.Connection) -> list[Dataset]:
    """Every published dataset, in the catalogue's order, with when it was first published and last changed."""
    datasets = []
    for spec in DATASETS:
        issued, modified = await DATE_READERS[spec.key](conn)
        datasets.append(Dataset(spec=spec, issued=issued, modified=modified))
    return datasets
