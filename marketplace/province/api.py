"""JSON API of the province's side: the indicators of a month, and the admins' officials."""

from typing import Annotated

import asyncpg
from litestar import Controller, Router, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody, QueryParameter
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED

from marketplace.platform.principal import Principal
from marketplace.province import service
from marketplace.province.models import Indicators, Official, OfficialGrant

__all__ = ["IndicatorsApi", "OfficialsApi", "router"]

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


router = Router(path="/", route_handlers=[IndicatorsApi, OfficialsApi])
