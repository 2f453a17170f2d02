// Stores a cluster's inventory: a snapshot replaces the cluster's current state, a delta
// changes it. Each batch is stored once however often the agent retries it.
import { and, eq, sql } from 'drizzle-orm';
import { type InventoryBatch, type InventoryItem, WorkloadObject } from '@/agent/protocol/messages';
import type { Tx } from '@/db/client';
import { inventoryObjects } from '@/db/schema';
import { appendAuditEvent } from '../audit/append-event';
import type { ServiceContext } from '../context';
import { badInput } from '../errors';
import { inScope } from '../scope';
import { claimBatch, requireAgent } from './agent-principal';

const CHUNK = 500;

export async function ingestInventory(ctx: ServiceContext, batch: InventoryBatch) {
  const agent = requireAgent(ctx);
  const items = batch.type === 'snapshot' ? batch.items : batch.upserts;
  items.forEach((item, i) => {
    if (item.kind !== 'Workload') return;
    const parsed = WorkloadObject.safeParse(item.object);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      const where = batch.type === 'snapshot' ? 'items' : 'upserts';
      throw badInput(`${where}.${i}.object.${issue.path.join('.')}`, `${where}[${i}] (Workload ${item.namespace}/${item.name}): ${issue.path.join('.')}: ${issue.message}`);
    }
  });
  const now = ctx.now();
  return inScope(ctx, async (tx) => {
    if (!(await claimBatch(tx, agent.agentId, batch.batchId, `inventory-${batch.type}`, now))) return { duplicate: true, stored: 0 };
    if (batch.type === 'snapshot') {
      await tx.delete(inventoryObjects).where(eq(inventoryObjects.clusterId, agent.clusterId));
      await upsert(tx, agent.clusterId, batch.items, now);
    } else {
      await upsert(tx, agent.clusterId, batch.upserts, now);
      for (const ref of batch.deletes) {
        await tx
          .delete(inventoryObjects)
          .where(and(eq(inventoryObjects.clusterId, agent.clusterId), eq(inventoryObjects.kind, ref.kind), eq(inventoryObjects.namespace, ref.namespace ?? ''), eq(inventoryObjects.name, ref.name)));
      }
    }
    await appendAuditEvent(tx, ctx, {
      action: batch.type === 'snapshot' ? 'agent.inventory_snapshot' : 'agent.inventory_delta',
      outcome: 'success',
      source: 'agent',
      clusterId: agent.clusterId,
      resourceType: 'inventory',
      resourceId: batch.batchId,
      details: batch.type === 'snapshot' ? { objects: batch.items.length, counts: countByKind(batch.items) } : { upserts: batch.upserts.length, deletes: batch.deletes.length, counts: countByKind(batch.upserts) },
    });
    return { duplicate: false, stored: items.length };
  });
}

async function upsert(tx: Tx, clusterId: string, items: InventoryItem[], now: Date) {
  // Within one statement a key may appear once: the last version of an object wins.
  const latest = new Map<string, InventoryItem>();
  for (const item of items) latest.set(`${item.kind}\u0000${item.namespace ?? ''}\u0000${item.name}`, item);
  const rows = [...latest.values()].map((i) => ({ clusterId, kind: i.kind, namespace: i.namespace ?? '', name: i.name, resourceVersion: i.resourceVersion, object: i.object, updatedAt: now }));
  for (let i = 0; i < rows.length; i += CHUNK) {
    await tx
      .insert(inventoryObjects)
      .values(rows.slice(i, i + CHUNK))
      .onConflictDoUpdate({
        target: [inventoryObjects.clusterId, inventoryObjects.kind, inventoryObjects.namespace, inventoryObjects.name],
        set: { resourceVersion: sql`excluded.resource_version`, object: sql`excluded.object`, updatedAt: sql`excluded.updated_at` },
      });
  }
}

function countByKind(items: InventoryItem[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const i of items) out[i.kind] = (out[i.kind] ?? 0) + 1;
  return out;
}
