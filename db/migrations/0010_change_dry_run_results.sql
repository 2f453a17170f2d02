-- The preview of each submitted revision of a change, computed in the background: which
-- stage it is at (diff, flow impact, RBAC, dry run), who is computing it (a lease, so any
-- console process may take over from one that died), and the agent's server-side dry run
-- with its deadline. The finished preview and its digest land on change_requests.
-- Declared for queries in db/schema/hand-written/change-previews.ts.
CREATE TABLE change_previews (
  change_id uuid NOT NULL REFERENCES change_requests(id) ON DELETE CASCADE,
  revision integer NOT NULL,
  -- queued → computing → dry-run → ready | blocked; superseded when the change moved on; failed on an error.
  state text NOT NULL CHECK (state IN ('queued', 'computing', 'dry-run', 'ready', 'blocked', 'superseded', 'failed')),
  stages jsonb NOT NULL DEFAULT '{}',
  lease_owner text,
  lease_until timestamptz,
  attempts integer NOT NULL DEFAULT 0,
  window_hours integer NOT NULL DEFAULT 24 CHECK (window_hours BETWEEN 1 AND 720),
  dry_run_command_id uuid,
  dry_run_deadline timestamptz,
  dry_run jsonb,
  error text,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  PRIMARY KEY (change_id, revision)
);
--> statement-breakpoint
CREATE INDEX change_previews_work_idx ON change_previews (state, lease_until) WHERE state IN ('queued', 'computing', 'dry-run');
--> statement-breakpoint
CREATE UNIQUE INDEX change_previews_dry_run_command_idx ON change_previews (dry_run_command_id) WHERE dry_run_command_id IS NOT NULL;
--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE ON change_previews TO verity_app;
--> statement-breakpoint
ALTER TABLE change_previews ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY change_previews_scope ON change_previews USING (EXISTS (SELECT 1 FROM change_requests c WHERE c.id = change_id)) WITH CHECK (EXISTS (SELECT 1 FROM change_requests c WHERE c.id = change_id));
