// Created by migration 0004_audit_search_checkpoints_and_retention. Signed checkpoints of the
// audit chain: "event <seq> has hash <hash>", signed with the console's checkpoint key.
// ('head' checkpoints pin the chain head; 'anchor' ones mark where the stored chain starts
// after retention removed older events.) The search tsvector on audit_events is queried with
// sql`` fragments and not declared anywhere, so drizzle-kit never sees it.
import { bigint, bigserial, pgTable, text, timestamp } from 'drizzle-orm/pg-core';

export const auditCheckpoints = pgTable('audit_checkpoints', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  seq: bigint('seq', { mode: 'number' }).notNull(),
  hash: text('hash').notNull(),
  kind: text('kind', { enum: ['head', 'anchor'] }).notNull(),
  reason: text('reason').notNull(),
  signedAt: timestamp('signed_at', { withTimezone: true, precision: 3 }).notNull(),
  publicKey: text('public_key').notNull(),
  signature: text('signature').notNull(),
});
