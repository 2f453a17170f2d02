// Created by db/migrations/0007_quota_and_workload_usage_history.sql (by hand: daily
// partitions, row-level security and a partition helper). Usage over time from the agents.
import { bigint, integer, numeric, pgTable, primaryKey, text, timestamp, uuid } from 'drizzle-orm/pg-core';

/** Per workload and minute, summed over its pods: CPU in nanocores, memory in bytes. Append-only. */
export const workloadUsageMinutes = pgTable('workload_usage_minutes', {
  clusterId: uuid('cluster_id').notNull(),
  minute: timestamp('minute', { withTimezone: true }).notNull(),
  namespace: text('namespace').notNull(),
  workload: text('workload').notNull(),
  kind: text('kind').notNull(),
  replicas: integer('replicas').notNull(),
  cpuNanocores: bigint('cpu_nanocores', { mode: 'bigint' }).notNull(),
  memoryBytes: bigint('memory_bytes', { mode: 'bigint' }).notNull(),
  cpuRequestNanocores: bigint('cpu_request_nanocores', { mode: 'bigint' }),
  cpuLimitNanocores: bigint('cpu_limit_nanocores', { mode: 'bigint' }),
  memoryRequestBytes: bigint('memory_request_bytes', { mode: 'bigint' }),
  memoryLimitBytes: bigint('memory_limit_bytes', { mode: 'bigint' }),
});

/** Per ResourceQuota and minute; resources, used and hard are parallel arrays (nano-units). Append-only. */
export const quotaUsageMinutes = pgTable('quota_usage_minutes', {
  clusterId: uuid('cluster_id').notNull(),
  minute: timestamp('minute', { withTimezone: true }).notNull(),
  namespace: text('namespace').notNull(),
  quota: text('quota').notNull(),
  resources: text('resources').array().notNull(),
  usedNanos: numeric('used_nanos').array().notNull(),
  hardNanos: numeric('hard_nanos').array().notNull(),
});

/** Hourly rollup of quota_usage_minutes per resource, maintained by the ingest. */
export const quotaUsageHours = pgTable(
  'quota_usage_hours',
  {
    clusterId: uuid('cluster_id').notNull(),
    namespace: text('namespace').notNull(),
    quota: text('quota').notNull(),
    resource: text('resource').notNull(),
    hour: timestamp('hour', { withTimezone: true }).notNull(),
    maxUsedNanos: numeric('max_used_nanos').notNull(),
    lastUsedNanos: numeric('last_used_nanos').notNull(),
    lastHardNanos: numeric('last_hard_nanos').notNull(),
    lastMinute: timestamp('last_minute', { withTimezone: true }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.clusterId, t.namespace, t.hour, t.quota, t.resource] })],
);

/**
 * 10-minute rollup of quota_usage_minutes per resource (db/migrations/0011_quota_ten_minute_rollup_and_set_based_namespace_scope.sql),
 * maintained by the ingest: the highest used and the lowest hard of the bin's minutes.
 */
export const quotaUsageTenMinutes = pgTable(
  'quota_usage_ten_minutes',
  {
    clusterId: uuid('cluster_id').notNull(),
    namespace: text('namespace').notNull(),
    quota: text('quota').notNull(),
    resource: text('resource').notNull(),
    bin: timestamp('bin', { withTimezone: true }).notNull(),
    maxUsedNanos: numeric('max_used_nanos').notNull(),
    minHardNanos: numeric('min_hard_nanos').notNull(),
  },
  (t) => [primaryKey({ columns: [t.clusterId, t.namespace, t.bin, t.quota, t.resource] })],
);
