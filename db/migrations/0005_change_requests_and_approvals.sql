-- Change requests: drafts, previews, approvals bound to a digest, and the command that
-- applied them. Tables declared for queries in db/schema/hand-written/changes.ts.
CREATE TABLE change_requests (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  -- null: a global change (cluster-scoped objects), under the global approval rule.
  tenant_id uuid REFERENCES tenants(id) ON DELETE CASCADE,
  cluster_id uuid NOT NULL REFERENCES clusters(id) ON DELETE CASCADE,
  title text NOT NULL,
  description text NOT NULL DEFAULT '',
  status text NOT NULL,
  requested_by uuid NOT NULL REFERENCES users(id),
  revision integer NOT NULL DEFAULT 1,
  source_text text NOT NULL,
  deletes jsonb NOT NULL DEFAULT '[]',
  operations jsonb NOT NULL DEFAULT '[]',
  problems jsonb NOT NULL DEFAULT '[]',
  preview jsonb,
  base_versions jsonb,
  digest text,
  command_id uuid,
  result jsonb,
  rolls_back uuid REFERENCES change_requests(id),
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  submitted_at timestamptz
);
--> statement-breakpoint
CREATE INDEX change_requests_status_idx ON change_requests (status, updated_at DESC);
--> statement-breakpoint
CREATE INDEX change_requests_tenant_idx ON change_requests (tenant_id, updated_at DESC);
--> statement-breakpoint
CREATE TABLE change_decisions (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  change_id uuid NOT NULL REFERENCES change_requests(id) ON DELETE CASCADE,
  user_id uuid NOT NULL REFERENCES users(id),
  decision text NOT NULL CHECK (decision IN ('approve', 'reject')),
  reason text NOT NULL,
  digest text NOT NULL,
  created_at timestamptz NOT NULL,
  -- One decision per person per previewed content: concurrent double-clicks count once.
  UNIQUE (change_id, user_id, digest)
);
--> statement-breakpoint
CREATE TABLE change_comments (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  change_id uuid NOT NULL REFERENCES change_requests(id) ON DELETE CASCADE,
  user_id uuid NOT NULL REFERENCES users(id),
  body text NOT NULL,
  created_at timestamptz NOT NULL
);
--> statement-breakpoint
CREATE TABLE approval_rules (
  -- null: the global rule (global changes, and tenants without a rule of their own).
  tenant_id uuid REFERENCES tenants(id) ON DELETE CASCADE,
  required_approvals integer NOT NULL CHECK (required_approvals BETWEEN 1 AND 10),
  approval_ttl_minutes integer NOT NULL CHECK (approval_ttl_minutes > 0),
  updated_at timestamptz NOT NULL,
  UNIQUE NULLS NOT DISTINCT (tenant_id)
);
--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE ON change_requests, change_decisions, change_comments, approval_rules TO verity_app;
--> statement-breakpoint
ALTER TABLE change_requests ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY change_requests_scope ON change_requests USING (verity_tenant_visible(tenant_id)) WITH CHECK (verity_tenant_visible(tenant_id));
--> statement-breakpoint
ALTER TABLE change_decisions ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY change_decisions_scope ON change_decisions USING (EXISTS (SELECT 1 FROM change_requests c WHERE c.id = change_id)) WITH CHECK (EXISTS (SELECT 1 FROM change_requests c WHERE c.id = change_id));
--> statement-breakpoint
ALTER TABLE change_comments ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY change_comments_scope ON change_comments USING (EXISTS (SELECT 1 FROM change_requests c WHERE c.id = change_id)) WITH CHECK (EXISTS (SELECT 1 FROM change_requests c WHERE c.id = change_id));
--> statement-breakpoint
INSERT INTO approval_rules (tenant_id, required_approvals, approval_ttl_minutes, updated_at) VALUES (NULL, 1, 1440, now());
