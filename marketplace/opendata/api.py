"""The open data catalogue for machines: GET /api/v1/datasets, DCAT in JSON-LD."""

from typing import Any

import asyncpg
from litestar import Controller, Request, Response, Router, get
from litestar.di import NamedDependency

from marketplace.opendata import service
from marketplace.opendata.catalogue import catalogue_jsonld
from marketplace.platform.runtime import runtime_of

__all__ = ["DatasetsApi", "router"]

JSON_LD = "application/ld+json"


def public_base(request: Request[Any, Any, Any]) -> str:
    """The settings' base URL and the app's mount prefix: where every link of the catalogue points."""
    runtime = runtime_of(request.app.state)
    return runtime.settings.base_url.rstrip("/") + runtime.path_prefix


class DatasetsApi(Controller):
    """Every public feed of the platform as a DCAT catalogue."""

    path = "/datasets"
    tags = ["open data"]

    @get("/", name="opendata.api.datasets", media_type=JSON_LD)
    async def datasets(self, request: Request[Any, Any, Any],
                       db: NamedDependency[asyncpg.Connection]) -> Response[dict[str, Any]]:
        """A dcat:Catalog of every dataset with its downloads, licence (CC BY 4.0) and dates (JSON-LD)."""
        body = catalogue_jsonld(await service.list_datasets(db), public_base(request))
        return Response(body, media_type=JSON_LD,
                        headers={"cache-control": "public, max-age=300", "access-control-allow-origin": "*"})


router = Router(path="/", route_handlers=[DatasetsApi])
