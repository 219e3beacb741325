"""The payment package's handlers for the app: pages under /{locale}, the JSON API under /api/v1."""

from typing import Any

from marketplace.payments.api import payment_api_handlers
from marketplace.payments.pages import payment_page_handlers
from marketplace.platform.auth import Guards

__all__ = ["page_handlers", "api_handlers", "root_handlers"]


def page_handlers(guards: Guards) -> list[Any]:
    """Paying a checkout, an order's payment, statements, bank accounts, the admin's payouts."""
    return payment_page_handlers(guards)


def api_handlers(guards: Guards) -> list[Any]:
    """Webhooks (Stripe, bank) and the payments API."""
    return payment_api_handlers(guards)


def root_handlers(guards: Guards) -> list[Any]:
    """Nothing outside /{locale} and /api/v1."""
    return []
