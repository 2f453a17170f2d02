-- 10-minute and hourly sums of flow_minutes, so the graph's default hour and its day read a
-- few rows per edge instead of 60 or 1,440 (at 10,000 edges an hour was 600,000 minute rows,
-- which the embedded database could not sum while a page waited).
--
-- The ingest stays append-only into flow_minutes (its throughput depends on it). A console
-- job rolls up each closed bucket once, in time order, and records a mark for it; readers
-- use a bucket's rollup only where it is marked and wholly inside the range, and minutes
-- elsewhere (server/domain/graph/flow-read-plan.ts). Records that arrive for a bucket after
-- it was marked are appended to the rollups by the ingest in the same transaction, so a
-- rollup always equals its minutes. The job and the ingest of a cluster meet on one advisory
-- lock (exclusive for the job, shared for the ingest), so no record falls between the two.
--
-- The rollups, like the minutes, hold several rows per key where late records were appended;
-- readers sum them. Partitioned by day like the minutes, with the same row security.
CREATE TABLE flow_ten_minutes (
  cluster_id uuid NOT NULL,
  bucket timestamptz NOT NULL,
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
) PARTITION BY RANGE (bucket);
--> statement-breakpoint
CREATE TABLE flow_ten_minutes_default PARTITION OF flow_ten_minutes DEFAULT;
--> statement-breakpoint
CREATE INDEX flow_ten_minutes_cluster_bucket_idx ON flow_ten_minutes (cluster_id, bucket);
--> statement-breakpoint
CREATE TABLE flow_hours (LIKE flow_ten_minutes) PARTITION BY RANGE (bucket);
--> statement-breakpoint
CREATE TABLE flow_hours_default PARTITION OF flow_hours DEFAULT;
--> statement-breakpoint
CREATE INDEX flow_hours_cluster_bucket_idx ON flow_hours (cluster_id, bucket);
--> statement-breakpoint
-- The ten minutes still open, summed as far as their minutes are complete (through), and
-- replaced by the job each run until the bucket closes: the graph's last hour then reads at
-- most a few of its newest minutes raw. Each row carries the minute it is complete through, so
-- a reader takes the rows and the minutes after them in one statement, one snapshot.
CREATE TABLE flow_open_tens (LIKE flow_ten_minutes, through timestamptz NOT NULL);
--> statement-breakpoint
CREATE INDEX flow_open_tens_cluster_bucket_idx ON flow_open_tens (cluster_id, bucket);
--> statement-breakpoint
-- One row per rolled bucket (width 600 or 3600 seconds), including buckets without flows, so
-- the job's progress is the latest mark and a reader knows which buckets it may trust.
CREATE TABLE flow_rollup_marks (
  cluster_id uuid NOT NULL REFERENCES clusters (id) ON DELETE CASCADE,
  width integer NOT NULL CHECK (width IN (600, 3600)),
  bucket timestamptz NOT NULL,
  rolled_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (cluster_id, width, bucket)
);
--> statement-breakpoint
-- As in 0002, now for the rollups too: one call makes a day's partitions of all three.
CREATE OR REPLACE FUNCTION verity_ensure_flow_partitions(from_day date, days integer) RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
  d date;
  created integer := 0;
  parent text;
  part text;
BEGIN
  FOR i IN 0 .. days - 1 LOOP
    d := from_day + i;
    FOREACH parent IN ARRAY ARRAY['flow_minutes', 'flow_ten_minutes', 'flow_hours'] LOOP
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
SELECT verity_ensure_flow_partitions((now() AT TIME ZONE 'UTC')::date - 1, 3);
--> statement-breakpoint
GRANT SELECT, INSERT ON flow_ten_minutes, flow_hours, flow_rollup_marks TO verity_app;
--> statement-breakpoint
GRANT SELECT, INSERT, DELETE ON flow_open_tens TO verity_app;
--> statement-breakpoint
-- The same visibility as flow_minutes (0013): either end in a namespace of a visible tenant.
DO $$
DECLARE
  t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['flow_ten_minutes', 'flow_hours', 'flow_open_tens'] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format($policy$
      CREATE POLICY %I ON %I
        USING ((SELECT coalesce(current_setting('verity.all_tenants', true), '') = 'on')
          OR (src_namespace <> '' AND (cluster_id, src_namespace) IN (SELECT tn.cluster_id, tn.namespace FROM tenant_namespaces tn WHERE verity_tenant_visible(tn.tenant_id)))
          OR (dst_namespace <> '' AND (cluster_id, dst_namespace) IN (SELECT tn.cluster_id, tn.namespace FROM tenant_namespaces tn WHERE verity_tenant_visible(tn.tenant_id))))
        WITH CHECK (coalesce(current_setting('verity.all_tenants', true), '') = 'on')$policy$, t || '_scope', t);
  END LOOP;
END $$;
--> statement-breakpoint
-- Marks say only that a cluster's bucket was rolled up: nothing about any tenant. Writing one
-- is the job's (and, for late records, the ingest's) business: cluster-wide callers only.
ALTER TABLE flow_rollup_marks ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY flow_rollup_marks_read ON flow_rollup_marks FOR SELECT USING (true);
--> statement-breakpoint
CREATE POLICY flow_rollup_marks_write ON flow_rollup_marks FOR INSERT WITH CHECK (coalesce(current_setting('verity.all_tenants', true), '') = 'on');
