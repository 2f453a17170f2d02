-- The audit log, partitioned by time: one partition per UTC calendar month of occurred_at,
-- so a time-bounded search touches only its months and retention drops whole months. The
-- chain itself is unchanged (seq order, hashes, checkpoints); only where rows are stored
-- moves. Months, not days: lookups by seq (the chain walk, an event's details, the live
-- tail) cannot be pruned by time, and their planning cost grows with the partition count
-- (with ninety daily partitions, planning alone took longer than the search).
--
-- Partitions are created ahead of time by the console (verity_audit_prepare_partitions, on
-- its schedule) and on demand by the writer for any other day a batch names (Kubernetes
-- audit events forwarded late, clocks far off): verity_audit_lock_head creates them after
-- taking the chain-head lock, with CREATE TABLE + ATTACH PARTITION, which takes only SHARE
-- UPDATE EXCLUSIVE on the parent, so readers and inserters are never blocked. There is no
-- default partition: a row for a month that has none would otherwise make every later
-- ATTACH scan (and lock) the default one.
--
-- Lock order, everywhere: the audit_events table lock, then the chain head, then (for a new
-- month) the partition attach. Retention takes ACCESS EXCLUSIVE on audit_events first, so it
-- never holds the head while waiting for a reader that itself waits for the head.
ALTER TABLE audit_events RENAME TO audit_events_unpartitioned;
--> statement-breakpoint
CREATE TABLE audit_events (
  seq bigint NOT NULL,
  id uuid NOT NULL,
  occurred_at timestamp(3) with time zone NOT NULL,
  source text NOT NULL,
  cluster_id uuid,
  actor_type text NOT NULL,
  actor_id text,
  actor_label text,
  tenant_id uuid,
  action text NOT NULL,
  resource_type text,
  resource_id text,
  outcome text NOT NULL,
  client_address text,
  user_agent text,
  details jsonb NOT NULL,
  prev_hash text NOT NULL,
  hash text NOT NULL,
  search tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('simple',
      coalesce(action, '') || ' ' || translate(coalesce(action, ''), '._-/:', '     ') || ' ' ||
      coalesce(actor_label, '') || ' ' || coalesce(actor_id, '') || ' ' ||
      coalesce(resource_type, '') || ' ' || coalesce(resource_id, '') || ' ' || translate(coalesce(resource_id, ''), '._-/:', '     ') || ' ' ||
      source || ' ' || outcome || ' ' || coalesce(client_address, '') || ' ' || coalesce(user_agent, '')), 'A')
    || jsonb_to_tsvector('simple', details - 'filters', '["string", "numeric", "boolean"]')
  ) STORED
) PARTITION BY RANGE (occurred_at);
--> statement-breakpoint
-- Creates the missing monthly partitions for the given UTC days (empty, then attached).
-- Callers hold the chain-head lock (verity_audit_lock_head, verity_audit_prepare_partitions),
-- which serializes attaches.
CREATE OR REPLACE FUNCTION verity_audit_ensure_partitions(days date[]) RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
  d date;
  part text;
  created integer := 0;
BEGIN
  FOR d IN SELECT DISTINCT date_trunc('month', x)::date FROM unnest(days) AS x WHERE x IS NOT NULL ORDER BY 1 LOOP
    part := 'audit_events_' || to_char(d, 'YYYYMM');
    IF to_regclass(part) IS NULL THEN
      EXECUTE format('CREATE TABLE %I (LIKE audit_events INCLUDING DEFAULTS INCLUDING GENERATED INCLUDING CONSTRAINTS)', part);
      EXECUTE format('ALTER TABLE audit_events ATTACH PARTITION %I FOR VALUES FROM (%L) TO (%L)', part,
        d::timestamp AT TIME ZONE 'UTC', (d + interval '1 month')::timestamp AT TIME ZONE 'UTC');
      created := created + 1;
    END IF;
  END LOOP;
  RETURN created;
END $$;
--> statement-breakpoint
REVOKE ALL ON FUNCTION verity_audit_ensure_partitions(date[]) FROM PUBLIC;
--> statement-breakpoint
SELECT verity_audit_ensure_partitions(ARRAY(
  SELECT DISTINCT (occurred_at AT TIME ZONE 'UTC')::date FROM audit_events_unpartitioned
  UNION SELECT (now() AT TIME ZONE 'UTC')::date + i FROM generate_series(-1, 35) AS i));
--> statement-breakpoint
INSERT INTO audit_events (seq, id, occurred_at, source, cluster_id, actor_type, actor_id, actor_label, tenant_id, action, resource_type, resource_id, outcome, client_address, user_agent, details, prev_hash, hash)
  SELECT seq, id, occurred_at, source, cluster_id, actor_type, actor_id, actor_label, tenant_id, action, resource_type, resource_id, outcome, client_address, user_agent, details, prev_hash, hash
  FROM audit_events_unpartitioned ORDER BY seq;
