"""Every kind of message the service sends, and whether it is transactional.

Transactional messages answer something the person did or must know to complete it (a code, a receipt, a ticket);
they are always sent by mail. Notices (progress updates, staff notices) carry a one-click unsubscribe, and stop
when the person turns notices off.
"""

from dataclasses import dataclass
from typing import Final

__all__ = ["MessageKind", "KINDS", "kind"]


@dataclass(frozen=True, slots=True)
class MessageKind:
    """A kind of message: its template is `notifications/messages/<name>.html`."""

    name: str
    transactional: bool
    # Carries a secret (a code, a link that signs in): scrubbed from the outbox once sent.
    secret: bool = False


KINDS: Final[dict[str, MessageKind]] = {
    k.name: k
    for k in (
        MessageKind("verify_email", True, secret=True),
        MessageKind("verify_phone", True, secret=True),
        MessageKind("sign_in_code", True, secret=True),
        MessageKind("password_reset", True, secret=True),
        MessageKind("order_placed", True),
        MessageKind("order_confirmed", True),
        MessageKind("order_shipped", False),
        MessageKind("order_delivered", False),
        MessageKind("order_refunded", True),
        MessageKind("vietqr_instructions", True),
        MessageKind("payment_received", True),
        MessageKind("booking_ticket", True),
        MessageKind("merchant_new_order", True),
        MessageKind("merchant_cash_to_collect", True),
        MessageKind("merchant_payout", False),
        MessageKind("merchant_bank_account_changed", True),
        MessageKind("shop_approved", True),
        MessageKind("shop_refused", True),
        MessageKind("agent_first_order", False),
        MessageKind("admin_merchant_waiting", False),
        MessageKind("feedback_received", False),
        MessageKind("feedback_resolved", True),
    )
}


def kind(name: str) -> MessageKind:
    """The kind called `name`; KeyError for an unknown one (a programming error)."""
    return KINDS[name]
