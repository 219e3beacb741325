"""Errors shown as pages: translated, in the visitor's language; a sign-in redirect for a 401 on GET."""

import logging
from typing import Any

from litestar import MediaType, Request, Response
from litestar.response import Redirect
from litestar.status_codes import HTTP_303_SEE_OTHER

import i18n
from marketplace.platform.access import current_principal
from marketplace.platform.dependencies import negotiated_locale
from marketplace.platform.runtime import runtime_of
from marketplace.platform.templating import PageRenderer

__all__ = ["render_error_page"]

log = logging.getLogger("marketplace.errors")


def render_error_page(request: Request[Any, Any, Any], status: int, code: str, message: str,
                      headers: dict[str, str]) -> Response[Any]:
    """The error page for `status`; server errors never show their message, only that something went wrong."""
    runtime = runtime_of(request.app.state)
    locale = negotiated_locale(request)
    if status == 401 and request.method == "GET":
        return Redirect(f"{runtime.path_prefix}/{locale}/account/sign-in?next={request.url.path}",
                        status_code=HTTP_303_SEE_OTHER)
    shown = i18n.gettext(message if status < 500 or status == 503 else "Something went wrong on our side.", locale)
    try:
        renderer = PageRenderer(runtime.templates, request, locale, current_principal(request), runtime.path_prefix,
                                runtime.settings.base_url)
        return renderer.render("error.html", {"status": status, "code": code, "message": shown},
                               status_code=status, headers=headers)
    except Exception:  # an error page must never fail; fall back to plain text
        log.exception("error page failed to render")
        return Response(f"{status} {shown}", status_code=status, media_type=MediaType.TEXT, headers=headers)
