"""One typed settings object, read from environment variables once at start-up."""

import importlib.util
import ipaddress
import os
import secrets
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import urlsplit

import msgspec

from i18n import SUPPORTED_LOCALES

__all__ = ["Settings", "SettingsError", "load_settings"]

SECRET_KEY_FILE = "secret_key"
MIN_SECRET_KEY_LENGTH = 32


class SettingsError(Exception):
    """A setting is missing or wrong; the message names the variable and the problem in one line."""

    def __init__(self, variable: str, problem: str) -> None:
        super().__init__(f"{variable}: {problem}")
        self.variable = variable
        self.problem = problem


class Settings(msgspec.Struct, frozen=True, kw_only=True):
    """Everything the service reads from its environment; built by `load_settings`."""

    database_url: str | None = None
    """PostgreSQL URL; None starts the embedded server with its data under `data_dir`."""
    data_dir: Path = Path("./var")
    """Where the embedded database, uploaded images and the generated secret key live."""
    secret_key: str
    """Signs CSRF tokens; at least 32 characters."""
    base_url: str = "http://127.0.0.1:8000"
    """The public URL of the service; https makes session cookies Secure."""
    default_locale: str = "vi"
    """The locale used when neither the URL, a cookie nor Accept-Language chooses one."""
    meilisearch_url: str | None = None
    """Use Meilisearch for search when set; the PostgreSQL engine otherwise."""
    meilisearch_api_key: str | None = None
    """The Meilisearch API key sent as a Bearer token."""
    stripe_secret_key: str | None = None
    """Stripe secret key (sk_live_ or sk_test_); Stripe is not offered without it."""
    stripe_webhook_secret: str | None = None
    """The whsec_ secret that signs Stripe webhook events."""
    frame_ancestors: str = "'self'"
    """CSP frame-ancestors: the origins allowed to frame pages (portals)."""
    run_indexer: bool = True
    """Run the search outbox indexer as a task inside the web process."""
    trusted_proxies: tuple[str, ...] = ()
    """CIDR networks of the reverse proxies whose X-Forwarded-For is believed; empty: the socket peer only."""
    metrics_token: str | None = None
    """/metrics answers only requests bearing this token; None turns /metrics off."""
    smtp_url: str | None = None
    """smtp://user:pass@host:port (smtps:// for implicit TLS, ?starttls=true); mail is held in the outbox without it."""
    mail_from: str | None = None
    """The From address of the service's mail; required with SMTP_URL."""
    sms_gateway_url: str | None = None
    """The HTTP gateway SMS and Zalo messages are posted to (signed JSON); held in the outbox without it."""
    sms_gateway_secret: str | None = None
    """HMAC-SHA256 secret signing the gateway's requests; required with SMS_GATEWAY_URL."""
    database_pool_max: int = 8
    """Connections each server process may hold on DATABASE_URL (servers x workers x this <= max_connections)."""
    search_pool_max: int = 4
    """Connections each process's PostgreSQL search engine may hold (none with Meilisearch)."""
    database_replica_url: str | None = None
    """A read replica for the PostgreSQL search engine and the anonymous reads of routes marked `read_replica`;
    None reads from DATABASE_URL."""
    database_direct_url: str | None = None
    """A direct (not pooled) URL for LISTEN and migration locks when DATABASE_URL goes through PgBouncer."""
    database_pgbouncer: bool = False
    """DATABASE_URL is PgBouncer in transaction mode: no prepared statement cache, no session state on it."""
    media_url: str | None = None
    """Where uploaded images go: s3://bucket/prefix or file:///path; None: DATA_DIR/media."""
    s3_endpoint_url: str | None = None
    """The S3-compatible store's URL (MinIO, Ceph...); None: AWS itself."""
    aws_region: str | None = None
    aws_access_key_id: str | None = None
    aws_secret_access_key: str | None = None
    max_quantity_per_line: int = 20
    """A buyer's most units of one variant in one order (one account must not reserve a whole stock)."""
    max_unpaid_orders: int = 5
    """A buyer's most open orders not paid yet (awaiting payment, or cash not yet collected)."""
    young_account_days: int = 7
    """Accounts younger than this many days may hold at most `young_account_max_reserved` in unpaid orders."""
    young_account_max_reserved: int = 5_000_000
    """VND a young account may hold reserved in unpaid orders."""
    otel_endpoint: str | None = None
    """OTEL_EXPORTER_OTLP_ENDPOINT: OpenTelemetry traces go there (needs the `otel` extra); None: no tracing."""

    @property
    def embedded(self) -> bool:
        """True when the service runs its own PostgreSQL."""
        return self.database_url is None

    @property
    def secure_cookies(self) -> bool:
        """Cookies carry Secure when the public URL is https."""
        return self.base_url.startswith("https://")


