-- Stored positions of the traffic graph, so a refresh neither waits for layout nor moves the
-- picture. One row per cluster and layout key: 'ns:<namespace>' holds the layout of the
-- workloads inside one namespace (tenant data: visible to whoever may see that namespace);
-- 'groups:<scope>' holds the group layout (tenants, namespaces, outside endpoints) for one
-- set of visible tenants, listed in tenant_ids ('{}' means every tenant: global scope only).
CREATE TABLE graph_layouts (
  cluster_id uuid NOT NULL REFERENCES clusters(id) ON DELETE CASCADE,
  layout_key text NOT NULL,
  namespace text NOT NULL DEFAULT '',
  tenant_ids uuid[] NOT NULL DEFAULT '{}',
  positions jsonb NOT NULL,
  updated_at timestamptz NOT NULL,
  PRIMARY KEY (cluster_id, layout_key)
);
--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE, DELETE ON graph_layouts TO verity_app;
--> statement-breakpoint
-- Every tenant id in the list must be visible to the caller (an empty list: global scope only).
CREATE OR REPLACE FUNCTION verity_tenants_all_visible(ids uuid[]) RETURNS boolean
LANGUAGE sql STABLE AS $$
  SELECT CASE WHEN cardinality(ids) = 0 THEN coalesce(current_setting('verity.all_tenants', true), '') = 'on'
              ELSE (SELECT bool_and(verity_tenant_visible(t)) FROM unnest(ids) AS t) END
$$;
--> statement-breakpoint
ALTER TABLE graph_layouts ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY graph_layouts_scope ON graph_layouts
  USING (CASE WHEN namespace <> '' THEN verity_namespace_visible(cluster_id, namespace) ELSE verity_tenants_all_visible(tenant_ids) END)
  WITH CHECK (CASE WHEN namespace <> '' THEN verity_namespace_visible(cluster_id, namespace) ELSE verity_tenants_all_visible(tenant_ids) END);
