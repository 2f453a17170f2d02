// Cluster agents and what they send: enrollment, request replay protection, ingested
// batch ids (idempotency), the cluster inventory, aggregated flows and commands.
import { bigint, index, integer, jsonb, pgTable, primaryKey, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { users } from './identity';
import { clusters } from './tenancy';

export const enrollmentTokens = pgTable('enrollment_tokens', {
  id: uuid('id').primaryKey().defaultRandom(),
  clusterId: uuid('cluster_id').notNull().references(() => clusters.id, { onDelete: 'cascade' }),
  tokenHash: text('token_hash').notNull().unique(),
  expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
  usedAt: timestamp('used_at', { withTimezone: true }),
  createdBy: uuid('created_by').references(() => users.id),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
});

export const agents = pgTable(
  'agents',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    clusterId: uuid('cluster_id').notNull().references(() => clusters.id, { onDelete: 'cascade' }),
    /** Ed25519 public key, SPKI PEM. */
    publicKey: text('public_key').notNull(),
    agentVersion: text('agent_version').notNull(),
    driver: text('driver').notNull(),
    hostname: text('hostname'),
    enrolledAt: timestamp('enrolled_at', { withTimezone: true }).notNull(),
    lastSeenAt: timestamp('last_seen_at', { withTimezone: true }),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
    queuePending: integer('queue_pending').notNull().default(0),
    queueDropped: integer('queue_dropped').notNull().default(0),
  },
  (t) => [index('agents_cluster_idx').on(t.clusterId)],
);

// Nonces seen within the clock-skew window: a captured request cannot be replayed.
export const agentNonces = pgTable(
  'agent_nonces',
  {
    agentId: uuid('agent_id').notNull().references(() => agents.id, { onDelete: 'cascade' }),
    nonce: text('nonce').notNull(),
    seenAt: timestamp('seen_at', { withTimezone: true }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.agentId, t.nonce] }), index('agent_nonces_seen_idx').on(t.seenAt)],
);

export const ingestedBatches = pgTable(
  'ingested_batches',
  {
    agentId: uuid('agent_id').notNull().references(() => agents.id, { onDelete: 'cascade' }),
    batchId: text('batch_id').notNull(),
    kind: text('kind').notNull(),
    receivedAt: timestamp('received_at', { withTimezone: true }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.agentId, t.batchId] })],
);

/** Current state of each cluster object; cluster-scoped objects have namespace ''. */
export const inventoryObjects = pgTable(
  'inventory_objects',
  {
    clusterId: uuid('cluster_id').notNull().references(() => clusters.id, { onDelete: 'cascade' }),
    kind: text('kind').notNull(),
    namespace: text('namespace').notNull(),
    name: text('name').notNull(),
    resourceVersion: text('resource_version'),
    object: jsonb('object').$type<Record<string, unknown>>().notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.clusterId, t.kind, t.namespace, t.name] }), index('inventory_ns_idx').on(t.clusterId, t.namespace)],
);

/** The console's Ed25519 key that signs command bundles; the private half sealed with the console secret. */
export const consoleKeys = pgTable('console_keys', {
  purpose: text('purpose').primaryKey(),
  publicKey: text('public_key').notNull(),
  privateKeyEnc: text('private_key_enc').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
});

export const agentCommands = pgTable(
  'agent_commands',
  {
    id: uuid('id').primaryKey(),
    clusterId: uuid('cluster_id').notNull().references(() => clusters.id, { onDelete: 'cascade' }),
    changeId: text('change_id'),
    type: text('type', { enum: ['apply', 'dry-run', 'sleep', 'wake'] }).notNull(),
    /** Canonical JSON of the bundle, exactly as signed. */
    bundle: text('bundle').notNull(),
    signature: text('signature').notNull(),
    status: text('status', { enum: ['pending', 'delivered', 'applied', 'partial', 'failed', 'stale', 'refused', 'dry-run', 'withdrawn'] }).notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    deliveredAt: timestamp('delivered_at', { withTimezone: true }),
    completedAt: timestamp('completed_at', { withTimezone: true }),
    result: jsonb('result').$type<Record<string, unknown>>(),
  },
  (t) => [index('agent_commands_cluster_status_idx').on(t.clusterId, t.status)],
);

// flow_minutes is a partitioned table created by hand in its migration (drizzle-kit cannot
// declare partitions); this definition lets queries use it. Empty strings mean "none"
// (an IP destination has no workload), so the aggregate key has no NULLs.
export const flowMinutes = pgTable('flow_minutes', {
  clusterId: uuid('cluster_id').notNull(),
  minute: timestamp('minute', { withTimezone: true }).notNull(),
  srcNamespace: text('src_namespace').notNull(),
  srcWorkload: text('src_workload').notNull(),
  srcIp: text('src_ip').notNull(),
  dstNamespace: text('dst_namespace').notNull(),
  dstWorkload: text('dst_workload').notNull(),
  dstIp: text('dst_ip').notNull(),
  port: integer('port').notNull(),
  protocol: text('protocol').notNull(),
  mtls: text('mtls').notNull(),
  verdict: text('verdict').notNull(),
  count: bigint('count', { mode: 'number' }).notNull(),
  bytes: bigint('bytes', { mode: 'number' }).notNull(),
});
