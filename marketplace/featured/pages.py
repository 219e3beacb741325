"""The editors' page of home-page picks, under /{locale}/editor/featured."""

from typing import Any

import asyncpg
from litestar import Controller, Request, Response, Router, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Redirect

from marketplace.featured import service
from marketplace.featured.models import HOME_LIMIT, PickForm, PositionForm
from marketplace.platform.principal import Principal
from marketplace.platform.templating import PageRenderer
from marketplace.platform.web import NO_STORE, see_other, submit_form

__all__ = ["FeaturedPages", "router"]

Db = NamedDependency[asyncpg.Connection]
Page = NamedDependency[PageRenderer]
Who = NamedDependency[Principal | None]
MAX_FORM_BYTES = 4_096


async def _picks_page(db: asyncpg.Connection, page: PageRenderer, errors: list[tuple[str, str]],
                      values: dict[str, Any], status: int = 200) -> Response:
    picks = await service.list_picks(db)
    return page.render("marketplace/featured.html", {
        "picks": picks, "errors": errors, "values": values, "home_limit": HOME_LIMIT,
    }, status_code=status, headers=NO_STORE)


class FeaturedPages(Controller):
    """Editors and admins choose what the home page features and in which order."""

    path = "/editor/featured"
    include_in_schema = False
    opt = {"roles": ("editor",)}

    @get("/", name="featured.picks")
    async def picks(self, db: Db, page: Page) -> Response:
        """The picks of each list and the form to add one."""
        return await _picks_page(db, page, [], {})

    @post("/", name="featured.pick", request_max_body_size=MAX_FORM_BYTES)
    async def pick(self, request: Request[Any, Any, Any], db: Db, page: Page, principal: Who) -> Response:
        """Feature a listing at a position."""

        async def save(data: PickForm) -> str:
            await service.pick_listing(db, principal, data)
            return "/editor/featured"

        async def show_again(values: dict[str, Any], errors: list[tuple[str, str]], status: int) -> Response:
            return await _picks_page(db, page, errors, values, status)

        return await submit_form(db, page, await request.form(), PickForm, save, show_again)

    @post("/{pick_id:int}/position", name="featured.move", request_max_body_size=MAX_FORM_BYTES)
    async def move(self, request: Request[Any, Any, Any], db: Db, page: Page, principal: Who,
                   pick_id: FromPath[int]) -> Response:
        """Give a pick another position."""

        async def save(data: PositionForm) -> str:
            await service.move_pick(db, principal, pick_id, data.position)
            return "/editor/featured"

        async def show_again(values: dict[str, Any], errors: list[tuple[str, str]], status: int) -> Response:
            return await _picks_page(db, page, errors, {}, status)

        return await submit_form(db, page, await request.form(), PositionForm, save, show_again)

    @post("/{pick_id:int}/remove", name="featured.remove", request_max_body_size=MAX_FORM_BYTES)
    async def remove(self, db: Db, page: Page, pick_id: FromPath[int]) -> Redirect:
        """Take a listing off the picks."""
        await service.remove_pick(db, pick_id)
        return see_other(page, "/editor/featured")


router = Router(path="/", route_handlers=[FeaturedPages])