--> statement-breakpoint
DROP TABLE audit_events_unpartitioned;
--> statement-breakpoint
-- The key must hold the partition key; seq stays unique in practice (assigned under the
-- chain-head lock) and any duplicate breaks the chain's verification.
ALTER TABLE audit_events ADD CONSTRAINT audit_events_pkey PRIMARY KEY (seq, occurred_at);
--> statement-breakpoint
-- Only what the reads use. The timeline's order and keyset (occurred_at, seq); the facets
-- with many values lead their own index, so "this tenant / actor / action in this range,
-- newest first" is one backward range scan per month; facets with few values (cluster,
-- source, outcome) read the time index and filter. Resource kind uses the resource index.
-- Kubernetes Audit-Ids are found through the search vector (correlation in event-story.ts).
CREATE INDEX audit_events_time_idx ON audit_events (occurred_at, seq);
--> statement-breakpoint
CREATE INDEX audit_events_tenant_time_idx ON audit_events (tenant_id, occurred_at, seq);
--> statement-breakpoint
CREATE INDEX audit_events_actor_time_idx ON audit_events (actor_label, occurred_at, seq);
--> statement-breakpoint
CREATE INDEX audit_events_action_time_idx ON audit_events (action, occurred_at, seq);
--> statement-breakpoint
CREATE INDEX audit_events_resource_idx ON audit_events (resource_type, resource_id);
--> statement-breakpoint
CREATE INDEX audit_events_search_idx ON audit_events USING gin (search);
--> statement-breakpoint
-- Correlation: a change's events by id.
CREATE INDEX audit_events_change_idx ON audit_events ((details ->> 'changeId')) WHERE details ? 'changeId';
--> statement-breakpoint
-- The append-only rule. Row triggers on the parent are cloned onto every partition, where
-- TG_TABLE_NAME is the partition's name: the table is named by the trigger's argument.
CREATE OR REPLACE FUNCTION audit_events_refuse_change() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  tbl text := coalesce(TG_ARGV[0], TG_TABLE_NAME);
BEGIN
  IF TG_OP = 'DELETE' AND tbl = 'audit_events'
     AND coalesce(current_setting('verity.audit_removal_upto', true), '') <> ''
     AND OLD.seq <= current_setting('verity.audit_removal_upto')::bigint THEN
    RETURN OLD;
  END IF;
  RAISE EXCEPTION '% is append-only: % refused', tbl, TG_OP USING ERRCODE = 'insufficient_privilege';
END $$;
--> statement-breakpoint
CREATE TRIGGER audit_events_no_update_or_delete BEFORE UPDATE OR DELETE ON audit_events
  FOR EACH ROW EXECUTE FUNCTION audit_events_refuse_change('audit_events');
--> statement-breakpoint
CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events
  FOR EACH STATEMENT EXECUTE FUNCTION audit_events_refuse_change('audit_events');
--> statement-breakpoint
ALTER TABLE audit_events ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY audit_events_read ON audit_events FOR SELECT USING (verity_tenant_visible(tenant_id));
--> statement-breakpoint
CREATE POLICY audit_events_append ON audit_events FOR INSERT WITH CHECK (true);
--> statement-breakpoint
GRANT SELECT, INSERT ON audit_events TO verity_app;
--> statement-breakpoint
-- The audit services read through this view. It applies the same tenant rule as the
-- row-level security policy above, but as a plain condition: under row-level security
-- PostgreSQL refuses to use an index for a condition whose function is not marked
-- leakproof (the full-text match @@, jsonb ->> and @>), so every text search and every
-- correlation lookup read each row of the range. The view is owned by the table's owner
-- (so the policy does not apply a second time) and is the only way the application role
-- reads around the policy; it still sees only the rows verity_tenant_visible lets it.
-- The caller's scope is read once per query (two uncorrelated sub-selects, run as init
-- plans): written as one per-row condition, the planner guessed it kept one row in two
-- hundred and preferred reading every match and sorting to an index scan that stops at
-- the page's last row.
CREATE OR REPLACE FUNCTION verity_all_tenants_visible() RETURNS boolean
LANGUAGE sql STABLE AS $$ SELECT coalesce(current_setting('verity.all_tenants', true), '') = 'on' $$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION verity_visible_tenant_ids() RETURNS uuid[]
LANGUAGE sql STABLE AS $$ SELECT coalesce(string_to_array(nullif(current_setting('verity.tenant_ids', true), ''), ',')::uuid[], '{}') $$;
--> statement-breakpoint
CREATE VIEW audit_events_visible AS
  SELECT * FROM audit_events
  WHERE (SELECT verity_all_tenants_visible()) OR tenant_id = ANY ((SELECT verity_visible_tenant_ids())::uuid[]);
--> statement-breakpoint
GRANT SELECT ON audit_events_visible TO verity_app;
--> statement-breakpoint
-- The writer's first statement: the table lock (lock order), the chain head FOR UPDATE,
-- and the month partitions the batch's days need. Returns the head the batch links to.
CREATE OR REPLACE FUNCTION verity_audit_lock_head(days date[]) RETURNS TABLE (seq bigint, hash text)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
  head_seq bigint;
  head_hash text;
  d date;
