// The append-only, hash-chained audit log. Immutability is enforced by triggers in the
// migration `audit_log_immutability_and_row_security`. Since `time_partitioned_audit_events`
// the table is partitioned by day of occurred_at and its indexes, search vector, triggers
// and policies are written by hand in that migration; this declaration is for queries.
import { bigint, jsonb, pgTable, primaryKey, text, timestamp, uuid } from 'drizzle-orm/pg-core';

export const auditEvents = pgTable(
  'audit_events',
  {
    // Gapless position in the chain, assigned under the chain-head lock.
    seq: bigint('seq', { mode: 'number' }).notNull(),
    id: uuid('id').notNull(),
    occurredAt: timestamp('occurred_at', { withTimezone: true, precision: 3 }).notNull(),
    /** Where the event comes from: the console itself, an agent, or the cluster's own audit log. */
    source: text('source', { enum: ['console', 'agent', 'kubernetes'] }).notNull(),
    clusterId: uuid('cluster_id'),
    actorType: text('actor_type', { enum: ['user', 'agent', 'system', 'anonymous', 'kube-user'] }).notNull(),
    actorId: text('actor_id'),
    actorLabel: text('actor_label'),
    tenantId: uuid('tenant_id'),
    action: text('action').notNull(),
    resourceType: text('resource_type'),
    resourceId: text('resource_id'),
    outcome: text('outcome', { enum: ['success', 'failure', 'denied'] }).notNull(),
    clientAddress: text('client_address'),
    userAgent: text('user_agent'),
    details: jsonb('details').$type<Record<string, unknown>>().notNull(),
    prevHash: text('prev_hash').notNull(),
    hash: text('hash').notNull(),
  },
  // A partitioned table's key must hold its partition key.
  (t) => [primaryKey({ name: 'audit_events_pkey', columns: [t.seq, t.occurredAt] })],
);

// The chain head: one row, locked FOR UPDATE by every writer, so hashes link in commit order.
export const auditChainHead = pgTable('audit_chain_head', {
  id: text('id').primaryKey(),
  seq: bigint('seq', { mode: 'number' }).notNull(),
  hash: text('hash').notNull(),
});
