"""What an agent sends to register a producer, and the consent it records."""

from datetime import datetime
from typing import Annotated, Literal

import msgspec

from marketplace.merchants.models import MerchantKind, Phone

__all__ = ["ConsentMethod", "CONSENT_METHODS", "AssistedMerchantCreate", "Consent", "TakeoverCode", "TakeoverRedeem"]

ConsentMethod = Literal["in_person_signature", "in_person_verbal", "phone_call", "paper_form"]
CONSENT_METHODS: tuple[str, ...] = ("in_person_signature", "in_person_verbal", "phone_call", "paper_form")


class AssistedMerchantCreate(msgspec.Struct, frozen=True, kw_only=True):
    """A household producer registered by a community agent, with the producer's consent."""

    producer_name: Annotated[str, msgspec.Meta(min_length=2, max_length=120)]
    producer_phone: Phone
    shop_name: Annotated[str, msgspec.Meta(min_length=2, max_length=120)]
    kind: MerchantKind = "household"
    commune_code: int
    address: Annotated[str, msgspec.Meta(min_length=2, max_length=300)]
    consent_given_by: Annotated[str, msgspec.Meta(min_length=2, max_length=120)]
    consent_method: ConsentMethod
    consent_at: datetime
    consent_note: Annotated[str, msgspec.Meta(max_length=500)] = ""
    offers_pickup: bool = True
    delivery_fee: Annotated[int, msgspec.Meta(ge=0, le=10_000_000)] | None = None


class Consent(msgspec.Struct, frozen=True):
    """Who consented, when and how, and which agent recorded it."""

    merchant_id: int
    agent_user_id: int
    producer_name: str
    producer_phone: str
    consent_given_by: str
    consent_method: str
    consent_at: datetime
    consent_note: str
    ended_at: datetime | None


class TakeoverCode(msgspec.Struct, frozen=True):
    """A one-time code shown once to the agent, to hand to the producer."""

    merchant_id: int
    code: str
    expires_at: datetime


class TakeoverRedeem(msgspec.Struct, frozen=True):
    """The producer enters the code while signed in to their own account."""

    code: Annotated[str, msgspec.Meta(min_length=6, max_length=40)]
