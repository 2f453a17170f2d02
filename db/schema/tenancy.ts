// Tenants, the clusters and namespaces they own, and who holds which role where.
import { index, pgTable, text, timestamp, unique, uuid } from 'drizzle-orm/pg-core';
import { users } from './identity';

export const tenants = pgTable('tenants', {
  id: uuid('id').primaryKey().defaultRandom(),
  slug: text('slug').notNull().unique(),
  name: text('name').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
});

export const clusters = pgTable('clusters', {
  id: uuid('id').primaryKey().defaultRandom(),
  name: text('name').notNull().unique(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
});

// A namespace of a cluster belongs to at most one tenant.
export const tenantNamespaces = pgTable(
  'tenant_namespaces',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    tenantId: uuid('tenant_id').notNull().references(() => tenants.id, { onDelete: 'cascade' }),
    clusterId: uuid('cluster_id').notNull().references(() => clusters.id),
    namespace: text('namespace').notNull(),
  },
  (t) => [unique('tenant_namespaces_cluster_ns_uq').on(t.clusterId, t.namespace), index('tenant_namespaces_tenant_idx').on(t.tenantId)],
);

export const roleGrants = pgTable(
  'role_grants',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: uuid('user_id').notNull().references(() => users.id, { onDelete: 'cascade' }),
    role: text('role', { enum: ['security_admin', 'tenant_admin', 'approver', 'auditor', 'viewer'] }).notNull(),
    // null = global grant; otherwise the grant holds only inside this tenant.
    tenantId: uuid('tenant_id').references(() => tenants.id, { onDelete: 'cascade' }),
    createdBy: uuid('created_by').references(() => users.id),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [unique('role_grants_uq').on(t.userId, t.role, t.tenantId).nullsNotDistinct(), index('role_grants_user_idx').on(t.userId)],
);
