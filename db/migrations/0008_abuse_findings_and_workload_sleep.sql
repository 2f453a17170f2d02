-- Abuse signals and the graduated response (issue 9): per-tenant thresholds, findings (one
-- open finding per rule and workload), the actions taken on them, notifications to tenant
-- admins, and workloads put to sleep with what waking them must restore. Declared for
-- queries in db/schema/hand-written/abuse.ts.
CREATE TABLE abuse_settings (
  tenant_id uuid PRIMARY KEY REFERENCES tenants(id) ON DELETE CASCADE,
  -- Parsed with server/domain/abuse/thresholds.ts (AbuseSettings); missing fields take defaults.
  settings jsonb NOT NULL,
  updated_by uuid REFERENCES users(id),
  updated_at timestamptz NOT NULL
);
--> statement-breakpoint
CREATE TABLE abuse_findings (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  cluster_id uuid NOT NULL REFERENCES clusters(id) ON DELETE CASCADE,
  namespace text NOT NULL,
  -- '' for a finding about the namespace as a whole (a quota).
  workload text NOT NULL,
  rule text NOT NULL,
  severity text NOT NULL CHECK (severity IN ('low', 'medium', 'high', 'critical')),
  status text NOT NULL CHECK (status IN ('open', 'resolved')),
  summary text NOT NULL,
  evidence jsonb NOT NULL,
  started_at timestamptz NOT NULL,
  last_seen_at timestamptz NOT NULL,
  detected_at timestamptz NOT NULL,
  resolved_at timestamptz,
  resolved_by uuid REFERENCES users(id),
  resolution text
);
--> statement-breakpoint
-- Dedupe: while a finding is open, the detection job updates it instead of opening another.
CREATE UNIQUE INDEX abuse_findings_open_uq ON abuse_findings (cluster_id, namespace, workload, rule) WHERE status = 'open';
--> statement-breakpoint
CREATE INDEX abuse_findings_tenant_idx ON abuse_findings (tenant_id, last_seen_at DESC);
--> statement-breakpoint
CREATE INDEX abuse_findings_status_idx ON abuse_findings (status, last_seen_at DESC);
--> statement-breakpoint
CREATE TABLE workload_sleeps (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  cluster_id uuid NOT NULL REFERENCES clusters(id) ON DELETE CASCADE,
  namespace text NOT NULL,
  workload text NOT NULL,
  kind text NOT NULL CHECK (kind IN ('Deployment', 'StatefulSet', 'CronJob')),
  -- finding: a person acting on a finding; activity: the tenant's activity-based sleep; manual: a person from the workload's page.
  trigger text NOT NULL CHECK (trigger IN ('finding', 'activity', 'manual')),
  finding_id uuid REFERENCES abuse_findings(id) ON DELETE SET NULL,
  -- sleeping: command sent; asleep: the agent scaled it down; waking: wake sent; awake: restored; failed: see message.
  status text NOT NULL CHECK (status IN ('sleeping', 'asleep', 'waking', 'awake', 'failed')),
  reason text NOT NULL,
  slept_at timestamptz NOT NULL,
  slept_by uuid REFERENCES users(id),
  sleep_command_id uuid NOT NULL,
  -- What the agent kept in the object's annotation (replicas or suspend), from its result.
  original jsonb,
  wake_reason text,
  wake_requested_at timestamptz,
  woke_at timestamptz,
  woke_by uuid REFERENCES users(id),
  wake_command_id uuid,
  message text
);
--> statement-breakpoint
-- One sleep at a time per workload: a second request while one is in force is refused.
CREATE UNIQUE INDEX workload_sleeps_active_uq ON workload_sleeps (cluster_id, namespace, workload, kind) WHERE status IN ('sleeping', 'asleep', 'waking');
--> statement-breakpoint
CREATE INDEX workload_sleeps_tenant_idx ON workload_sleeps (tenant_id, slept_at DESC);
--> statement-breakpoint
CREATE TABLE abuse_actions (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  finding_id uuid REFERENCES abuse_findings(id) ON DELETE SET NULL,
  tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  cluster_id uuid NOT NULL REFERENCES clusters(id) ON DELETE CASCADE,
  namespace text NOT NULL,
  workload text NOT NULL,
  action text NOT NULL CHECK (action IN ('notify', 'quarantine', 'quota-squeeze', 'sleep', 'wake', 'resolve', 'reopen')),
  reason text NOT NULL,
  -- null: the console itself (activity-based sleep).
  actor_id uuid REFERENCES users(id),
  change_id uuid REFERENCES change_requests(id) ON DELETE SET NULL,
  sleep_id uuid REFERENCES workload_sleeps(id) ON DELETE SET NULL,
  created_at timestamptz NOT NULL
);
--> statement-breakpoint
CREATE INDEX abuse_actions_finding_idx ON abuse_actions (finding_id, created_at);
--> statement-breakpoint
CREATE INDEX abuse_actions_tenant_idx ON abuse_actions (tenant_id, created_at DESC);
--> statement-breakpoint
CREATE TABLE tenant_notifications (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  finding_id uuid REFERENCES abuse_findings(id) ON DELETE SET NULL,
  title text NOT NULL,
  body text NOT NULL,
  created_by uuid REFERENCES users(id),
  created_at timestamptz NOT NULL,
  acknowledged_by uuid REFERENCES users(id),
  acknowledged_at timestamptz
);
--> statement-breakpoint
CREATE INDEX tenant_notifications_tenant_idx ON tenant_notifications (tenant_id, created_at DESC);
--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE ON abuse_settings, abuse_findings, workload_sleeps, tenant_notifications TO verity_app;
--> statement-breakpoint
-- The action log is append-only for the application.
GRANT SELECT, INSERT ON abuse_actions TO verity_app;
--> statement-breakpoint
ALTER TABLE abuse_settings ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY abuse_settings_scope ON abuse_settings USING (verity_tenant_visible(tenant_id)) WITH CHECK (verity_tenant_visible(tenant_id));
--> statement-breakpoint
ALTER TABLE abuse_findings ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY abuse_findings_scope ON abuse_findings USING (verity_tenant_visible(tenant_id)) WITH CHECK (verity_tenant_visible(tenant_id));
--> statement-breakpoint
ALTER TABLE workload_sleeps ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY workload_sleeps_scope ON workload_sleeps USING (verity_tenant_visible(tenant_id)) WITH CHECK (verity_tenant_visible(tenant_id));
--> statement-breakpoint
ALTER TABLE abuse_actions ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY abuse_actions_scope ON abuse_actions USING (verity_tenant_visible(tenant_id)) WITH CHECK (verity_tenant_visible(tenant_id));
--> statement-breakpoint
ALTER TABLE tenant_notifications ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY tenant_notifications_scope ON tenant_notifications USING (verity_tenant_visible(tenant_id)) WITH CHECK (verity_tenant_visible(tenant_id));
