// Created by migration 0009_time_bound_grants_and_approval_expiry (see ./README.md).
import { pgTable, primaryKey, text, timestamp, uuid } from 'drizzle-orm/pg-core';

export const timeBoundGrants = pgTable(
  'time_bound_grants',
  {
    changeId: uuid('change_id').notNull(),
    objectKey: text('object_key').notNull(),
    kind: text('kind', { enum: ['RoleBinding', 'ClusterRoleBinding'] }).notNull(),
    namespace: text('namespace'),
    name: text('name').notNull(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    removalChangeId: uuid('removal_change_id'),
    removalState: text('removal_state', { enum: ['issued', 'absent', 'refused'] }),
    removalDetail: text('removal_detail'),
    removedAt: timestamp('removed_at', { withTimezone: true }),
  },
  (t) => [primaryKey({ columns: [t.changeId, t.objectKey] })],
);