def _optional(environ: Mapping[str, str], name: str) -> str | None:
    value = environ.get(name, "").strip()
    return value or None


def _check_database_url(value: str | None) -> str | None:
    if value is None:
        return None
    parts = urlsplit(value)
    if parts.scheme not in ("postgres", "postgresql"):
        raise SettingsError("DATABASE_URL", f"must start with postgresql:// (got scheme {parts.scheme!r})")
    if not (parts.hostname or "host=" in parts.query):
        raise SettingsError("DATABASE_URL", "names no host")
    return value


def _check_http_url(name: str, value: str | None) -> str | None:
    if value is None:
        return None
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise SettingsError(name, f"must be an http:// or https:// URL (got {value!r})")
    return value.rstrip("/")


def _check_bool(name: str, value: str | None, default: bool) -> bool:
    if value is None:
        return default
    lowered = value.lower()
    if lowered in ("1", "true", "yes", "on"):
        return True
    if lowered in ("0", "false", "no", "off"):
        return False
    raise SettingsError(name, f"must be true or false (got {value!r})")


def _check_networks(name: str, value: str | None) -> tuple[str, ...]:
    if value is None:
        return ()
    networks = tuple(part.strip() for part in value.replace(",", " ").split() if part.strip())
    for network in networks:
        try:
            ipaddress.ip_network(network, strict=False)
        except ValueError:
            raise SettingsError(name, f"{network!r} is not an address or CIDR network") from None
    return networks


def _check_smtp_url(value: str | None) -> str | None:
    if value is None:
        return None
    parts = urlsplit(value)
    if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
        raise SettingsError("SMTP_URL", "must be smtp://[user:pass@]host[:port] or smtps://... "
                            f"(got scheme {parts.scheme!r})")
    try:
        parts.port  # noqa: B018 - raises on a port that is not a number
    except ValueError:
        raise SettingsError("SMTP_URL", "has a port that is not a number") from None
    starttls = dict(item.partition("=")[::2] for item in parts.query.split("&") if item).get("starttls")
    if starttls is not None:
        _check_bool("SMTP_URL", starttls, False)
    return value


def _mail_settings(env: Mapping[str, str]) -> dict[str, object]:
    """SMTP_URL with MAIL_FROM, SMS_GATEWAY_URL with SMS_GATEWAY_SECRET: each pair complete or absent."""
    smtp_url = _check_smtp_url(_optional(env, "SMTP_URL"))
    mail_from = _optional(env, "MAIL_FROM")
    if mail_from is not None and "@" not in mail_from:
        raise SettingsError("MAIL_FROM", f"must be an e-mail address (got {mail_from!r})")
    if smtp_url and not mail_from:
        raise SettingsError("MAIL_FROM", "is required when SMTP_URL is set")
    gateway_url = _check_http_url("SMS_GATEWAY_URL", _optional(env, "SMS_GATEWAY_URL"))
    gateway_secret = _optional(env, "SMS_GATEWAY_SECRET")
    if gateway_url and not gateway_secret:
        raise SettingsError("SMS_GATEWAY_SECRET", "is required when SMS_GATEWAY_URL is set")
    if gateway_secret is not None and len(gateway_secret) < 16:
        raise SettingsError("SMS_GATEWAY_SECRET", "must be at least 16 characters long")
    return {"smtp_url": smtp_url, "mail_from": mail_from, "sms_gateway_url": gateway_url,
            "sms_gateway_secret": gateway_secret}
def _whole_number(name: str, value: str | None, default: int, low: int, high: int) -> int:
    if value is None:
        return default
    try:
        number = int(value)
    except ValueError:
        raise SettingsError(name, f"must be a whole number (got {value!r})") from None
    if not low <= number <= high:
        raise SettingsError(name, f"must be between {low} and {high} (got {number})")
    return number