BEGIN
  LOCK TABLE audit_events IN ROW EXCLUSIVE MODE;
  SELECT h.seq, h.hash INTO head_seq, head_hash FROM audit_chain_head h WHERE h.id = 'head' FOR UPDATE;
  IF head_seq IS NULL THEN
    RAISE EXCEPTION 'audit chain head is missing: the database was not migrated';
  END IF;
  FOREACH d IN ARRAY coalesce(days, '{}') LOOP
    IF to_regclass('audit_events_' || to_char(d, 'YYYYMM')) IS NULL THEN
      PERFORM verity_audit_ensure_partitions(days);
      EXIT;
    END IF;
  END LOOP;
  seq := head_seq;
  hash := head_hash;
  RETURN NEXT;
END $$;
--> statement-breakpoint
REVOKE ALL ON FUNCTION verity_audit_lock_head(date[]) FROM PUBLIC;
--> statement-breakpoint
GRANT EXECUTE ON FUNCTION verity_audit_lock_head(date[]) TO verity_app;
--> statement-breakpoint
-- The console's schedule: partitions for the coming month, made before anyone writes there.
CREATE OR REPLACE FUNCTION verity_audit_prepare_partitions(from_day date, days integer) RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
BEGIN
  PERFORM 1 FROM verity_audit_lock_head(NULL);
  RETURN verity_audit_ensure_partitions(ARRAY(SELECT from_day + i FROM generate_series(0, days - 1) AS i));
END $$;
--> statement-breakpoint
REVOKE ALL ON FUNCTION verity_audit_prepare_partitions(date, integer) FROM PUBLIC;
--> statement-breakpoint
GRANT EXECUTE ON FUNCTION verity_audit_prepare_partitions(date, integer) TO verity_app;
--> statement-breakpoint
-- Retention's first statement, before the chain head (see the lock order above).
CREATE OR REPLACE FUNCTION verity_audit_lock_for_retention() RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
BEGIN
  LOCK TABLE audit_events IN ACCESS EXCLUSIVE MODE;
END $$;
--> statement-breakpoint
REVOKE ALL ON FUNCTION verity_audit_lock_for_retention() FROM PUBLIC;
--> statement-breakpoint
GRANT EXECUTE ON FUNCTION verity_audit_lock_for_retention() TO verity_app;
--> statement-breakpoint
-- Removes events up to and including upto_seq, only when a signed anchor checkpoint for
-- exactly that event (same hash) exists, so the remaining chain starts from a signed link.
-- A month partition whose every event lies at or below the anchor is dropped whole; the
-- rest (the month the cut-off falls in, or one that also holds later events, e.g.
-- Kubernetes events that arrived late) loses only its removed rows.
CREATE OR REPLACE FUNCTION verity_audit_remove_through(upto_seq bigint) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
  removed bigint := 0;
  n bigint;
  part text;
  top bigint;
BEGIN
  IF NOT EXISTS (
    SELECT 1 FROM audit_checkpoints c JOIN audit_events e ON e.seq = c.seq AND e.hash = c.hash
    WHERE c.kind = 'anchor' AND c.seq = upto_seq
  ) THEN
    RAISE EXCEPTION 'no anchor checkpoint for audit event %', upto_seq USING ERRCODE = 'insufficient_privilege';
  END IF;
  LOCK TABLE audit_events IN ACCESS EXCLUSIVE MODE;
  FOR part IN SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
              WHERE i.inhparent = 'audit_events'::regclass ORDER BY c.relname LOOP
    EXECUTE format('SELECT max(seq) FROM %I', part) INTO top;
    IF top IS NOT NULL AND top <= upto_seq THEN
      EXECUTE format('SELECT count(*) FROM %I', part) INTO n;
      EXECUTE format('DROP TABLE %I', part);
      removed := removed + n;
    END IF;
  END LOOP;
  PERFORM set_config('verity.audit_removal_upto', upto_seq::text, true);
  DELETE FROM audit_events WHERE seq <= upto_seq;
  GET DIAGNOSTICS n = ROW_COUNT;
  PERFORM set_config('verity.audit_removal_upto', '', true);
  RETURN removed + n;
END $$;
--> statement-breakpoint
REVOKE ALL ON FUNCTION verity_audit_remove_through(bigint) FROM PUBLIC;
--> statement-breakpoint
GRANT EXECUTE ON FUNCTION verity_audit_remove_through(bigint) TO verity_app;
--> statement-breakpoint
-- The chain's links (seq, prev_hash, hash) in a seq window, whoever may see the events
-- (unchanged from 0004; recreated because its table was).
CREATE OR REPLACE FUNCTION verity_audit_links(after_seq bigint, upto_seq bigint, max_rows integer)
RETURNS TABLE (seq bigint, prev_hash text, hash text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
  SELECT e.seq, e.prev_hash, e.hash FROM audit_events e
  WHERE e.seq > after_seq AND e.seq <= upto_seq ORDER BY e.seq LIMIT max_rows
$$;
--> statement-breakpoint
REVOKE ALL ON FUNCTION verity_audit_links(bigint, bigint, integer) FROM PUBLIC;
--> statement-breakpoint
GRANT EXECUTE ON FUNCTION verity_audit_links(bigint, bigint, integer) TO verity_app;
