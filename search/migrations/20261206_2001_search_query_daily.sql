-- The search log aggregated per day, query and locale (issue 10, point 3): a search adds to a counter
-- instead of a row, so the log grows with the distinct queries of a day, not with traffic. Raw rows in
-- search_queries are no longer written; housekeeping deletes those older than 30 days.
CREATE TABLE search_query_daily (
    day date NOT NULL,
    query text NOT NULL,
    locale text NOT NULL,
    searches integer NOT NULL,
    without_results integer NOT NULL,
    results_total bigint NOT NULL,
    PRIMARY KEY (day, query, locale)
);

INSERT INTO search_query_daily (day, query, locale, searches, without_results, results_total)
SELECT (created_at AT TIME ZONE 'UTC')::date, query, locale, count(*), count(*) FILTER (WHERE result_count = 0),
       sum(result_count)
FROM search_queries
WHERE created_at > now() - interval '30 days'
GROUP BY 1, 2, 3;
