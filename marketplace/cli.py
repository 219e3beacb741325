"""The `marketplace` command: serve, migrate, seed, createuser, indexer, search, i18n."""

import argparse
import asyncio
import contextlib
import getpass
import logging
import os
import sys
from collections.abc import AsyncIterator, Mapping, Sequence
from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as package_version
from pathlib import Path
from typing import Any

import asyncpg

from marketplace.platform.database import EmbeddedPostgres, create_pool, install_sigterm_exit, start_embedded_database
from marketplace.platform.migrations import apply_migrations
from marketplace.platform.settings import Settings, SettingsError, load_settings
from marketplace.platform.telemetry import configure_logging, logging_dict_config

__all__ = ["main", "open_database", "seed_demo"]

log = logging.getLogger("marketplace.cli")


class CommandError(Exception):
    """A problem the user can fix; printed as one line, no traceback."""


@contextlib.asynccontextmanager
async def open_database(settings: Settings, *, migrate: bool | None = None) -> AsyncIterator[asyncpg.Pool]:
    """A pool on the configured database, starting (and afterwards stopping) the embedded one if needed.

    Migrations run first in embedded mode, or when `migrate` is True.
    """
    embedded: EmbeddedPostgres | None = None
    # One-shot commands hold their session (the migrations' advisory lock): the direct URL when there is one.
    dsn = settings.database_direct_url or settings.database_url
    if dsn is None:
        embedded = EmbeddedPostgres(settings.data_dir)
        dsn = await asyncio.to_thread(start_embedded_database, embedded)
    try:
        try:
            pool = await create_pool(dsn, min_size=1, max_size=4)
        except (OSError, asyncpg.PostgresError) as error:
            raise CommandError(f"DATABASE_URL: cannot connect: {error}") from None
        try:
            if migrate or (migrate is None and embedded is not None):
                async with pool.acquire() as connection:
                    applied = await apply_migrations(connection)
                if applied:
                    print(f"applied {len(applied)} migration(s)")
            yield pool
        finally:
            await pool.close()
    finally:
        if embedded is not None:
            await asyncio.to_thread(embedded.stop)


def _progress(label: str) -> Any:
    """A bar redrawn in place on a terminal; plain lines (one per tenth of the work) in a log or a pipe."""
    if not sys.stderr.isatty():
        return _plain_progress(label)

    def report(done: int, total: int | None) -> None:
        if total:
            width = 30
            filled = int(width * done / total) if total else width
            sys.stderr.write(f"\r{label} [{'#' * filled}{'.' * (width - filled)}] {done}/{total}")
        else:
            sys.stderr.write(f"\r{label} {done}")
        sys.stderr.flush()

    return report


