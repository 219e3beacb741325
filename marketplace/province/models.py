"""The province's side: officials and their scope, and the indicators they read per commune and month."""

from datetime import datetime
from typing import Annotated, Literal

import msgspec

__all__ = [
    "PERIOD_PATTERN",
    "Official",
    "OfficialGrant",
    "OfficialForm",
    "OfficialScope",
    "Indicator",
    "INDICATORS",
    "INDICATOR_GROUPS",
    "TermCount",
    "AgentCount",
    "Figures",
    "CommuneFigures",
    "Indicators",
]

PERIOD_PATTERN = r"^[0-9]{4}-(0[1-9]|1[0-2])$"
Period = Annotated[str, msgspec.Meta(pattern=PERIOD_PATTERN, description="a month, YYYY-MM")]


def N_(message: str) -> str:
    """Marks a message for extraction; it is translated where it is shown."""
    return message


class OfficialScope(msgspec.Struct, frozen=True):
    """What an official may read: the whole province (commune_code None) or one commune."""

    province_code: int
    commune_code: int | None = None

    @property
    def is_province(self) -> bool:
        """True for a provincial officer, who reads every commune."""
        return self.commune_code is None


class Official(msgspec.Struct, frozen=True, kw_only=True):
    """An official as the admin's list shows it."""

    user_id: int
    email: str
    display_name: str
    province_code: int
    commune_code: int | None
    granted_at: datetime


class OfficialGrant(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """Make an existing account an official of the province or of one commune."""

    email: Annotated[str, msgspec.Meta(min_length=3, max_length=254)]
    commune_code: int | None = None


class OfficialForm(msgspec.Struct, frozen=True, kw_only=True):
    """The admin's form: an account's e-mail and a scope (0 or empty: the whole province)."""

    email: Annotated[str, msgspec.Meta(min_length=3, max_length=254)]
    commune_code: int | None = None

    def grant(self) -> OfficialGrant:
        """The grant this form asks for."""
        return OfficialGrant(self.email, self.commune_code or None)


Unit = Literal["count", "money", "percent", "hours", "rating", "ratio"]


class Indicator(msgspec.Struct, frozen=True):
    """One figure: its key in the snapshot, its group, its label and how to show it."""

    key: str
    group: str
    label: str
    unit: Unit = "count"


INDICATOR_GROUPS: tuple[tuple[str, str], ...] = (
    ("merchants", N_("Merchants")),
    ("catalogue", N_("Catalogue")),
    ("trade", N_("Trade")),
    ("tourism", N_("Tourism")),
    ("demand", N_("Demand")),
    ("feedback", N_("Tourist feedback")),
)

# Every figure, in the order pages and exports show them; the repository computes each key.
INDICATORS: tuple[Indicator, ...] = (
    Indicator("merchants_registered", "merchants", N_("Merchants registered")),
    Indicator("merchants_approved", "merchants", N_("Merchants approved")),
    Indicator("merchants_active_30d", "merchants", N_("Merchants active in the last 30 days")),
    Indicator("merchants_assisted", "merchants", N_("Registered with an agent's help")),
    Indicator("merchants_self_service", "merchants", N_("Registered by themselves")),
    Indicator("agents_onboarding", "merchants", N_("Agents who onboarded households")),
    Indicator("households_per_agent", "merchants", N_("Households onboarded per agent"), "ratio"),
    Indicator("products_listed", "catalogue", N_("Products listed")),
    Indicator("experiences_listed", "catalogue", N_("Experiences listed")),
    Indicator("ocop_3_star", "catalogue", N_("Listings with 3 OCOP stars")),
    Indicator("ocop_4_star", "catalogue", N_("Listings with 4 OCOP stars")),
    Indicator("ocop_5_star", "catalogue", N_("Listings with 5 OCOP stars")),
    Indicator("trace_scans", "catalogue", N_("OCOP batch label (QR) scans")),
    Indicator("orders", "trade", N_("Orders")),
    Indicator("buyers", "trade", N_("Buyers")),
    Indicator("gmv", "trade", N_("Gross merchandise value (VND)"), "money"),
    Indicator("orders_cash", "trade", N_("Paid in cash")),
    Indicator("orders_vietqr", "trade", N_("Paid by VietQR transfer")),
    Indicator("orders_card", "trade", N_("Paid by card")),
    Indicator("delivery_hours", "trade", N_("Average hours from order to delivery"), "hours"),
    Indicator("orders_cancelled", "trade", N_("Cancelled orders")),
    Indicator("orders_refunded", "trade", N_("Refunded orders")),
    Indicator("rating_average", "trade", N_("Average rating"), "rating"),
    Indicator("reviews", "trade", N_("Reviews")),
    Indicator("attractions", "tourism", N_("Attractions")),
    Indicator("events", "tourism", N_("Events")),
    Indicator("attractions_verified_share", "tourism", N_("Attractions verified in the last 12 months"), "percent"),
    Indicator("poster_scans", "tourism", N_("QR poster scans")),
    Indicator("searches", "demand", N_("Searches")),
    Indicator("searches_zero", "demand", N_("Searches with no result")),
    Indicator("feedback_received", "feedback", N_("Feedback received")),
    Indicator("feedback_resolved", "feedback", N_("Feedback resolved")),
    Indicator("feedback_resolve_hours", "feedback", N_("Median hours to resolve feedback"), "hours"),
)

Figures = dict[str, float | int | None]


class TermCount(msgspec.Struct, frozen=True, array_like=False):
    """A search term and how often it was searched."""

    term: str
    count: int


class AgentCount(msgspec.Struct, frozen=True):
    """An agent and the households they onboarded in the month."""

    agent: str
    households: int


class CommuneFigures(msgspec.Struct, frozen=True, kw_only=True):
    """One commune's figures of a month, as the province's table of communes lists them."""

    commune_code: int
    commune_name: str
    figures: Figures


class Indicators(msgspec.Struct, frozen=True, kw_only=True):
    """The figures of a month for the province (commune_code None) or one commune, and how fresh they are."""

    period: Period
    province_code: int
    commune_code: int | None
    name: str
    computed_at: datetime
    figures: Figures
    top_zero_result_terms: list[TermCount] = []
    agents: list[AgentCount] = []
    communes: list[CommuneFigures] = []
