from tests.marketplace.notifications.mailserver import gateway, smtp_server  # noqa: F401