def _plain_progress(label: str) -> Any:
    last_tenth = -1

    def report(done: int, total: int | None) -> None:
        nonlocal last_tenth
        if total:
            tenth = min(10, 10 * done // total)
            if tenth == last_tenth:
                return
            last_tenth = tenth
            sys.stderr.write(f"{label} {done}/{total}\n")
        else:
            sys.stderr.write(f"{label} {done}\n")
        sys.stderr.flush()

    return report


def _end_progress() -> None:
    if sys.stderr.isatty():
        sys.stderr.write("\n")


async def seed_demo(pool: asyncpg.Pool, settings: Settings) -> dict[str, Any]:
    """The demo data of every package, then a full search reindex so it is findable at once."""
    from marketplace import composition
    from marketplace.demo import record_demo_cash, seed_marketplace_demo
    from tourism.demo.seed import seed_demo as seed_tourism

    summary: dict[str, Any] = {}
    async with pool.acquire() as connection, connection.transaction():
        summary["tourism"] = await seed_tourism(connection)
    async with pool.acquire() as connection, connection.transaction():
        summary["marketplace"] = await seed_marketplace_demo(connection)
        summary["payments"] = await record_demo_cash(connection)
    await _reindex(pool, settings, composition)
    return summary


async def _reindex(pool: asyncpg.Pool, settings: Settings, composition: Any) -> Any:
    from search import admin, create_engine

    engine = create_engine(settings, pool)
    try:
        await engine.setup()
        report = await admin.reindex(pool, engine, composition.document_sources(), progress=_progress("reindex"))
        _end_progress()
        return report
    finally:
        await engine.close()


async def _migrate(settings: Settings) -> None:
    async with open_database(settings, migrate=True):
        pass
    print("database is up to date")


async def _seed(settings: Settings, demo: bool) -> None:
    if not demo:
        raise CommandError("seed: only --demo is available (it loads the demo data of the Ninh Thuận area)")
    async with open_database(settings) as pool:
        summary = await seed_demo(pool, settings)
    print(f"demo data loaded: {summary}")


async def _createuser(settings: Settings, email: str, roles: list[str], password: str | None, name: str,
                      commune: int | None = None) -> None:
    from marketplace.accounts import service
    from marketplace.platform.access import SystemActor
    from marketplace.platform.errors import AppError
    from marketplace.province import service as province
    from marketplace.province.models import OfficialGrant

    if commune is not None and "official" not in roles:
        raise CommandError("createuser: --commune is the scope of an official; add --role official")
    async with open_database(settings) as pool, pool.acquire() as connection, connection.transaction():
        try:
            user = await service.create_user(connection, email=email, password=password, roles=roles,
                                             display_name=name)
            if "official" in roles:
                await province.grant_official(connection, SystemActor(None, frozenset({"admin"})),
                                              OfficialGrant(user.email, commune))
        except AppError as error:
            raise CommandError(f"createuser: {error.message}") from None
    scope = "" if "official" not in roles else f" (scope: {'commune ' + str(commune) if commune else 'province'})"
    print(f"created user {user.id} <{user.email}> with roles {', '.join(user.roles)}{scope}")


async def _indexer(settings: Settings) -> None:
    from marketplace import composition
    from search import create_engine
    from search.indexer import Indexer

    async with open_database(settings) as pool:
        engine = create_engine(settings, pool)
        try:
            print("indexer running; Ctrl+C stops it")
            await Indexer(pool, engine, composition.document_sources()).run()
        finally:
            await engine.close()


async def _worker(settings: Settings) -> None:
    """Every background job (indexer, expiry, housekeeping...) without the HTTP server, until stopped."""
    from marketplace import composition
    from marketplace.platform.runtime import Runtime
    from marketplace.platform.templating import create_environment

    runtime = Runtime(settings=settings, templates=create_environment())
    await composition.start_runtime(runtime, background=True)
    try:
        print("worker running; Ctrl+C stops it", flush=True)
        await asyncio.gather(*runtime.tasks)
    finally:
        await composition.stop_runtime(runtime)


async def _search(settings: Settings, action: str) -> None:
    from marketplace import composition
    from search import admin, create_engine

    async with open_database(settings) as pool:
        if action == "reindex":
            report = await _reindex(pool, settings, composition)
            print(f"reindexed: {report}")
            return
        engine = create_engine(settings, pool)
        try:
            drift = await admin.check(pool, engine, composition.document_sources())
        finally:
            await engine.close()
        print(drift.summary())
        if not drift.ok:
            raise SystemExit(1)


def _serve(settings: Settings, host: str, port: int, workers: int, server: str, demo: bool,
           flags: Mapping[str, str] | None = None) -> None:
    """Start the embedded database here (one owner for all workers), then the HTTP server."""
    embedded: EmbeddedPostgres | None = None
    env_backup = dict(os.environ)
    try:
        # The workers read their settings from the environment: --base-url and --default-locale go there too.
        os.environ.update(flags or {})
        if settings.database_url is None:
            embedded = EmbeddedPostgres(settings.data_dir)
            dsn = start_embedded_database(embedded)
            # Workers inherit the running server instead of each starting their own.
            os.environ["DATABASE_URL"] = dsn
            os.environ["SECRET_KEY"] = settings.secret_key
            asyncio.run(_migrate_and_seed(settings, dsn, demo))
        elif demo:
            asyncio.run(_migrate_and_seed(settings, settings.database_direct_url or settings.database_url, demo))
        os.environ.setdefault("BASE_URL", f"http://{host}:{port}")
        _fresh_metrics_directory()
        shown_host = "127.0.0.1" if host in ("0.0.0.0", "::") else host
        print(f"Marketplace is serving at http://{shown_host}:{port}/  (vi: http://{shown_host}:{port}/vi/)",
              flush=True)
        if server == "uvicorn":
            import uvicorn

            uvicorn.run("marketplace.app:app_from_environment", factory=True, host=host, port=port, workers=workers,
                        access_log=False, log_config=logging_dict_config())
        else:
            from granian import Granian
            from granian.constants import Interfaces

            # A worker still starting when SIGTERM arrives misses granian's stop and kept `serve` alive for good
            # (seen in about 1 stop in 4 right after start): kill what has not stopped after the grace period.
            Granian("marketplace.app:app_from_environment", factory=True, address=host, port=port, workers=workers,
                    interface=Interfaces.ASGI, websockets=False, log_dictconfig=logging_dict_config(),
                    workers_kill_timeout=WORKERS_KILL_TIMEOUT_SECONDS).serve()
    finally:
        os.environ.clear()
        os.environ.update(env_backup)
        if embedded is not None:
            embedded.stop()


# Requests in flight get this long to finish on SIGTERM; orchestrators commonly allow 30 s before SIGKILL.
WORKERS_KILL_TIMEOUT_SECONDS = 20


def _fresh_metrics_directory() -> None:
    """Empty PROMETHEUS_MULTIPROC_DIR before the workers start, as prometheus-client asks.

    Each worker writes its counters to files there and /metrics adds them all up: files left by an earlier
    run would be added to this one's (and a dead worker's would be counted forever).
    """
    directory = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if not directory:
        return
    path = Path(directory)
    path.mkdir(parents=True, exist_ok=True)
    for stale in path.glob("*.db"):
        stale.unlink()


async def _migrate_and_seed(settings: Settings, dsn: str, demo: bool) -> None:
    pool = await create_pool(dsn, min_size=1, max_size=4)
    try:
        async with pool.acquire() as connection:
            await apply_migrations(connection)
        if demo:
            summary = await seed_demo(pool, settings)
            print(f"demo data loaded: {summary}")
    finally:
        await pool.close()


def _one_line(error: BaseException) -> str:
    return " ".join(str(error).split()) or type(error).__name__


async def _check_database(dsn: str, variable: str = "DATABASE_URL") -> None:
    """Connect once: an unreachable or too old server stops start-up with one line, before anything is served."""
    from urllib.parse import urlsplit

    from marketplace.platform.database import MIN_SERVER_VERSION

    parts = urlsplit(dsn)
    where = f"{parts.hostname or 'the configured host'}:{parts.port or 5432}"
    try:
        connection = await asyncpg.connect(dsn, timeout=10)
    except (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError) as error:
        raise CommandError(f"{variable}: cannot connect to {where}: {_one_line(error)}") from None
    try:
        major = connection.get_server_version().major
    finally:
        await connection.close()
    if major < MIN_SERVER_VERSION:
        raise CommandError(f"{variable}: PostgreSQL {major} at {where} is too old; "
                           f"{MIN_SERVER_VERSION} or newer is needed")


def check_start(settings: Settings, env: Mapping[str, str]) -> None:
    """What would otherwise fail later (a payment setting read by a background job, an unreachable database)
    stops start-up here with one line naming the cause."""
    from marketplace.payments.settings import load_payment_settings

    load_payment_settings(env)
    if settings.database_url is not None:
        asyncio.run(_check_database(settings.database_url))
    if settings.database_direct_url is not None:
        asyncio.run(_check_database(settings.database_direct_url, "DATABASE_DIRECT_URL"))


def _check_public_address(host: str, env: Mapping[str, str]) -> None:
    if host in ("0.0.0.0", "::", "[::]") and not env.get("BASE_URL", "").strip():
        raise CommandError(f"serve: --host {host} listens on every address, which is no public URL: "
                           "set BASE_URL (or --base-url), e.g. https://market.example.vn")


def _version() -> str:
    try:
        return package_version("ninh-thuan-marketplace")
    except PackageNotFoundError:
        return "unknown"


def _i18n(action: str) -> None:
    from i18n.tools import compile_catalogs, extract_and_update

    if action == "gaps":
        _translation_gaps()
        return
    if action in ("extract", "update"):
        extract_and_update()
    compile_catalogs()


def _translation_gaps() -> None:
    """Every interface message and every piece of demo text missing in a locale, one per line."""
    from i18n.tools import untranslated_messages
    from marketplace.demo.seed import translation_gaps as marketplace_gaps
    from tourism.demo.seed import translation_gaps as tourism_gaps

    lines = [f"catalog\t{msgid}\t{locale}" for locale, msgid in untranslated_messages()]
    lines += ["\t".join(gap) for gap in (*tourism_gaps(), *marketplace_gaps())]
    for line in lines:
        print(line)
    if lines:
        raise CommandError(f"i18n gaps: {len(lines)} translations missing")
    print("i18n gaps: every message and every piece of demo text is in all eight locales")


def build_parser() -> argparse.ArgumentParser:
    """The command line."""
    parser = argparse.ArgumentParser(prog="marketplace", description="Ninh Thuận marketplace service and tools.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    serve = commands.add_parser("serve", help="run the web service (embedded PostgreSQL unless DATABASE_URL)")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=8000, help="port to listen on (default 8000)")
    serve.add_argument("--workers", type=int, default=1, help="worker processes (default 1)")
    serve.add_argument("--server", choices=("granian", "uvicorn"), default="granian", help="HTTP server")
    serve.add_argument("--demo", action="store_true", help="load the demo data before serving")
    serve.add_argument("--base-url", help="public URL (overrides BASE_URL)")
    serve.add_argument("--default-locale", help="overrides DEFAULT_LOCALE")

    commands.add_parser("migrate", help="apply database migrations (idempotent, safe to run concurrently)")

    seed = commands.add_parser("seed", help="load data")
    seed.add_argument("--demo", action="store_true", help="the demo data of the Ninh Thuận area")

    createuser = commands.add_parser("createuser", help="create a user with a role")
    createuser.add_argument("--email", required=True)
    createuser.add_argument("--role", action="append", required=True,
                            choices=("customer", "merchant", "community_agent", "editor", "admin", "official"),
                            help="a role; repeat for several")
    createuser.add_argument("--commune", type=int, default=None,
                            help="an official's scope: one commune's code (default: the whole province)")
    createuser.add_argument("--name", default="", help="display name")
    createuser.add_argument("--password", help="password (default: MARKETPLACE_PASSWORD, or asked for)")

    commands.add_parser("indexer", help="run the search outbox indexer on its own")
    commands.add_parser("worker", help="run every background job (indexer, expiry, housekeeping) on its own")

    search = commands.add_parser("search", help="search index maintenance")
    search.add_argument("action", choices=("reindex", "check"), help="reindex: rebuild; check: report drift")

    i18n_cmd = commands.add_parser("i18n", help="message catalogs")
    i18n_cmd.add_argument("action", choices=("update", "compile", "gaps"),
                          help="update: extract strings, update every .po and compile; compile: compile only; "
                               "gaps: list every message and demo text missing in a locale (exit 2 if any)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the console script."""
    args = build_parser().parse_args(argv)
    install_sigterm_exit()
    configure_logging(logging.INFO if args.command in ("serve", "indexer", "worker") else logging.WARNING)
    try:
        if args.command == "i18n":
            _i18n(args.action)
            return 0
        if args.command == "serve":
            env = dict(os.environ)
            if args.base_url:
                env["BASE_URL"] = args.base_url
            if args.default_locale:
                env["DEFAULT_LOCALE"] = args.default_locale
            settings = load_settings(env)
            _check_public_address(args.host, env)
            check_start(settings, env)
            _serve(settings, args.host, args.port, args.workers, args.server, args.demo,
                   {key: env[key] for key in ("BASE_URL", "DEFAULT_LOCALE") if key in env})
            return 0
        settings = load_settings()
        if args.command in ("worker", "indexer"):
            check_start(settings, os.environ)
        if args.command == "migrate":
            asyncio.run(_migrate(settings))
        elif args.command == "seed":
            asyncio.run(_seed(settings, args.demo))
        elif args.command == "createuser":
            password = args.password or os.environ.get("MARKETPLACE_PASSWORD")
            if password is None:
                if not sys.stdin.isatty():
                    raise CommandError("createuser: give --password or MARKETPLACE_PASSWORD")
                password = getpass.getpass("Password: ")
            asyncio.run(_createuser(settings, args.email, args.role, password, args.name, args.commune))
        elif args.command == "indexer":
            with contextlib.suppress(KeyboardInterrupt):
                asyncio.run(_indexer(settings))
        elif args.command == "worker":
            with contextlib.suppress(KeyboardInterrupt):
                asyncio.run(_worker(settings))
        elif args.command == "search":
            asyncio.run(_search(settings, args.action))
    except SettingsError as error:
        print(f"marketplace: configuration error: {error}", file=sys.stderr)
        return 2
    except CommandError as error:
        print(f"marketplace: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
