-- The audit timeline: full-text search over every event (a generated tsvector with a GIN
-- index), indexes for facet-and-time queries with keyset paging on (occurred_at, seq),
-- exact correlation lookups, signed checkpoints of the chain head, and retention that
-- removes old events only below a signed anchor, through one audited function.
-- The tsvector is not part of the hash (hash-event.ts names its fields); it is derived.
-- The terms of a recorded search (details.filters of audit.searched and audit.exported)
-- are kept but not indexed: otherwise every search would find itself.
ALTER TABLE audit_events ADD COLUMN search tsvector GENERATED ALWAYS AS (
  setweight(to_tsvector('simple',
    coalesce(action, '') || ' ' || translate(coalesce(action, ''), '._-/:', '     ') || ' ' ||
    coalesce(actor_label, '') || ' ' || coalesce(actor_id, '') || ' ' ||
    coalesce(resource_type, '') || ' ' || coalesce(resource_id, '') || ' ' || translate(coalesce(resource_id, ''), '._-/:', '     ') || ' ' ||
    source || ' ' || outcome || ' ' || coalesce(client_address, '') || ' ' || coalesce(user_agent, '')), 'A')
  || jsonb_to_tsvector('simple', details - 'filters', '["string", "numeric", "boolean"]')
) STORED;
--> statement-breakpoint
CREATE INDEX audit_events_search_idx ON audit_events USING gin (search);
--> statement-breakpoint
-- The timeline's order and keyset; each facet leads its own index so "facet = x within a
-- time range, newest first" is one backward index range scan.
CREATE INDEX audit_events_time_seq_idx ON audit_events (occurred_at, seq);
--> statement-breakpoint
CREATE INDEX audit_events_action_time_idx ON audit_events (action, occurred_at, seq);
--> statement-breakpoint
CREATE INDEX audit_events_tenant_time_idx ON audit_events (tenant_id, occurred_at, seq);
--> statement-breakpoint
CREATE INDEX audit_events_actor_time_idx ON audit_events (actor_label, occurred_at, seq);
--> statement-breakpoint
CREATE INDEX audit_events_cluster_time_idx ON audit_events (cluster_id, occurred_at, seq);
--> statement-breakpoint
CREATE INDEX audit_events_resource_time_idx ON audit_events (resource_type, occurred_at, seq);
--> statement-breakpoint
CREATE INDEX audit_events_outcome_time_idx ON audit_events (outcome, occurred_at, seq);
--> statement-breakpoint
-- Correlation: a change's events by id, and Kubernetes events by their Audit-Id.
CREATE INDEX audit_events_resource_idx ON audit_events (resource_type, resource_id);
--> statement-breakpoint
CREATE INDEX audit_events_change_idx ON audit_events ((details ->> 'changeId')) WHERE details ? 'changeId';
--> statement-breakpoint
CREATE INDEX audit_events_kube_audit_id_idx ON audit_events ((details ->> 'auditID')) WHERE source = 'kubernetes';
--> statement-breakpoint
-- Signed statements "the chain's event <seq> has hash <hash>", made by the console with its
-- checkpoint key. 'anchor' checkpoints mark where the stored chain starts after retention.
CREATE TABLE audit_checkpoints (
  id bigserial PRIMARY KEY,
  seq bigint NOT NULL,
  hash text NOT NULL,
  kind text NOT NULL CHECK (kind IN ('head', 'anchor')),
  reason text NOT NULL,
  signed_at timestamptz(3) NOT NULL,
  public_key text NOT NULL,
  signature text NOT NULL
);
--> statement-breakpoint
CREATE INDEX audit_checkpoints_seq_idx ON audit_checkpoints (kind, seq);
--> statement-breakpoint
CREATE TRIGGER audit_checkpoints_no_update_or_delete BEFORE UPDATE OR DELETE ON audit_checkpoints
  FOR EACH ROW EXECUTE FUNCTION audit_events_refuse_change();
--> statement-breakpoint
CREATE TRIGGER audit_checkpoints_no_truncate BEFORE TRUNCATE ON audit_checkpoints
  FOR EACH STATEMENT EXECUTE FUNCTION audit_events_refuse_change();
--> statement-breakpoint
GRANT SELECT, INSERT ON audit_checkpoints TO verity_app;
--> statement-breakpoint
GRANT USAGE ON SEQUENCE audit_checkpoints_id_seq TO verity_app;
--> statement-breakpoint
-- The append-only rule, with one exception: the retention function below, which sets
-- verity.audit_removal_upto for its own statement only.
CREATE OR REPLACE FUNCTION audit_events_refuse_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' AND TG_TABLE_NAME = 'audit_events'
     AND coalesce(current_setting('verity.audit_removal_upto', true), '') <> ''
     AND OLD.seq <= current_setting('verity.audit_removal_upto')::bigint THEN
    RETURN OLD;
  END IF;
  RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP USING ERRCODE = 'insufficient_privilege';
END $$;
--> statement-breakpoint
-- Removes events up to and including upto_seq, only when a signed anchor checkpoint for
-- exactly that event (same hash) exists, so the remaining chain starts from a signed link.
CREATE OR REPLACE FUNCTION verity_audit_remove_through(upto_seq bigint) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
  removed bigint;
BEGIN
  IF NOT EXISTS (
    SELECT 1 FROM audit_checkpoints c JOIN audit_events e ON e.seq = c.seq AND e.hash = c.hash
    WHERE c.kind = 'anchor' AND c.seq = upto_seq
  ) THEN
    RAISE EXCEPTION 'no anchor checkpoint for audit event %', upto_seq USING ERRCODE = 'insufficient_privilege';
  END IF;
  PERFORM set_config('verity.audit_removal_upto', upto_seq::text, true);
  DELETE FROM audit_events WHERE seq <= upto_seq;
  GET DIAGNOSTICS removed = ROW_COUNT;
  PERFORM set_config('verity.audit_removal_upto', '', true);
  RETURN removed;
END $$;
--> statement-breakpoint
REVOKE ALL ON FUNCTION verity_audit_remove_through(bigint) FROM PUBLIC;
--> statement-breakpoint
GRANT EXECUTE ON FUNCTION verity_audit_remove_through(bigint) TO verity_app;
--> statement-breakpoint
-- The chain's links (seq, prev_hash, hash) in a seq window, whoever may see the events:
-- hashes reveal nothing of an event, and let a scoped reader verify their own events'
-- place in the chain (event details, verifiable bundles).
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
