"""The changes feed under /api/v1: the events webhooks carry, in order, for portals that poll instead."""

from typing import Annotated

import asyncpg
from litestar import Controller, Router, get
from litestar.di import NamedDependency
from litestar.params import QueryParameter

from marketplace.webhooks import service
from marketplace.webhooks.models import ChangePage

__all__ = ["ChangesApi", "router"]


class ChangesApi(Controller):
    """`GET /api/v1/changes?after=CURSOR&limit=N`: events after the cursor, oldest first.

    Editors and provincial officials (and admins) may read it, as people or through an API token: it names
    drafts and feedback, which visitors do not see.
    """

    path = "/changes"
    tags = ["webhooks"]
    opt = {"roles": ("editor", "official")}

    @get("/", name="webhooks.api.changes")
    async def changes(
        self,
        db: NamedDependency[asyncpg.Connection],
        after: Annotated[str | None, QueryParameter(max_length=20)] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=service.MAX_PAGE_SIZE)] = 100,
    ) -> ChangePage:
        """Events with a position after `after` (the previous page's `next_cursor`; none for the first page)."""
        return await service.changes_page(db, after, limit)


router = Router(path="/", route_handlers=[ChangesApi])
