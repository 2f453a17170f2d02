// Created by migration 0005_change_requests_and_approvals (see ./README.md).
import { integer, jsonb, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';

export const changeRequests = pgTable('change_requests', {
  id: uuid('id').primaryKey().defaultRandom(),
  tenantId: uuid('tenant_id'),
  clusterId: uuid('cluster_id').notNull(),
  title: text('title').notNull(),
  description: text('description').notNull(),
  status: text('status').notNull(),
  requestedBy: uuid('requested_by').notNull(),
  revision: integer('revision').notNull(),
  sourceText: text('source_text').notNull(),
  deletes: jsonb('deletes').$type<{ kind: string; namespace: string | null; name: string }[]>().notNull(),
  operations: jsonb('operations').$type<unknown[]>().notNull(),
  problems: jsonb('problems').$type<unknown[]>().notNull(),
  preview: jsonb('preview').$type<Record<string, unknown>>(),
  baseVersions: jsonb('base_versions').$type<Record<string, string | null>>(),
  digest: text('digest'),
  commandId: uuid('command_id'),
  result: jsonb('result').$type<Record<string, unknown>>(),
  rollsBack: uuid('rolls_back'),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
  submittedAt: timestamp('submitted_at', { withTimezone: true }),
});

export const changeDecisions = pgTable('change_decisions', {
  id: uuid('id').primaryKey().defaultRandom(),
  changeId: uuid('change_id').notNull(),
  userId: uuid('user_id').notNull(),
  decision: text('decision', { enum: ['approve', 'reject'] }).notNull(),
  reason: text('reason').notNull(),
  digest: text('digest').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
});

export const changeComments = pgTable('change_comments', {
  id: uuid('id').primaryKey().defaultRandom(),
  changeId: uuid('change_id').notNull(),
  userId: uuid('user_id').notNull(),
  body: text('body').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
});

export const approvalRules = pgTable('approval_rules', {
  tenantId: uuid('tenant_id'),
  requiredApprovals: integer('required_approvals').notNull(),
  approvalTtlMinutes: integer('approval_ttl_minutes').notNull(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
});
