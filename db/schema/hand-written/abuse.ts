// Created by migration 0008_abuse_findings_and_workload_sleep (see ./README.md).
import { jsonb, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import type { Evidence } from '@/server/domain/abuse/model';

export const abuseSettings = pgTable('abuse_settings', {
  tenantId: uuid('tenant_id').primaryKey(),
  settings: jsonb('settings').$type<Record<string, unknown>>().notNull(),
  updatedBy: uuid('updated_by'),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
});

export const abuseFindings = pgTable('abuse_findings', {
  id: uuid('id').primaryKey().defaultRandom(),
  tenantId: uuid('tenant_id').notNull(),
  clusterId: uuid('cluster_id').notNull(),
  namespace: text('namespace').notNull(),
  workload: text('workload').notNull(),
  rule: text('rule').notNull(),
  severity: text('severity', { enum: ['low', 'medium', 'high', 'critical'] }).notNull(),
  status: text('status', { enum: ['open', 'resolved'] }).notNull(),
  summary: text('summary').notNull(),
  evidence: jsonb('evidence').$type<Evidence>().notNull(),
  startedAt: timestamp('started_at', { withTimezone: true }).notNull(),
  lastSeenAt: timestamp('last_seen_at', { withTimezone: true }).notNull(),
  detectedAt: timestamp('detected_at', { withTimezone: true }).notNull(),
  resolvedAt: timestamp('resolved_at', { withTimezone: true }),
  resolvedBy: uuid('resolved_by'),
  resolution: text('resolution'),
});

export const workloadSleeps = pgTable('workload_sleeps', {
  id: uuid('id').primaryKey().defaultRandom(),
  tenantId: uuid('tenant_id').notNull(),
  clusterId: uuid('cluster_id').notNull(),
  namespace: text('namespace').notNull(),
  workload: text('workload').notNull(),
  kind: text('kind', { enum: ['Deployment', 'StatefulSet', 'CronJob'] }).notNull(),
  trigger: text('trigger', { enum: ['finding', 'activity', 'manual'] }).notNull(),
  findingId: uuid('finding_id'),
  status: text('status', { enum: ['sleeping', 'asleep', 'waking', 'awake', 'failed'] }).notNull(),
  reason: text('reason').notNull(),
  sleptAt: timestamp('slept_at', { withTimezone: true }).notNull(),
  sleptBy: uuid('slept_by'),
  sleepCommandId: uuid('sleep_command_id').notNull(),
  original: jsonb('original').$type<Record<string, unknown>>(),
  wakeReason: text('wake_reason'),
  wakeRequestedAt: timestamp('wake_requested_at', { withTimezone: true }),
  wokeAt: timestamp('woke_at', { withTimezone: true }),
  wokeBy: uuid('woke_by'),
  wakeCommandId: uuid('wake_command_id'),
  message: text('message'),
});

export const abuseActions = pgTable('abuse_actions', {
  id: uuid('id').primaryKey().defaultRandom(),
  findingId: uuid('finding_id'),
  tenantId: uuid('tenant_id').notNull(),
  clusterId: uuid('cluster_id').notNull(),
  namespace: text('namespace').notNull(),
  workload: text('workload').notNull(),
  action: text('action', { enum: ['notify', 'quarantine', 'quota-squeeze', 'sleep', 'wake', 'resolve', 'reopen'] }).notNull(),
  reason: text('reason').notNull(),
  actorId: uuid('actor_id'),
  changeId: uuid('change_id'),
  sleepId: uuid('sleep_id'),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
});

export const tenantNotifications = pgTable('tenant_notifications', {
  id: uuid('id').primaryKey().defaultRandom(),
  tenantId: uuid('tenant_id').notNull(),
  findingId: uuid('finding_id'),
  title: text('title').notNull(),
  body: text('body').notNull(),
  createdBy: uuid('created_by'),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
  acknowledgedBy: uuid('acknowledged_by'),
  acknowledgedAt: timestamp('acknowledged_at', { withTimezone: true }),
});
