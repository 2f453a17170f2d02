-- The role request handlers work through. Row-level security applies to it (it is neither
-- owner nor superuser), so a tenant-scoped query that forgot its WHERE still sees nothing
-- outside the caller's tenants.
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'verity_app') THEN
    CREATE ROLE verity_app NOLOGIN;
  END IF;
EXCEPTION WHEN duplicate_object OR unique_violation THEN
  NULL; -- another database on the same server created it concurrently
END $$;
--> statement-breakpoint
DO $$
BEGIN
  -- A non-superuser owner (a managed PostgreSQL) must be a member to SET ROLE.
  IF NOT (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN
    EXECUTE format('GRANT verity_app TO %I', current_user);
  END IF;
END $$;
--> statement-breakpoint
GRANT USAGE ON SCHEMA public TO verity_app;
--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE, DELETE ON users, recovery_codes, sessions, account_setup_tokens, auth_failures, tenants, clusters, tenant_namespaces, role_grants TO verity_app;
--> statement-breakpoint
GRANT SELECT, INSERT ON audit_events TO verity_app;
--> statement-breakpoint
GRANT SELECT, UPDATE ON audit_chain_head TO verity_app;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION verity_tenant_visible(tid uuid) RETURNS boolean
LANGUAGE sql STABLE AS $$
  SELECT coalesce(current_setting('verity.all_tenants', true), '') = 'on'
      OR (tid IS NOT NULL AND tid = ANY (string_to_array(nullif(current_setting('verity.tenant_ids', true), ''), ',')::uuid[]))
$$;
--> statement-breakpoint
ALTER TABLE tenants ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY tenants_scope ON tenants USING (verity_tenant_visible(id)) WITH CHECK (verity_tenant_visible(id));
--> statement-breakpoint
ALTER TABLE tenant_namespaces ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY tenant_namespaces_scope ON tenant_namespaces USING (verity_tenant_visible(tenant_id)) WITH CHECK (verity_tenant_visible(tenant_id));
--> statement-breakpoint
ALTER TABLE role_grants ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
-- Everyone may read global grants (they decide what the caller may do); writing one needs global scope.
CREATE POLICY role_grants_read ON role_grants FOR SELECT USING (tenant_id IS NULL OR verity_tenant_visible(tenant_id));
--> statement-breakpoint
CREATE POLICY role_grants_write ON role_grants FOR INSERT WITH CHECK (verity_tenant_visible(tenant_id));
--> statement-breakpoint
CREATE POLICY role_grants_delete ON role_grants FOR DELETE USING (verity_tenant_visible(tenant_id));
--> statement-breakpoint
ALTER TABLE audit_events ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
-- Events without a tenant (sign-ins, admin work) are visible only to callers with global scope.
CREATE POLICY audit_events_read ON audit_events FOR SELECT USING (verity_tenant_visible(tenant_id));
--> statement-breakpoint
CREATE POLICY audit_events_append ON audit_events FOR INSERT WITH CHECK (true);
--> statement-breakpoint
CREATE OR REPLACE FUNCTION audit_events_refuse_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_events is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END $$;
--> statement-breakpoint
CREATE TRIGGER audit_events_no_update_or_delete BEFORE UPDATE OR DELETE ON audit_events
  FOR EACH ROW EXECUTE FUNCTION audit_events_refuse_change();
--> statement-breakpoint
CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events
  FOR EACH STATEMENT EXECUTE FUNCTION audit_events_refuse_change();
--> statement-breakpoint
INSERT INTO audit_chain_head (id, seq, hash) VALUES ('head', 0, repeat('0', 64));
