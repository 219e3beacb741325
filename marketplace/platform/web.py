"""What every page handler shares: post/redirect/get, private caching, and submitting a form.

`submit_form` is the one body of a form handler: `i18n.forms.submit` (decode the form into a Struct, run the
action in a savepoint, or roll it back and show the form again with the messages and the error's status), then
a redirect to the path the action returned.
"""

from collections.abc import Awaitable, Callable, Mapping
from typing import Any, TypeVar

import asyncpg
from litestar import Response
from litestar.datastructures import Cookie
from litestar.response import Redirect

from i18n.forms import submit
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

    `save` runs in a savepoint (`i18n.forms.submit`): when it raises a domain error, whatever it wrote is undone
    before the form is shown again, while the request's transaction (and its connection) stays usable for
    rendering.
    """
    outcome = await submit(form, model, save, show_again, savepoint=db.transaction, **known)
    return see_other(page, outcome) if isinstance(outcome, str) else outcome
