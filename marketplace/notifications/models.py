"""What the notification pages show and read."""

from datetime import datetime

import msgspec

__all__ = ["OutboxEntry", "InboxEntry", "Preferences", "PreferencesForm", "STATES"]

STATES = ("pending", "sending", "sent", "dead", "held")


class OutboxEntry(msgspec.Struct, frozen=True, kw_only=True):
    """A delivery as admins see it: the message it carries (or carried), its state and its last error."""

    id: int
    notification_id: int
    kind: str
    channel: str
    recipient: str
    state: str
    attempts: int
    next_attempt_at: datetime
    last_error: str | None
    sent_at: datetime | None
    created_at: datetime
    subject: str
    text: str


class InboxEntry(msgspec.Struct, frozen=True, kw_only=True):
    id: int
    kind: str
    subject: str
    created_at: datetime
    read: bool


class Preferences(msgspec.Struct, frozen=True, kw_only=True):
    email: bool = True
    sms: bool = True
    zalo: bool = False
    notices: bool = True


class PreferencesForm(msgspec.Struct, frozen=True, kw_only=True):
    """The account page's channel choices (unchecked boxes are absent from the form)."""

    email: bool = False
    sms: bool = False
    zalo: bool = False
    notices: bool = False
