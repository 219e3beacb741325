"""What every page handler shares: post/redirect/get, private caching, and submitting a form.

`submit_form` is the one body of a form handler: decode the form into a Struct, run the action in a savepoint,
redirect on success; on a bad field or a refused action, roll the savepoint back and show the form again with
the messages and the status of the error.
"""

from collections.abc import Awaitable, Callable, Mapping
from typing import Any, TypeVar

import asyncpg
from litestar import Response
from litestar.datastructures import Cookie
from litestar.response import Redirect

from i18n.forms import decode_form, error_lines, form_values
from marketplace.platform.errors import AppError
from marketplace.platform.templating import PageRenderer

__all__ = ["NO_STORE", "see_other", "submit_form", "FormAgain"]

T = TypeVar("T")

# Pages that show one person's data: never stored by a shared cache, nor kept by the browser.
NO_STORE = {"cache-control": "private, no-store"}

# Shows the form again: (values as typed, [(message, field)], status code) -> the page.
FormAgain = Callable[[dict[str, Any], list[tuple[str, str]], int], Awaitable[Response[Any]] | Response[Any]]


def see_other(page: PageRenderer, path: str, cookies: list[Cookie] | None = None) -> Redirect:
    """Post/redirect/get to a page of the current locale."""
    return Redirect(f"{page.path_prefix}/{page.locale}{path}", status_code=303, cookies=cookies or [])


async def submit_form(
    db: asyncpg.Connection,
    page: PageRenderer,
    form: Mapping[str, Any],
    model: type[T],
    save: Callable[[T], Awaitable[str | Response[Any]]],
    show_again: FormAgain,
    **known: Any,
) -> Response[Any]:
    """Decode `form` into `model` (with `known` values), `save` it, and redirect to the path it returns.

    `save` runs in a savepoint: when it raises a domain error, whatever it wrote is undone before the form is
    shown again, while the request's transaction (and its connection) stays usable for rendering.
    """
    try:
        data = decode_form(form, model, **known)
        async with db.transaction():
            outcome = await save(data)
    except AppError as error:
        return await _again(show_again, form, error_lines(error), error.status_code)
    except Exception as error:
        # Errors of the packages below marketplace (i18n's FormInvalid, tourism's) share AppError's duck type.
        status = getattr(error, "status_code", None)
        if not isinstance(status, int) or not 400 <= status < 500 or not hasattr(error, "code"):
            raise
        return await _again(show_again, form, error_lines(error), status)
    return see_other(page, outcome) if isinstance(outcome, str) else outcome


async def _again(show_again: FormAgain, form: Mapping[str, Any], lines: list[tuple[str, str]],
                 status: int) -> Response[Any]:
    response = show_again(form_values(form), lines, status)
    return await response if isinstance(response, Awaitable) else response
