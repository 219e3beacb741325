"""The payment settings and the configured providers, as Litestar dependencies of the payment and checkout
handlers."""

from typing import Any

from litestar import Request
from litestar.di import Provide

from marketplace.payments import configured_providers
from marketplace.payments.providers.protocol import PaymentProvider
from marketplace.payments.refunds import ProviderRefunder
from marketplace.payments.settings import PaymentSettings, load_payment_settings
from marketplace.platform.runtime import runtime_of

__all__ = ["PAYMENT_SETTINGS_STATE_KEY", "payment_dependencies", "payment_settings_of", "providers_of",
           "provide_refunder"]

# The app state key that holds PaymentSettings; read from the environment once per app, on first use.
PAYMENT_SETTINGS_STATE_KEY = "payment_settings"


def payment_settings_of(request: Request[Any, Any, Any]) -> PaymentSettings:
    """The app's payment settings (tests and portals may put their own in the app state first)."""
    state = request.app.state
    if PAYMENT_SETTINGS_STATE_KEY not in state:
        state[PAYMENT_SETTINGS_STATE_KEY] = load_payment_settings()
    return state[PAYMENT_SETTINGS_STATE_KEY]


def providers_of(request: Request[Any, Any, Any]) -> list[PaymentProvider]:
    """The providers configured for this app."""
    return configured_providers(runtime_of(request.app.state).settings, payment_settings_of(request))


async def provide_payment_settings(request: Request[Any, Any, Any]) -> PaymentSettings:
    return payment_settings_of(request)


async def provide_payment_providers(request: Request[Any, Any, Any]) -> list[PaymentProvider]:
    return providers_of(request)


async def provide_refunder(request: Request[Any, Any, Any]) -> ProviderRefunder:
    """What cancelling a paid order refunds through (the app mounts it as `refunder` for the order routes)."""
    return ProviderRefunder(providers_of(request), payment_settings_of(request))


def payment_dependencies() -> dict[str, Provide]:
    """`payment_settings` and `payment_providers`, for the payment controllers."""
    return {"payment_settings": Provide(provide_payment_settings),
            "payment_providers": Provide(provide_payment_providers)}