def _database_options(env: Mapping[str, str], database_url: str | None) -> dict[str, object]:
    """Pool sizes, the read replica, and the direct URL that PgBouncer in transaction mode needs beside it."""
    options: dict[str, object] = {
        "database_pool_max": _whole_number("DATABASE_POOL_MAX", _optional(env, "DATABASE_POOL_MAX"), 8, 1, 500),
        "search_pool_max": _whole_number("SEARCH_POOL_MAX", _optional(env, "SEARCH_POOL_MAX"), 4, 1, 500),
        "database_pgbouncer": _check_bool("DATABASE_PGBOUNCER", _optional(env, "DATABASE_PGBOUNCER"), False),
    }
    for name in ("DATABASE_REPLICA_URL", "DATABASE_DIRECT_URL"):
        value = _optional(env, name)
        if value is not None and database_url is None:
            raise SettingsError(name, "needs DATABASE_URL (the embedded database has no replica or pooler)")
        try:
            options[name.lower()] = _check_database_url(value)
        except SettingsError as error:
            raise SettingsError(name, error.problem) from None
    if options["database_pgbouncer"] and options["database_direct_url"] is None:
        raise SettingsError("DATABASE_DIRECT_URL", "is required with DATABASE_PGBOUNCER=true: LISTEN and "
                            "migration locks need a session, which PgBouncer in transaction mode does not keep")
    return options


def _otel_endpoint(env: Mapping[str, str]) -> str | None:
    endpoint = _check_http_url("OTEL_EXPORTER_OTLP_ENDPOINT", _optional(env, "OTEL_EXPORTER_OTLP_ENDPOINT"))
    if endpoint is not None and importlib.util.find_spec("opentelemetry.sdk") is None:
        raise SettingsError("OTEL_EXPORTER_OTLP_ENDPOINT", "needs the otel extra: "
                            "pip install 'ninh-thuan-marketplace[otel]'")
    return endpoint


def _media_options(env: Mapping[str, str]) -> dict[str, object]:
    """MEDIA_URL (s3://bucket/prefix or file:///path) and the S3 client's endpoint, region and keys."""
    media_url = _optional(env, "MEDIA_URL")
    if media_url is not None:
        parts = urlsplit(media_url)
        if parts.scheme == "s3" and not parts.netloc:
            raise SettingsError("MEDIA_URL", "names no bucket (s3://bucket/prefix)")
        if parts.scheme == "file" and not parts.path.startswith("/"):
            raise SettingsError("MEDIA_URL", "must be an absolute path (file:///var/lib/marketplace/media)")
        if parts.scheme not in ("s3", "file"):
            raise SettingsError("MEDIA_URL", f"must start with s3:// or file:// (got {media_url!r})")
    key_id, secret = _optional(env, "AWS_ACCESS_KEY_ID"), _optional(env, "AWS_SECRET_ACCESS_KEY")
    if (key_id is None) != (secret is None):
        raise SettingsError("AWS_SECRET_ACCESS_KEY" if secret is None else "AWS_ACCESS_KEY_ID",
                            "is needed with the other AWS key (or set neither to use the instance's role)")
    return {
        "media_url": media_url,
        "s3_endpoint_url": _check_http_url("S3_ENDPOINT_URL", _optional(env, "S3_ENDPOINT_URL")),
        "aws_region": _optional(env, "AWS_REGION"),
        "aws_access_key_id": key_id,
        "aws_secret_access_key": secret,
        "otel_endpoint": _otel_endpoint(env),
    }


def _positive_int(environ: Mapping[str, str], name: str, default: int) -> int:
    value = _optional(environ, name)
    if value is None:
        return default
    if not value.isdigit() or int(value) < 1:
        raise SettingsError(name, f"must be a whole number of at least 1 (got {value!r})")
    return int(value)


def _buyer_limits(environ: Mapping[str, str]) -> dict[str, int]:
    return {"max_quantity_per_line": _positive_int(environ, "MAX_QUANTITY_PER_LINE", 20),
            "max_unpaid_orders": _positive_int(environ, "MAX_UNPAID_ORDERS", 5),
            "young_account_days": _positive_int(environ, "YOUNG_ACCOUNT_DAYS", 7),
            "young_account_max_reserved": _positive_int(environ, "YOUNG_ACCOUNT_MAX_RESERVED", 5_000_000)}


