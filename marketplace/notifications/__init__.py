"""Notifications: an outbox written in the event's own transaction, delivered by a background worker by mail,
SMS or Zalo (through one channel protocol), with messages rendered in the recipient's language.

Other domains call `marketplace.notifications.outbox.enqueue(conn, kind, ...)` inside the transaction of the
event; nothing is sent if that transaction rolls back, and nothing committed is lost.
"""
