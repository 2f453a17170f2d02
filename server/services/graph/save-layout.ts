// graph.saveLayout: keeps the positions the browser's layout worker computed, so the next
// load draws at once and the picture does not move. Positions are a cache of a picture of
// data the caller may already read; they change no security state, so they take graph:read
// and write no audit event. Row-level security decides which keys a caller may write: a
// namespace's layout needs that namespace visible, a group layout exactly the caller's scope.
import { sql } from 'drizzle-orm';
import { z } from 'zod';
import { graphLayouts } from '@/db/schema/hand-written/graph';
import { authorize } from '../authorize';
import type { ServiceContext } from '../context';
import { badInput, notFound } from '../errors';
import { inScope } from '../scope';
import { readVisibility, visibleClusters } from './cluster-model';
import { groupLayoutKey } from './read-graph';

const Coordinate = z.number().finite().min(-1e7).max(1e7);
export const SaveLayoutInput = z.object({
  clusterId: z.uuid(),
  key: z.string().min(3).max(300),
  layout: z.object({
    positions: z.record(z.string().min(1).max(300), z.object({ x: Coordinate, y: Coordinate })).refine((p) => Object.keys(p).length <= 5000, 'at most 5,000 positions'),
    width: Coordinate.optional(),
    height: Coordinate.optional(),
  }),
});
export type SaveLayoutInput = z.infer<typeof SaveLayoutInput>;

export async function saveLayout(ctx: ServiceContext, input: SaveLayoutInput) {
  authorize(ctx, 'graph:read');
  const q = SaveLayoutInput.parse(input);
  return inScope(ctx, async (tx) => {
    if (!(await visibleClusters(tx, ctx)).some((c) => c.id === q.clusterId)) throw notFound('Cluster');
    const visibility = await readVisibility(tx, ctx, q.clusterId);
    let namespace = '';
    let tenantIds: string[] = [];
    if (q.key.startsWith('ns:')) {
      namespace = q.key.slice(3);
      if (!visibility.allTenants && !visibility.tenantOfNamespace.has(namespace)) throw notFound('Namespace');
      const foreign = Object.keys(q.layout.positions).find((id) => !id.startsWith(`w:${namespace}/`));
      if (foreign) throw badInput('layout', `A namespace layout holds only that namespace's workloads (not ${foreign})`);
    } else {
      const group = groupLayoutKey(visibility);
      if (q.key !== group.key) throw badInput('key', 'Not a layout key of yours');
      tenantIds = group.tenantIds;
    }
    const now = ctx.now();
    await tx
      .insert(graphLayouts)
      .values({ clusterId: q.clusterId, layoutKey: q.key, namespace, tenantIds, positions: q.layout, updatedAt: now })
      .onConflictDoUpdate({ target: [graphLayouts.clusterId, graphLayouts.layoutKey], set: { positions: q.layout, updatedAt: now, tenantIds, namespace: sql`excluded.namespace` } });
    return { saved: true };
  });
}
