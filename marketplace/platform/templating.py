"""Jinja templates from every package, with gettext, Babel filters and the common page context."""

import hashlib
import html
from collections.abc import Mapping
from datetime import time as datetime_time
from pathlib import Path
from typing import Any

import jinja2
from litestar import MediaType, Request, Response
from litestar.utils.scope.state import ScopeState
from markupsafe import Markup

import i18n
from marketplace.platform.illustrations import illustration_url
from marketplace.platform.middleware import mask_csrf_token, unmask_csrf_token

__all__ = ["TEMPLATE_DIRS", "MASKED_CSRF_SCOPE_KEY", "create_environment", "PageRenderer", "Page", "body_digest",
           "page_tag"]

# Where a rendered page leaves the masked CSRF token it holds, for the anonymous response cache to cut out.
MASKED_CSRF_SCOPE_KEY = "marketplace.masked_csrf_token"
ROOT = Path(__file__).resolve().parents[2]
TEMPLATE_DIRS: tuple[Path, ...] = (
    ROOT / "marketplace" / "templates",
    ROOT / "tourism" / "templates",
    ROOT / "search" / "templates",
)


@jinja2.pass_context
def _gettext(context: Any, message: str, **variables: Any) -> str:
    text = i18n.gettext(message, context.get("locale", i18n.DEFAULT_LOCALE))
    return text % variables if variables else text


@jinja2.pass_context
def _ngettext(context: Any, singular: str, plural: str, count: int, **variables: Any) -> str:
    text = i18n.ngettext(singular, plural, count, context.get("locale", i18n.DEFAULT_LOCALE))
    variables.setdefault("num", count)
    return text % variables


@jinja2.pass_context
def _localize(context: Any, text: Mapping[str, str] | None) -> str:
    return i18n.localize(dict(text) if text else None, context.get("locale", i18n.DEFAULT_LOCALE))


def _shown_in(context: Any, text: Mapping[str, str] | None) -> tuple[str, str, str]:
    """(text, the locale it is in, the page's locale)."""
    page_locale = context.get("locale", i18n.DEFAULT_LOCALE)
    value, shown = i18n.localize_with_locale(dict(text) if text else None, page_locale)
    return value, shown, page_locale


@jinja2.pass_context
def _localize_marked(context: Any, text: Mapping[str, str] | None) -> Markup:
    """The text for an element's content; text in a fallback language carries its own lang (and dir where
    the direction differs), so a screen reader says it right and an English full stop stays at the end of
    its line on an Arabic page. Not for attributes or <title>: use `loc` there."""
    value, shown, page_locale = _shown_in(context, text)
    if not value or shown == page_locale:
        return Markup.escape(value)
    direction = i18n.text_direction(shown)
    dir_attribute = Markup(' dir="{}"').format(direction) if direction != i18n.text_direction(page_locale) else ""
    return Markup('<span lang="{}"{}>{}</span>').format(shown, dir_attribute, value)


@jinja2.pass_context
def _lang_attributes(context: Any, text: Mapping[str, str] | None) -> Markup:
    """lang and dir attributes for an element whose whole content is `text|loc`."""
    _, shown, _ = _shown_in(context, text)
    return Markup('lang="{}" dir="{}"').format(shown, i18n.text_direction(shown))


def _locale_filter(function: Any) -> Any:
    @jinja2.pass_context
    def apply(context: Any, value: Any, *args: Any, **options: Any) -> str:
        if value is None:
            return ""
        return function(value, *args, locale=context.get("locale", i18n.DEFAULT_LOCALE), **options)

    return apply


@jinja2.pass_context
def _money(context: Any, amount: int | None, currency: str = "VND") -> str:
    if amount is None:
        return ""
    return i18n.format_money(amount, currency, context.get("locale", i18n.DEFAULT_LOCALE))


@jinja2.pass_context
def _clock(context: Any, value: str | None) -> str:
    """An "HH:MM" opening-hours time in the locale's own format (Babel), like every other time on the page."""
    if not value:
        return ""
    hours, _, minutes = value.partition(":")
    moment = datetime_time(int(hours) % 24, int(minutes or 0))
    return i18n.format_time(moment, locale=context.get("locale", i18n.DEFAULT_LOCALE))


@jinja2.pass_context
def _url(context: Any, path: str = "/", locale: str | None = None) -> str:
    prefix = context.get("path_prefix", "")
    return f"{prefix}/{locale or context.get('locale', i18n.DEFAULT_LOCALE)}{path}"


@jinja2.pass_context
def _static(context: Any, path: str) -> str:
    return f"{context.get('path_prefix', '')}/static/{path.lstrip('/')}"


@jinja2.pass_context
def _illustration(context: Any, kind: str, category: str | None = None) -> str:
    """The URL of the drawing a listing without a photo shows (see platform/illustrations.py)."""
    return illustration_url(kind, category, context.get("path_prefix", ""))


