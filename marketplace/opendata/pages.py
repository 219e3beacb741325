"""The open data catalogue for people: /{locale}/open-data lists every dataset with its downloads."""

from typing import Any

import asyncpg
from litestar import Controller, Response, Router, get
from litestar.di import NamedDependency

from marketplace.opendata import service
from marketplace.opendata.catalogue import CATALOGUE_PATH
from marketplace.opendata.models import LICENSE_URL
from marketplace.platform.templating import PageRenderer

__all__ = ["OpenDataPages", "router"]


class OpenDataPages(Controller):
    """The page that lists the open datasets."""

    path = "/open-data"
    include_in_schema = False

    @get("/", name="opendata.catalogue")
    async def catalogue(self, db: NamedDependency[asyncpg.Connection],
                        page: NamedDependency[PageRenderer]) -> Response[Any]:
        """Every dataset: what it holds, when it last changed, its downloads and its licence."""
        return page.render("opendata/catalogue.html", {
            "datasets": await service.list_datasets(db), "license_url": LICENSE_URL,
            "catalogue_path": CATALOGUE_PATH}, headers={"cache-control": "public, max-age=300"})


router = Router(path="/", route_handlers=[OpenDataPages])
