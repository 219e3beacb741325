-- One endpoint per receiver URL: the page that shows a new secret answers the POST itself (the secret is never
-- stored readable for a redirect to show), so a browser's "resend the form" must not register a second one.
CREATE UNIQUE INDEX webhook_endpoints_url_idx ON webhook_endpoints (url);
