"""Tourism's routes for the app, by where it mounts them (docs/CONTRACTS.md); never imports marketplace.

Each list holds module-level Litestar Routers: the app mounts PAGE_ROUTERS under /{locale}, API_ROUTERS under
/api/v1 and ROOT_ROUTERS at its root. Who may call a route is declared on the route (`opt`), for the app's guard.
"""

from litestar import Router

from tourism.attractions import api as attractions_api
from tourism.attractions import editor as attractions_editor
from tourism.attractions import short_link
from tourism.events import api as events_api
from tourism.events import editor as events_editor
from tourism.events import pages as events_pages
from tourism.guide import pages as guide_pages
from tourism.guide import translations as translation_pages
from tourism.trips import api as trips_api
from tourism.trips import pages as trips_pages

__all__ = ["PAGE_ROUTERS", "API_ROUTERS", "ROOT_ROUTERS"]

PAGE_ROUTERS: list[Router] = [
    guide_pages.router,
    events_pages.router,
    trips_pages.router,
    attractions_editor.router,
    events_editor.router,
    translation_pages.router,
]
API_ROUTERS: list[Router] = [attractions_api.router, events_api.router, trips_api.router]
# Outside the locale and API prefixes: the posters' short links.
ROOT_ROUTERS: list[Router] = [short_link.router]
