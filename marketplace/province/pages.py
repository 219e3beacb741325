"""The province's pages: its month at a glance, one commune's month, the exports, and the admins' officials."""

import asyncio
from datetime import date
from typing import Annotated, Any

import asyncpg
from litestar import Controller, Request, Response, Router, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, QueryParameter
from litestar.response import Redirect

import i18n
from marketplace.platform.divisions import DEFAULT_PROVINCE_CODE, commune_choices, commune_name
from marketplace.platform.principal import Principal
from marketplace.platform.templating import PageRenderer
from marketplace.platform.web import NO_STORE, see_other, submit_form
from marketplace.province import charts, exports, service
from marketplace.province.models import INDICATOR_GROUPS, INDICATORS, Indicators, OfficialForm, OfficialScope

__all__ = ["ProvincePages", "OfficialPages", "router"]

Db = NamedDependency[asyncpg.Connection]
Page = NamedDependency[PageRenderer]
Who = NamedDependency[Principal | None]
Locale = NamedDependency[str]
Period = Annotated[str | None, QueryParameter(description="a month, YYYY-MM")]
Commune = Annotated[int | None, QueryParameter(description="a commune code")]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _months_around(period: date) -> tuple[str, str | None]:
    """The previous month and the next one (None when the next one is still to come)."""
    previous = date(period.year - (period.month == 1), (period.month - 2) % 12 + 1, 1)
    following = date(period.year + (period.month == 12), period.month % 12 + 1, 1)
    this_month = service.parse_period(None)
    return service.period_label(previous), service.period_label(following) if following <= this_month else None


def _charts(result: Indicators, trend: list[tuple[str, Any]], locale: str) -> dict[str, Any]:
    """The SVG charts of a page and the rows of the tables beside them."""
    figures = result.figures
    payment_mix = [(i18n.gettext("Cash", locale), figures["orders_cash"] or 0),
                   (i18n.gettext("VietQR", locale), figures["orders_vietqr"] or 0),
                   (i18n.gettext("Card", locale), figures["orders_card"] or 0)]
    gmv_trend = [(month, values["gmv"] or 0) for month, values in trend]
    communes = [(commune.commune_name, commune.figures["orders"] or 0) for commune in result.communes]

    def millions(value: float) -> str:
        return i18n.format_number(round(value / 1_000_000, 1), locale)

    return {
        "payment_mix": payment_mix, "payment_chart": charts.horizontal_bars(payment_mix),
        "gmv_trend": gmv_trend,
        "gmv_chart": charts.vertical_bars([(month[5:], value) for month, value in gmv_trend], millions),
        "commune_orders": communes, "commune_chart": charts.horizontal_bars(communes) if communes else None,
    }


async def _render(db: asyncpg.Connection, page: PageRenderer, scope: OfficialScope, period_text: str | None,
                  commune_code: int | None, locale: str) -> Response:
    period = service.parse_period(period_text)
    result = await service.get_indicators(db, scope, period, commune_code)
    trend = await service.get_trend(db, scope, period, commune_code)
    previous, following = _months_around(period)
    context = {"result": result, "groups": INDICATOR_GROUPS, "indicators": INDICATORS, "scope": scope,
               "previous": previous, "following": following, "refresh_minutes": service.REFRESH_SECONDS // 60,
               **_charts(result, trend, locale)}
    return page.render("province/indicators.html", context, headers=NO_STORE)


def _attachment(name: str) -> dict[str, str]:
    return {"content-disposition": f'attachment; filename="{name}"', **NO_STORE}


class ProvincePages(Controller):
    """The indicators for officials: the province's month (provincial officers) and one commune's month."""

    path = "/province"
    include_in_schema = False
    opt = {"roles": ("official",)}

    @get("/", name="province.dashboard")
    async def dashboard(self, db: Db, page: Page, principal: Who, locale: Locale, period: Period = None) -> Any:
        """The province's month at a glance; a commune official is sent to their commune."""
        scope = await service.official_scope(db, principal)
        if scope.commune_code is not None:
            query = f"?period={period}" if period else ""
            return see_other(page, f"/province/communes/{scope.commune_code}{query}")
        return await _render(db, page, scope, period, None, locale)

    @get("/communes/{code:int}", name="province.commune")
    async def commune(self, db: Db, page: Page, principal: Who, locale: Locale, code: FromPath[int],
                      period: Period = None) -> Response:
        """One commune's month (403 for another commune's official)."""
        scope = await service.official_scope(db, principal)
        return await _render(db, page, scope, period, code, locale)

    @get("/indicators.csv", name="province.export_csv", media_type="text/csv")
    async def export_csv(self, db: Db, principal: Who, period: Period = None,
                         commune: Commune = None) -> Response[str]:
        """The month's figures as CSV."""
        scope = await service.official_scope(db, principal)
        result = await service.get_indicators(db, scope, service.parse_period(period), commune)
        name = f"indicators-{result.period}{'-' + str(commune) if commune else ''}.csv"
        return Response(exports.indicators_csv(result), media_type="text/csv; charset=utf-8",
                        headers=_attachment(name))

    @get("/indicators.xlsx", name="province.export_xlsx", media_type=XLSX)
    async def export_xlsx(self, db: Db, principal: Who, locale: Locale, period: Period = None,
                          commune: Commune = None) -> Response[bytes]:
        """The month's figures as an XLSX workbook, labelled in the page's language."""
        scope = await service.official_scope(db, principal)
        result = await service.get_indicators(db, scope, service.parse_period(period), commune)
        body = await asyncio.to_thread(exports.indicators_xlsx, result, locale)
        name = f"indicators-{result.period}{'-' + str(commune) if commune else ''}.xlsx"
        return Response(body, media_type=XLSX, headers=_attachment(name))


async def _officials_page(db: asyncpg.Connection, page: PageRenderer, errors: list[tuple[str, str]],
                          values: dict[str, Any], status: int = 200) -> Response:
    return page.render("province/officials.html", {
        "officials": await service.list_officials(db), "communes": commune_choices(DEFAULT_PROVINCE_CODE),
        "commune_name": commune_name, "errors": errors, "values": values}, status_code=status, headers=NO_STORE)


class OfficialPages(Controller):
    """The admins' page of officials: grant the role with a scope, or take it back."""

    path = "/admin/officials"
    include_in_schema = False
    opt = {"roles": ("admin",)}

    @get("/", name="province.officials")
    async def officials(self, db: Db, page: Page) -> Response:
        """Every official and the form to name one."""
        return await _officials_page(db, page, [], {})

    @post("/", name="province.officials_grant")
    async def grant(self, request: Request[Any, Any, Any], db: Db, page: Page, principal: Who) -> Response:
        """Grant the role with its scope."""

        async def save(data: OfficialForm) -> str:
            await service.grant_official(db, principal, data.grant())
            return "/admin/officials"

        async def show_again(values: dict[str, Any], errors: list[tuple[str, str]], status: int) -> Response:
            return await _officials_page(db, page, errors, values, status)

        return await submit_form(db, page, await request.form(), OfficialForm, save, show_again)

    @post("/{user_id:int}/revoke", name="province.officials_revoke")
    async def revoke(self, db: Db, page: Page, principal: Who, user_id: FromPath[int]) -> Redirect:
        """Take the role back."""
        await service.revoke_official(db, principal, user_id)
        return see_other(page, "/admin/officials")


router = Router(path="/", route_handlers=[ProvincePages, OfficialPages])
