-- Two changes that make the quota dashboards answer in milliseconds at 2,000 namespaces.
--
-- 1. A 10-minute rollup of quota_usage_minutes, per resource, for the day chart (144 bins):
--    the highest used and the lowest hard of the bin's minutes, which is exactly what the
--    day view computed from the minutes (max used, min hard per namespace and bin), so its
--    numbers do not change. Maintained by the ingest in the same transaction as the minutes,
--    like the hourly rollup; partitioned by day like the minutes, so retention is the same.
--
-- 2. The row-level-security policies of the usage tables and inventory_objects name the
--    caller's namespaces as a set ("(cluster_id, namespace) IN (visible namespaces)")
--    instead of calling verity_namespace_visible() per row. That function holds a sub-query,
--    so PostgreSQL cannot inline it: every row ran its own EXISTS through the SQL-function
--    executor (EXPLAIN: 456 s for 200,000 rows of one tenant; the same rows, same answer,
--    in 0.3 s with the set, which the planner hashes once per query). The all-tenants
--    switch is read once per query (an InitPlan) instead of once per row. Who sees what is
--    unchanged: the same namespaces of the same visible tenants, '' never.
CREATE TABLE quota_usage_ten_minutes (
  cluster_id uuid NOT NULL,
  namespace text NOT NULL,
  quota text NOT NULL,
  resource text NOT NULL,
  -- date_bin('10 minutes', minute, '2000-01-01'): bins on the clock's tens of minutes.
  bin timestamptz NOT NULL,
  max_used_nanos numeric NOT NULL,
  min_hard_nanos numeric NOT NULL,
  PRIMARY KEY (cluster_id, namespace, bin, quota, resource)
) PARTITION BY RANGE (bin);
--> statement-breakpoint
CREATE TABLE quota_usage_ten_minutes_default PARTITION OF quota_usage_ten_minutes DEFAULT;
--> statement-breakpoint
-- As in 0007, now also for the 10-minute rollup.
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
    FOREACH parent IN ARRAY ARRAY['workload_usage_minutes', 'quota_usage_minutes', 'quota_usage_ten_minutes'] LOOP
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
SELECT verity_ensure_usage_partitions((now() AT TIME ZONE 'UTC')::date - 2, 4);
--> statement-breakpoint
-- Only the day chart reads this rollup, and it looks back 24 hours: minutes older than two
-- days are not rolled up here (on a large installation that would make the migration long
-- for rows nobody reads).
INSERT INTO quota_usage_ten_minutes (cluster_id, namespace, quota, resource, bin, max_used_nanos, min_hard_nanos)
SELECT q.cluster_id, q.namespace, q.quota, u.resource, date_bin('10 minutes', q.minute, '2000-01-01'::timestamptz), max(u.used), min(u.hard)
FROM quota_usage_minutes q
CROSS JOIN LATERAL unnest(q.resources, q.used_nanos, q.hard_nanos) AS u(resource, used, hard)
WHERE q.minute >= date_bin('10 minutes', now() - interval '2 days', '2000-01-01'::timestamptz)
GROUP BY 1, 2, 3, 4, 5;
--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE ON quota_usage_ten_minutes TO verity_app;
--> statement-breakpoint
ALTER TABLE quota_usage_ten_minutes ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY quota_usage_ten_minutes_scope ON quota_usage_ten_minutes
  USING ((SELECT coalesce(current_setting('verity.all_tenants', true), '') = 'on')
    OR (namespace <> '' AND (cluster_id, namespace) IN (SELECT tn.cluster_id, tn.namespace FROM tenant_namespaces tn WHERE verity_tenant_visible(tn.tenant_id))))
  WITH CHECK (coalesce(current_setting('verity.all_tenants', true), '') = 'on');
--> statement-breakpoint
DROP POLICY quota_usage_minutes_scope ON quota_usage_minutes;
--> statement-breakpoint
CREATE POLICY quota_usage_minutes_scope ON quota_usage_minutes
  USING ((SELECT coalesce(current_setting('verity.all_tenants', true), '') = 'on')
    OR (namespace <> '' AND (cluster_id, namespace) IN (SELECT tn.cluster_id, tn.namespace FROM tenant_namespaces tn WHERE verity_tenant_visible(tn.tenant_id))))
  WITH CHECK (coalesce(current_setting('verity.all_tenants', true), '') = 'on');
--> statement-breakpoint
DROP POLICY quota_usage_hours_scope ON quota_usage_hours;
--> statement-breakpoint
CREATE POLICY quota_usage_hours_scope ON quota_usage_hours
  USING ((SELECT coalesce(current_setting('verity.all_tenants', true), '') = 'on')
    OR (namespace <> '' AND (cluster_id, namespace) IN (SELECT tn.cluster_id, tn.namespace FROM tenant_namespaces tn WHERE verity_tenant_visible(tn.tenant_id))))
  WITH CHECK (coalesce(current_setting('verity.all_tenants', true), '') = 'on');
--> statement-breakpoint
DROP POLICY workload_usage_minutes_scope ON workload_usage_minutes;
--> statement-breakpoint
CREATE POLICY workload_usage_minutes_scope ON workload_usage_minutes
  USING ((SELECT coalesce(current_setting('verity.all_tenants', true), '') = 'on')
    OR (namespace <> '' AND (cluster_id, namespace) IN (SELECT tn.cluster_id, tn.namespace FROM tenant_namespaces tn WHERE verity_tenant_visible(tn.tenant_id))))
  WITH CHECK (coalesce(current_setting('verity.all_tenants', true), '') = 'on');
--> statement-breakpoint
-- inventory_objects: the same set for reading (the quota overview reads every ResourceQuota
-- in scope); writes keep their per-row check, which sees one row at a time anyway.
DROP POLICY inventory_objects_scope ON inventory_objects;
--> statement-breakpoint
CREATE POLICY inventory_objects_scope ON inventory_objects
  USING ((SELECT coalesce(current_setting('verity.all_tenants', true), '') = 'on')
    OR (namespace <> '' AND (cluster_id, namespace) IN (SELECT tn.cluster_id, tn.namespace FROM tenant_namespaces tn WHERE verity_tenant_visible(tn.tenant_id))))
  WITH CHECK (verity_namespace_visible(cluster_id, namespace));
