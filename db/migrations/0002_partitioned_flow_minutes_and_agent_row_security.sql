-- Aggregated flows grow without bound: partitioned by day so retention drops whole
-- partitions and a time-range query touches only its days. Rows outside any daily
-- partition (late or far-future minutes) land in the default partition.
CREATE TABLE flow_minutes (
  cluster_id uuid NOT NULL,
  minute timestamptz NOT NULL,
  src_namespace text NOT NULL,
  src_workload text NOT NULL,
  src_ip text NOT NULL,
  dst_namespace text NOT NULL,
  dst_workload text NOT NULL,
  dst_ip text NOT NULL,
  port integer NOT NULL,
  protocol text NOT NULL,
  mtls text NOT NULL,
  verdict text NOT NULL,
  count bigint NOT NULL,
  bytes bigint NOT NULL
) PARTITION BY RANGE (minute);
--> statement-breakpoint
CREATE TABLE flow_minutes_default PARTITION OF flow_minutes DEFAULT;
--> statement-breakpoint
-- Append-only (see server/services/agents/ingest-flows.ts): one index, for the time-range
-- reads of one cluster; partition pruning does the rest.
CREATE INDEX flow_minutes_cluster_minute_idx ON flow_minutes (cluster_id, minute);
--> statement-breakpoint
-- Creates the daily partitions for [from_day, from_day + days). A day whose rows already
-- sit in the default partition is left there (attaching it would fail).
CREATE OR REPLACE FUNCTION verity_ensure_flow_partitions(from_day date, days integer) RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
  d date;
  created integer := 0;
  part text;
BEGIN
  FOR i IN 0 .. days - 1 LOOP
    d := from_day + i;
    part := 'flow_minutes_' || to_char(d, 'YYYYMMDD');
    IF to_regclass(part) IS NULL THEN
      BEGIN
        EXECUTE format('CREATE TABLE %I PARTITION OF flow_minutes FOR VALUES FROM (%L) TO (%L)', part, d::timestamp AT TIME ZONE 'UTC', (d + 1)::timestamp AT TIME ZONE 'UTC');
        created := created + 1;
      EXCEPTION WHEN check_violation OR duplicate_table OR unique_violation THEN
        NULL;
      END;
    END IF;
  END LOOP;
  RETURN created;
END $$;
--> statement-breakpoint
GRANT EXECUTE ON FUNCTION verity_ensure_flow_partitions(date, integer) TO verity_app;
--> statement-breakpoint
SELECT verity_ensure_flow_partitions((now() AT TIME ZONE 'UTC')::date - 1, 3);
--> statement-breakpoint
GRANT SELECT, INSERT ON flow_minutes TO verity_app;
--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE, DELETE ON enrollment_tokens, agents, agent_nonces, ingested_batches, inventory_objects, agent_commands TO verity_app;
--> statement-breakpoint
GRANT SELECT, INSERT ON console_keys TO verity_app;
--> statement-breakpoint
-- A namespaced row is visible to callers who may see the tenant owning that namespace on
-- that cluster; cluster-scoped rows (namespace '') only to callers with global scope.
CREATE OR REPLACE FUNCTION verity_namespace_visible(cid uuid, ns text) RETURNS boolean
LANGUAGE sql STABLE AS $$
  SELECT coalesce(current_setting('verity.all_tenants', true), '') = 'on'
      OR (ns <> '' AND EXISTS (
            SELECT 1 FROM tenant_namespaces tn
            WHERE tn.cluster_id = cid AND tn.namespace = ns AND verity_tenant_visible(tn.tenant_id)))
$$;
--> statement-breakpoint
ALTER TABLE inventory_objects ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY inventory_objects_scope ON inventory_objects USING (verity_namespace_visible(cluster_id, namespace)) WITH CHECK (verity_namespace_visible(cluster_id, namespace));
--> statement-breakpoint
ALTER TABLE flow_minutes ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY flow_minutes_scope ON flow_minutes
  USING (verity_namespace_visible(cluster_id, src_namespace) OR verity_namespace_visible(cluster_id, dst_namespace))
  WITH CHECK (coalesce(current_setting('verity.all_tenants', true), '') = 'on');
