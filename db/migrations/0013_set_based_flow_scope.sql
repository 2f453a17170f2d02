-- flow_minutes' row-level security names the caller's namespaces as a set, as 0011 did for the
-- usage tables: the old policy called verity_namespace_visible() twice per row, a function
-- with a sub-query that PostgreSQL cannot inline, so reading an hour of a busy cluster's
-- flows (hundreds of thousands of rows) ran that many function calls before summing them.
-- Who sees what is unchanged: a flow is visible when either end's namespace belongs to a
-- tenant the caller may see (never by '' , an end outside the cluster), or with all tenants.
DROP POLICY flow_minutes_scope ON flow_minutes;
--> statement-breakpoint
CREATE POLICY flow_minutes_scope ON flow_minutes
  USING ((SELECT coalesce(current_setting('verity.all_tenants', true), '') = 'on')
    OR (src_namespace <> '' AND (cluster_id, src_namespace) IN (SELECT tn.cluster_id, tn.namespace FROM tenant_namespaces tn WHERE verity_tenant_visible(tn.tenant_id)))
    OR (dst_namespace <> '' AND (cluster_id, dst_namespace) IN (SELECT tn.cluster_id, tn.namespace FROM tenant_namespaces tn WHERE verity_tenant_visible(tn.tenant_id))))
  WITH CHECK (coalesce(current_setting('verity.all_tenants', true), '') = 'on');
