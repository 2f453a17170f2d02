// Created by db/migrations/0003_traffic_graph_layouts.sql (by hand: it carries row-level
// security and a helper function). Stored traffic-graph positions per cluster and layout key.
import { jsonb, pgTable, primaryKey, text, timestamp, uuid } from 'drizzle-orm/pg-core';

/** Node id -> top-left position; for a namespace layout also the box size it needs. */
export interface StoredLayout {
  positions: Record<string, { x: number; y: number }>;
  width?: number;
  height?: number;
}

export const graphLayouts = pgTable(
  'graph_layouts',
  {
    clusterId: uuid('cluster_id').notNull(),
    layoutKey: text('layout_key').notNull(),
    namespace: text('namespace').notNull().default(''),
    tenantIds: uuid('tenant_ids').array().notNull().default([]),
    positions: jsonb('positions').$type<StoredLayout>().notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.clusterId, t.layoutKey] })],
);
