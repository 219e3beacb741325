"""Outgoing webhooks: endpoints admins register, deliveries signed by the Standard Webhooks scheme, sent from an
outbox with retries over 24 hours, a delivery log with "send again", and the `/api/v1/changes` feed for portals
that poll instead.

Events come from the change log (`search.changes.record_event`, written in the transaction of each change). The
background job (`delivery.run_webhook_worker`) sequences new events, writes one delivery per subscribed endpoint
in that same transaction, and sends each endpoint's deliveries one at a time, in order.
"""
