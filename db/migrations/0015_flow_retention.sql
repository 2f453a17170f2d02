-- Flow retention (VERITY_FLOW_RETENTION_DAYS): whole days of flow_minutes and of its rollups
-- older than a cut-off are dropped as partitions, not deleted row by row; rows of those days
-- that sit in a default partition (written before their day had one) are deleted, and the
-- rollup marks of those days go too, so no mark speaks for a bucket that is gone. The
-- partitions belong to the migration's owner, so the console (verity_app) calls this
-- definer function; it takes only a date and touches only the flow tables.
CREATE OR REPLACE FUNCTION verity_drop_flow_days(before_day date) RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
  cutoff timestamptz := before_day::timestamp AT TIME ZONE 'UTC';
  old_parts text[];
  part text;
BEGIN
  SELECT coalesce(array_agg(c.relname::text ORDER BY c.relname), '{}') INTO old_parts
  FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
  WHERE i.inhparent IN ('flow_minutes'::regclass, 'flow_ten_minutes'::regclass, 'flow_hours'::regclass)
    AND c.relname ~ '_[0-9]{8}$' AND to_date(right(c.relname, 8), 'YYYYMMDD') < before_day;
  IF cardinality(old_parts) = 0
     AND NOT EXISTS (SELECT 1 FROM flow_rollup_marks WHERE bucket < cutoff)
     AND NOT EXISTS (SELECT 1 FROM flow_minutes_default WHERE minute < cutoff) THEN
    RETURN 0; -- nothing old: no lock taken, no reader kept waiting
  END IF;
  -- All three at once, in one order, before any drop: the roll-up job and the ingest take
  -- them one by one, and a drop that waited for one while holding another could deadlock.
  LOCK TABLE flow_minutes, flow_ten_minutes, flow_hours IN ACCESS EXCLUSIVE MODE;
  FOREACH part IN ARRAY old_parts LOOP
    EXECUTE format('DROP TABLE %I', part);
  END LOOP;
  DELETE FROM flow_minutes_default WHERE minute < cutoff;
  DELETE FROM flow_ten_minutes_default WHERE bucket < cutoff;
  DELETE FROM flow_hours_default WHERE bucket < cutoff;
  DELETE FROM flow_open_tens WHERE bucket < cutoff;
  DELETE FROM flow_rollup_marks WHERE bucket < cutoff;
  RETURN cardinality(old_parts);
END $$;
--> statement-breakpoint
REVOKE ALL ON FUNCTION verity_drop_flow_days(date) FROM PUBLIC;
--> statement-breakpoint
GRANT EXECUTE ON FUNCTION verity_drop_flow_days(date) TO verity_app;