def create_environment(extra_dirs: tuple[Path, ...] = ()) -> jinja2.Environment:
    """One Jinja environment for every package's templates (autoescaped, i18n extension on)."""
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader([*extra_dirs, *TEMPLATE_DIRS]),
        autoescape=True,
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,
    )
    environment.install_gettext_callables(_gettext, _ngettext, newstyle=True)  # type: ignore[attr-defined]
    environment.globals.update(
        _=_gettext,
        url=_url,
        static=_static,
        illustration=_illustration,
        locales=i18n.SUPPORTED_LOCALES,
        locale_names=i18n.LOCALE_NAMES,
        lang_attributes=_lang_attributes,
        text_direction=i18n.text_direction,
        missing_locales=i18n.missing_locales,
    )
    environment.filters.update(
        loc=_localize,
        loc_lang=_localize_marked,
        money=_money,
        number=_locale_filter(i18n.format_number),
        date=_locale_filter(i18n.format_date),
        datetime=_locale_filter(i18n.format_datetime),
        time=_locale_filter(i18n.format_time),
        clock=_clock,
        distance=_locale_filter(i18n.format_distance),
    )
    return environment


def body_digest(body: bytes) -> bytes:
    """The digest of a page's body without its CSRF token (the part of the ETag every visitor shares)."""
    return hashlib.blake2b(body, digest_size=16).digest()


def page_tag(digest: bytes, token: str) -> str:
    """The page's ETag from its body's `body_digest` and the visitor's CSRF token (masked or not)."""
    tag = hashlib.blake2b(digest_size=12)
    if token:
        tag.update(unmask_csrf_token(token).encode())
    tag.update(digest)
    return tag.hexdigest()


def _page_tag(body: str, masked_token: str) -> str:
    """The page's ETag: its content, with the CSRF token counted unmasked.

    The token is masked afresh on every render (BREACH), so a hash of the raw body changed on every request
    and no page holding a form was ever answered 304. The copy a browser holds stays valid while the token
    behind its mask is the same.
    """
    if masked_token:
        body = body.replace(masked_token, "")
    return page_tag(body_digest(body.encode()), masked_token)


class Page(Response[str]):
    """An HTML page response (kept as its own type so tests and middleware can tell pages apart)."""


class PageRenderer:
    """Renders a template with the common context for one request."""

    def __init__(self, environment: jinja2.Environment, request: Request[Any, Any, Any], locale: str,
                 principal: Any, path_prefix: str, base_url: str = "") -> None:
        self.environment = environment
        self.base_url = base_url.rstrip("/")
        """The public origin (BASE_URL): hreflang and canonical links must be absolute."""
        self.request = request
        self.locale = locale
        self.principal = principal
        self.path_prefix = path_prefix

    def context(self) -> dict[str, Any]:
        """What every template can use."""
        scope_token = ScopeState.from_scope(self.request.scope).csrf_token
        # After a POST the scope holds the (masked) token the form sent; mask the bare token afresh.
        csrf_token = "" if scope_token in (Ellipsis, None) else mask_csrf_token(unmask_csrf_token(str(scope_token)))
        path = self.request.scope.get("path", "/")
        local_path = path[len(self.path_prefix):] if path.startswith(self.path_prefix) else path
        _, without_locale = i18n.split_locale_path(local_path)
        query = self.request.scope.get("query_string", b"").decode("latin-1")
        return {
            "locale": self.locale,
            "dir": i18n.text_direction(self.locale),
            "principal": self.principal,
            "csrf_token": csrf_token,
            "csrf_input": Markup(f'<input type="hidden" name="_csrf_token" value="{html.escape(csrf_token)}">'),
            "request": self.request,
            "path_prefix": self.path_prefix,
            "path_without_locale": without_locale or "/",
            "query_string": query,
            "base_url": self.base_url,
        }

    def render_string(self, template_name: str, context: Mapping[str, Any] | None = None) -> str:
        """The rendered HTML."""
        template = self.environment.get_template(template_name)
        return template.render({**self.context(), **(context or {})})

    def render(self, template_name: str, context: Mapping[str, Any] | None = None, *, status_code: int = 200,
               headers: dict[str, str] | None = None) -> Page:
        """An HTML response for the template."""
        common = self.context()
        body = self.environment.get_template(template_name).render({**common, **(context or {})})
        headers = dict(headers or {})
        # A page may hold the visitor's name or a CSRF token: whatever a route asked for, no shared cache
        # may keep it (issue 10, point 11: the search page was sent "public, max-age=30").
        if "public" in headers.get("cache-control", ""):
            headers["cache-control"] = headers["cache-control"].replace("public", "private")
        if self.request.method == "GET" and status_code == 200:
            # Revalidation with an ETag saves the body on a weak signal; "private" because pages carry
            # per-visitor CSRF tokens and names, so shared caches must not keep them.
            etag = '"' + _page_tag(body, common["csrf_token"]) + '"'
            self.request.scope[MASKED_CSRF_SCOPE_KEY] = common["csrf_token"]  # type: ignore[literal-required]
            headers.setdefault("cache-control", "private, no-cache")
            headers["etag"] = etag
            if etag in self.request.headers.get("if-none-match", ""):
                return Page("", status_code=304, headers=headers)
        response = Page(body, status_code=status_code, media_type=MediaType.HTML, headers=headers)
        # A page visited in a language remembers it for the next visit to "/" (no server write).
        remembered = self.request.cookies.get(i18n.LOCALE_COOKIE)
        if self.request.path_params.get("lang") == self.locale and remembered != self.locale:
            response.set_cookie(i18n.LOCALE_COOKIE, self.locale, max_age=365 * 24 * 3600, samesite="lax",
                                httponly=True, path=self.path_prefix or "/")
        return response
