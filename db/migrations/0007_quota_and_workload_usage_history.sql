-- Usage over time, from the agents: per workload each minute (CPU and memory in use, the
-- requests and limits behind them, replicas) and per ResourceQuota each minute (used and
-- hard per resource). Both grow like flow_minutes: partitioned by day, append-only, one
-- index for time-range reads of a cluster's namespaces. Quantities are whole nano-units
-- (see server/domain/quotas/quantity.ts) so sums stay exact: CPU as nanocores and memory as
-- bytes in bigint; quota amounts as numeric (a terabyte is 10^21 nano-units, past bigint).
CREATE TABLE workload_usage_minutes (
  cluster_id uuid NOT NULL,
  minute timestamptz NOT NULL,
  namespace text NOT NULL,
  workload text NOT NULL,
  kind text NOT NULL,
  replicas integer NOT NULL,
  -- Summed over the workload's pods. Requests and limits are NULL when no container sets them.
  cpu_nanocores bigint NOT NULL,
  memory_bytes bigint NOT NULL,
  cpu_request_nanocores bigint,
  cpu_limit_nanocores bigint,
  memory_request_bytes bigint,
  memory_limit_bytes bigint
) PARTITION BY RANGE (minute);
--> statement-breakpoint
CREATE TABLE workload_usage_minutes_default PARTITION OF workload_usage_minutes DEFAULT;
--> statement-breakpoint
CREATE INDEX workload_usage_minutes_scope_idx ON workload_usage_minutes (cluster_id, namespace, minute);
--> statement-breakpoint
-- One row per ResourceQuota and minute, its resources as parallel arrays: a namespace's
-- quota is read whole, and one row instead of eight keeps a month of minutes affordable.
CREATE TABLE quota_usage_minutes (
  cluster_id uuid NOT NULL,
  minute timestamptz NOT NULL,
  namespace text NOT NULL,
  quota text NOT NULL,
  resources text[] NOT NULL,
  used_nanos numeric[] NOT NULL,
  hard_nanos numeric[] NOT NULL,
  CHECK (cardinality(resources) = cardinality(used_nanos) AND cardinality(resources) = cardinality(hard_nanos))
) PARTITION BY RANGE (minute);
--> statement-breakpoint
CREATE TABLE quota_usage_minutes_default PARTITION OF quota_usage_minutes DEFAULT;
--> statement-breakpoint
CREATE INDEX quota_usage_minutes_scope_idx ON quota_usage_minutes (cluster_id, namespace, minute);
--> statement-breakpoint
-- The hourly rollup a week's chart reads (168 points instead of 10,080 minutes a series).
-- Maintained by the ingest in the same transaction as the minutes it summarises: the
-- highest used in the hour, and used/hard at the hour's last sample.
CREATE TABLE quota_usage_hours (
  cluster_id uuid NOT NULL,
  namespace text NOT NULL,
  quota text NOT NULL,
  resource text NOT NULL,
  hour timestamptz NOT NULL,
  max_used_nanos numeric NOT NULL,
  last_used_nanos numeric NOT NULL,
  last_hard_nanos numeric NOT NULL,
  last_minute timestamptz NOT NULL,
  PRIMARY KEY (cluster_id, namespace, hour, quota, resource)
);
--> statement-breakpoint
-- Creates the daily partitions of both minute tables for [from_day, from_day + days). A day
-- whose rows already sit in a default partition is left there (attaching it would fail).
CREATE OR REPLACE FUNCTION verity_ensure_usage_partitions(from_day date, days integer) RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
  d date;
  created integer := 0;
  parent text;
  part text;
BEGIN
  FOR i IN 0 .. days - 1 LOOP
    d := from_day + i;
    FOREACH parent IN ARRAY ARRAY['workload_usage_minutes', 'quota_usage_minutes'] LOOP
      part := parent || '_' || to_char(d, 'YYYYMMDD');
      IF to_regclass(part) IS NULL THEN
        BEGIN
          EXECUTE format('CREATE TABLE %I PARTITION OF %I FOR VALUES FROM (%L) TO (%L)', part, parent, d::timestamp AT TIME ZONE 'UTC', (d + 1)::timestamp AT TIME ZONE 'UTC');
          created := created + 1;
        EXCEPTION WHEN check_violation OR duplicate_table OR unique_violation THEN
          NULL;
        END;
      END IF;
    END LOOP;
  END LOOP;
  RETURN created;
END $$;
--> statement-breakpoint
GRANT EXECUTE ON FUNCTION verity_ensure_usage_partitions(date, integer) TO verity_app;
--> statement-breakpoint
SELECT verity_ensure_usage_partitions((now() AT TIME ZONE 'UTC')::date - 1, 3);
--> statement-breakpoint
GRANT SELECT, INSERT ON workload_usage_minutes, quota_usage_minutes TO verity_app;
--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE ON quota_usage_hours TO verity_app;
--> statement-breakpoint
-- Readers see the namespaces of their tenants (as inventory_objects); only agents and the
-- system (global scope) write.
ALTER TABLE workload_usage_minutes ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY workload_usage_minutes_scope ON workload_usage_minutes
  USING (verity_namespace_visible(cluster_id, namespace))
  WITH CHECK (coalesce(current_setting('verity.all_tenants', true), '') = 'on');
--> statement-breakpoint
ALTER TABLE quota_usage_minutes ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY quota_usage_minutes_scope ON quota_usage_minutes
  USING (verity_namespace_visible(cluster_id, namespace))
  WITH CHECK (coalesce(current_setting('verity.all_tenants', true), '') = 'on');
--> statement-breakpoint
ALTER TABLE quota_usage_hours ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY quota_usage_hours_scope ON quota_usage_hours
  USING (verity_namespace_visible(cluster_id, namespace))
  WITH CHECK (coalesce(current_setting('verity.all_tenants', true), '') = 'on');
