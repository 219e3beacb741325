-- The content version: a number that grows with every committed write a public page or JSON read could
-- show (prices, stock, seats, listings, attractions, events, reviews, the search index). Servers keep
-- rendered anonymous responses with the version they were rendered at and read the version (one short
-- query) before serving one again, so an edit shows on the next request, on every server.
--
-- Eight counters summed, not one: each writing transaction increments the counter its transaction id
-- picks, so concurrent orders do not queue behind one row lock. The sum only grows, and only at commit.
CREATE TABLE content_version_shards (
    shard smallint PRIMARY KEY,
    version bigint NOT NULL DEFAULT 0
);
INSERT INTO content_version_shards (shard) SELECT generate_series(0, 7);

-- Tables whose writes never change what an anonymous visitor is shown (per-visitor data, logs, counters).
-- Every other table bumps the version: a new table is watched unless it is listed here, so forgetting
-- a table costs cache hits, never a stale page. `watch_content_tables()` runs after every migration.
-- search_outbox stays watched: the indexer deletes a row once the engine (Meilisearch too) has the change,
-- and nearby lists and featured listings come from the engine.
CREATE TABLE content_version_exempt_tables (
    table_name text PRIMARY KEY,
    reason text NOT NULL
);
INSERT INTO content_version_exempt_tables (table_name, reason) VALUES
    ('public.content_version_shards', 'the version itself'),
    ('public.content_version_exempt_tables', 'this list'),
    ('public.schema_migrations', 'the migration ledger'),
    ('public.sessions', 'signed-in visitors are never served from the cache'),
    ('public.rate_limit_hits', 'per-client counters'),
    ('public.login_failures', 'per-account counters'),
    ('public.phone_codes', 'sign-in codes'),
    ('public.carts', 'a visitor with a cart cookie is never served from the cache'),
    ('public.cart_items', 'a visitor with a cart cookie is never served from the cache'),
    ('public.checkout_requests', 'idempotency keys of checkouts'),
    ('public.search_queries', 'the search log: a search is a read'),
    ('public.search_query_daily', 'the search log: a search is a read'),
    ('public.notifications', 'per-user messages'),
    ('public.notification_deliveries', 'the mail and SMS outbox'),
    ('public.background_job_runs', 'job bookkeeping'),
    ('public.indicator_snapshots', 'officials'' indicators (signed-in pages)'),
    ('tourism.trips', 'a visitor with a trip cookie is never served from the cache'),
    ('tourism.trip_stops', 'a visitor with a trip cookie is never served from the cache'),
    ('tourism.poster_scans', 'scan counters shown to editors only'),
    ('public.batch_scans', 'label scan counters shown to officials only'),
    ('public.webhook_deliveries', 'the outgoing webhooks outbox'),
    ('public.webhook_attempts', 'the outgoing webhooks delivery log');

CREATE FUNCTION bump_content_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- Once per transaction is enough; the flag is transaction-local and rolls back with a savepoint.
    IF current_setting('marketplace.content_version_bumped', true) IS DISTINCT FROM 'yes' THEN
        UPDATE content_version_shards SET version = version + 1
        WHERE shard = (pg_current_xact_id()::text::bigint % 8);
        PERFORM set_config('marketplace.content_version_bumped', 'yes', true);
    END IF;
    RETURN NULL;
END
$$;

-- Puts the statement trigger on every table not exempt (and takes it off tables exempted later).
CREATE FUNCTION watch_content_tables() RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
    target record;
    changed integer := 0;
BEGIN
    FOR target IN
        SELECT c.oid::regclass AS relation,
               format('%s.%s', n.nspname, c.relname) IN (SELECT table_name FROM content_version_exempt_tables)
                   AS exempt,
               EXISTS (SELECT 1 FROM pg_trigger t WHERE t.tgrelid = c.oid AND t.tgname = 'bumps_content_version')
                   AS watched
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition
          AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\_%'
    LOOP
        IF target.exempt AND target.watched THEN
            EXECUTE format('DROP TRIGGER bumps_content_version ON %s', target.relation);
            changed := changed + 1;
        ELSIF NOT target.exempt AND NOT target.watched THEN
            EXECUTE format('CREATE TRIGGER bumps_content_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE'
                           ' ON %s FOR EACH STATEMENT EXECUTE FUNCTION bump_content_version()', target.relation);
            changed := changed + 1;
        END IF;
    END LOOP;
    RETURN changed;
END
$$;

SELECT watch_content_tables();
