-- A single-statement append for a writer that already knows the chain head it links to (a
-- search reads the head with its page, so the audit.searched event it records is hashed
-- before any lock is taken). The function takes the chain-head lock as every writer does
-- (verity_audit_lock_head: table lock, head FOR UPDATE, month partitions), and inserts the
-- events and moves the head only when the head is still the one they were hashed against.
-- Otherwise it returns the current head with appended = false, still holding the lock, and
-- the caller hashes again from there: the lock is never held across a second round trip
-- in the common case, and the chain stays in commit order either way.
-- Runs as the caller (verity_app inserts events and moves the head itself today); the
-- checks below refuse a batch that would not link, whatever the caller computed.
CREATE OR REPLACE FUNCTION verity_audit_append(expected_seq bigint, expected_hash text, days date[], events json, new_seq bigint, new_hash text)
RETURNS TABLE (seq bigint, hash text, appended boolean)
LANGUAGE plpgsql SET search_path = public AS $$
DECLARE
  head_seq bigint;
  head_hash text;
  n integer;
BEGIN
  SELECT h.seq, h.hash INTO head_seq, head_hash FROM verity_audit_lock_head(days) h;
  IF head_seq <> expected_seq OR head_hash <> expected_hash THEN
    seq := head_seq;
    hash := head_hash;
    appended := false;
    RETURN NEXT;
    RETURN;
  END IF;
  n := json_array_length(events);
  IF n = 0 OR new_seq <> head_seq + n OR (events -> 0 ->> 'prev_hash') IS DISTINCT FROM head_hash
     OR (events -> 0 ->> 'seq')::bigint <> head_seq + 1 OR (events -> (n - 1) ->> 'hash') IS DISTINCT FROM new_hash THEN
    RAISE EXCEPTION 'audit events do not link to the chain head %', head_seq;
  END IF;
  INSERT INTO audit_events (seq, id, occurred_at, source, cluster_id, actor_type, actor_id, actor_label, tenant_id, action,
    resource_type, resource_id, outcome, client_address, user_agent, details, prev_hash, hash)
  SELECT r.seq, r.id, r.occurred_at, r.source, r.cluster_id, r.actor_type, r.actor_id, r.actor_label, r.tenant_id, r.action,
    r.resource_type, r.resource_id, r.outcome, r.client_address, r.user_agent, r.details, r.prev_hash, r.hash
  FROM json_populate_recordset(null::audit_events, events) AS r;
  UPDATE audit_chain_head h SET seq = new_seq, hash = new_hash WHERE h.id = 'head';
  seq := new_seq;
  hash := new_hash;
  appended := true;
  RETURN NEXT;
END $$;
--> statement-breakpoint
REVOKE ALL ON FUNCTION verity_audit_append(bigint, text, date[], json, bigint, text) FROM PUBLIC;
--> statement-breakpoint
GRANT EXECUTE ON FUNCTION verity_audit_append(bigint, text, date[], json, bigint, text) TO verity_app;
