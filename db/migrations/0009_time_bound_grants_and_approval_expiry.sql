-- Time-bound grants: each RoleBinding or ClusterRoleBinding a change creates with an expiry
-- (the verity.dev/expires-at annotation, approved with the change), and the removal change
-- Verity issues when it passes. A grant is handed to one removal only: the sweeper claims it
-- by setting removal_change_id where it is still null, under an advisory lock, so several
-- console processes never remove one grant twice. Approval expiry needs no table: the same
-- sweeper moves changes whose approvals lapsed before they were applied back to pending.
-- Declared for queries in db/schema/hand-written/time-bound-grants.ts.
CREATE TABLE time_bound_grants (
  change_id uuid NOT NULL REFERENCES change_requests(id) ON DELETE CASCADE,
  -- Kind/namespace/name, as objectKeyString writes it.
  object_key text NOT NULL,
  kind text NOT NULL CHECK (kind IN ('RoleBinding', 'ClusterRoleBinding')),
  namespace text,
  name text NOT NULL,
  expires_at timestamptz NOT NULL,
  removal_change_id uuid REFERENCES change_requests(id),
  -- issued: the removal is with the agent; absent: the binding was already gone; refused: not removable (see detail).
  removal_state text CHECK (removal_state IN ('issued', 'absent', 'refused')),
  removal_detail text,
  removed_at timestamptz,
  PRIMARY KEY (change_id, object_key)
);
--> statement-breakpoint
CREATE INDEX time_bound_grants_due_idx ON time_bound_grants (expires_at) WHERE removal_state IS NULL;
--> statement-breakpoint
CREATE INDEX time_bound_grants_removal_idx ON time_bound_grants (removal_change_id) WHERE removal_change_id IS NOT NULL;
--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE, DELETE ON time_bound_grants TO verity_app;
--> statement-breakpoint
ALTER TABLE time_bound_grants ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY time_bound_grants_scope ON time_bound_grants USING (EXISTS (SELECT 1 FROM change_requests c WHERE c.id = change_id)) WITH CHECK (EXISTS (SELECT 1 FROM change_requests c WHERE c.id = change_id));
