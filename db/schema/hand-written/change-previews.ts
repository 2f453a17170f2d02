// Created by migration 0010_change_dry_run_results (see ./README.md).
import { integer, jsonb, pgTable, primaryKey, text, timestamp, uuid } from 'drizzle-orm/pg-core';

export type PreviewJobState = 'queued' | 'computing' | 'dry-run' | 'ready' | 'blocked' | 'superseded' | 'failed';

export const changePreviews = pgTable(
  'change_previews',
  {
    changeId: uuid('change_id').notNull(),
    revision: integer('revision').notNull(),
    state: text('state').$type<PreviewJobState>().notNull(),
    stages: jsonb('stages').$type<Record<string, unknown>>().notNull(),
    leaseOwner: text('lease_owner'),
    leaseUntil: timestamp('lease_until', { withTimezone: true }),
    attempts: integer('attempts').notNull(),
    windowHours: integer('window_hours').notNull(),
    dryRunCommandId: uuid('dry_run_command_id'),
    dryRunDeadline: timestamp('dry_run_deadline', { withTimezone: true }),
    dryRun: jsonb('dry_run').$type<Record<string, unknown>>(),
    error: text('error'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.changeId, t.revision] })],
);
