"""JSON API of the province's side: the indicators of a month, and the admins' officials."""

from typing import Annotated

import asyncpg
from litestar import Controller, Response, Router, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody, QueryParameter
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED

from marketplace.platform.principal import Principal
from marketplace.province import exports, service
from marketplace.province.models import Indicators, Official, OfficialGrant

__all__ = ["IndicatorsApi", "OfficialsApi", "PublicIndicatorsApi", "router"]

Db = NamedDependency[asyncpg.Connection]
Who = NamedDependency[Principal | None]
Period = Annotated[str | None, QueryParameter(description="a month, YYYY-MM")]
Commune = Annotated[int | None, QueryParameter(description="a commune code")]


class IndicatorsApi(Controller):
    """The province's indicators per month: officials (within their scope) and admins."""

    path = "/indicators"
    tags = ["province"]
    opt = {"roles": ("official",)}

    @get("/")
    async def indicators(self, db: Db, principal: Who,
                         period: Period = None,
                         commune: Commune = None) -> Indicators:
        """The figures of a month (YYYY-MM, default this month) for the province and its communes, or one commune.

        A commune official may ask only for their commune (403 otherwise). `computed_at` says how fresh they are.
        """
        scope = await service.official_scope(db, principal)
        return await service.get_indicators(db, scope, service.parse_period(period), commune)


class PublicIndicatorsApi(Controller):
    """The open data of indicators: anyone may download the province's monthly figures."""

    path = "/"
    tags = ["open data"]

    @get("/indicators.csv", name="province.api.public_csv", media_type="text/csv")
    async def public_csv(self, db: Db) -> Response[str]:
        """The province's figures of each of the last 24 months as CSV, one line per month (no commune rows)."""
        body = exports.public_indicators_csv(await service.list_public_indicators(db))
        return Response(body, media_type="text/csv; charset=utf-8", headers={
            "cache-control": "public, max-age=600", "access-control-allow-origin": "*",
            "content-disposition": 'attachment; filename="indicators.csv"'})


class OfficialsApi(Controller):
    """Officials and their scope (the province or one commune), granted by admins."""

    path = "/admin/officials"
    tags = ["province"]
    opt = {"roles": ("admin",)}

    @get("/")
    async def list_officials(self, db: Db) -> list[Official]:
        """Every official with their scope."""
        return await service.list_officials(db)

    @post("/", status_code=HTTP_201_CREATED)
    async def grant(self, data: JSONBody[OfficialGrant], db: Db, principal: Who) -> Official:
        """Make an existing account an official of the province (no commune_code) or of one commune."""
        return await service.grant_official(db, principal, data)

    @post("/{user_id:int}/revoke", status_code=HTTP_200_OK)
    async def revoke(self, user_id: FromPath[int], db: Db, principal: Who) -> None:
        """Take the official role and its scope away."""
        await service.revoke_official(db, principal, user_id)


router = Router(path="/", route_handlers=[IndicatorsApi, PublicIndicatorsApi, OfficialsApi])
