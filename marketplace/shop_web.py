"""The marketplace's routes for the app: pages under /{locale}, JSON under /api/v1, media files at /media."""

from typing import Any

from marketplace.catalog.api import catalog_api_handlers
from marketplace.media.web import media_handlers
from marketplace.merchants.api import merchant_api_handlers
from marketplace.orders.api import order_api_handlers

__all__ = ["page_handlers", "api_handlers", "root_handlers"]


def page_handlers(guards: Any) -> list[Any]:
    """HTML pages: shops, products, categories, cart, checkout, orders, dashboards, approval queue."""
    from marketplace.agents.pages import agent_page_handlers
    from marketplace.catalog.pages import catalog_page_handlers
    from marketplace.merchants.dashboard import dashboard_page_handlers
    from marketplace.merchants.pages import merchant_page_handlers
    from marketplace.orders.pages import order_page_handlers

    return [
        *catalog_page_handlers(guards),
        *order_page_handlers(guards),
        *merchant_page_handlers(guards),
        *dashboard_page_handlers(guards),
        *agent_page_handlers(guards),
    ]


def api_handlers(guards: Any) -> list[Any]:
    """The same operations as JSON under /api/v1."""
    return [*catalog_api_handlers(guards), *merchant_api_handlers(guards), *order_api_handlers(guards)]


def root_handlers(guards: Any) -> list[Any]:
    """Uploaded images under /media."""
    return media_handlers()