def _secret_key(environ: Mapping[str, str], data_dir: Path, embedded: bool) -> str:
    value = _optional(environ, "SECRET_KEY")
    if value is not None:
        if len(value) < MIN_SECRET_KEY_LENGTH:
            raise SettingsError("SECRET_KEY", f"must be at least {MIN_SECRET_KEY_LENGTH} characters long")
        return value
    if not embedded:
        raise SettingsError("SECRET_KEY", "is required when DATABASE_URL is set (generate one with: "
                            "python -c 'import secrets; print(secrets.token_urlsafe(48))')")
    # Embedded mode: generate once and keep it, so sessions and CSRF tokens survive restarts.
    key_file = data_dir / SECRET_KEY_FILE
    if key_file.exists():
        return key_file.read_text().strip()
    key = secrets.token_urlsafe(48)
    fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(key)
    return key


def load_settings(environ: Mapping[str, str] | None = None, **overrides: object) -> Settings:
    """Read and check the settings; raise SettingsError naming the first bad variable."""
    env = os.environ if environ is None else environ
    database_url = _check_database_url(_optional(env, "DATABASE_URL"))
    data_dir = Path(_optional(env, "DATA_DIR") or "./var").expanduser().absolute()
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise SettingsError("DATA_DIR", f"cannot create {data_dir}: {error.strerror}") from None
    if not os.access(data_dir, os.W_OK):
        raise SettingsError("DATA_DIR", f"{data_dir} is not writable")
    base_url = _check_http_url("BASE_URL", _optional(env, "BASE_URL")) or "http://127.0.0.1:8000"
    default_locale = _optional(env, "DEFAULT_LOCALE") or "vi"
    if default_locale not in SUPPORTED_LOCALES:
        raise SettingsError("DEFAULT_LOCALE", f"must be one of {', '.join(SUPPORTED_LOCALES)} "
                            f"(got {default_locale!r})")
    meilisearch_url = _check_http_url("MEILISEARCH_URL", _optional(env, "MEILISEARCH_URL"))
    stripe_secret_key = _optional(env, "STRIPE_SECRET_KEY")
    if stripe_secret_key is not None and not stripe_secret_key.startswith(("sk_", "rk_")):
        raise SettingsError("STRIPE_SECRET_KEY", "must start with sk_ or rk_")
    stripe_webhook_secret = _optional(env, "STRIPE_WEBHOOK_SECRET")
    if stripe_webhook_secret is not None and not stripe_webhook_secret.startswith("whsec_"):
        raise SettingsError("STRIPE_WEBHOOK_SECRET", "must start with whsec_")
    if stripe_secret_key and not stripe_webhook_secret:
        raise SettingsError("STRIPE_WEBHOOK_SECRET", "is required when STRIPE_SECRET_KEY is set")
    frame_ancestors = _optional(env, "FRAME_ANCESTORS") or "'self'"
    if any(ch in frame_ancestors for ch in ";,\r\n"):
        raise SettingsError("FRAME_ANCESTORS", "must be a space-separated list of sources")
    metrics_token = _optional(env, "METRICS_TOKEN")
    if metrics_token is not None and len(metrics_token) < 16:
        raise SettingsError("METRICS_TOKEN", "must be at least 16 characters long")
    values: dict[str, object] = {
        "database_url": database_url,
        "data_dir": data_dir,
        "secret_key": _secret_key(env, data_dir, database_url is None),
        "base_url": base_url,
        "default_locale": default_locale,
        "meilisearch_url": meilisearch_url,
        "meilisearch_api_key": _optional(env, "MEILISEARCH_API_KEY"),
        "stripe_secret_key": stripe_secret_key,
        "stripe_webhook_secret": stripe_webhook_secret,
        "frame_ancestors": frame_ancestors,
        "run_indexer": _check_bool("RUN_INDEXER", _optional(env, "RUN_INDEXER"), True),
        "trusted_proxies": _check_networks("TRUSTED_PROXIES", _optional(env, "TRUSTED_PROXIES")),
        "metrics_token": metrics_token,
        **_mail_settings(env),
        **_database_options(env, database_url),
        **_media_options(env),
        **_buyer_limits(env),
    }
    values.update({key: value for key, value in overrides.items() if value is not None})
    return Settings(**values)  # type: ignore[arg-type]
