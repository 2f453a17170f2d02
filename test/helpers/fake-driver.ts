// A cluster driver for tests of the agent plumbing: a map of objects with resourceVersions.
import type { ClusterDriver, FlowObservation, InventoryDelta, LiveVersion } from '@/agent/drivers/cluster-driver';
import { refOfOperation } from '@/agent/drivers/cluster-driver';
import type { BundleOperation, InventoryItem, ObjectRef, OperationResult } from '@/agent/protocol/messages';

export class FakeDriver implements ClusterDriver {
  readonly name = 'sim' as const;
  readonly objects = new Map<string, { object: Record<string, unknown>; rv: number }>();
  readonly executed: { op: BundleOperation; dryRun: boolean; fieldManager: string }[] = [];
  private rv = 100;
  private onDelta: ((d: InventoryDelta) => void) | null = null;
  private onFlows: ((o: FlowObservation[]) => void) | null = null;

  constructor(readonly items: InventoryItem[] = []) {}

  key(ref: ObjectRef) {
    return `${ref.kind}/${ref.namespace ?? ''}/${ref.name}`;
  }
  put(object: Record<string, unknown>) {
    const ref = refOfOperation({ action: 'apply', object, expectedResourceVersion: null });
    this.objects.set(this.key(ref), { object, rv: ++this.rv });
    return String(this.rv);
  }
  async snapshot() {
    return this.items;
  }
  watch(onDelta: (d: InventoryDelta) => void) {
    this.onDelta = onDelta;
    return () => (this.onDelta = null);
  }
  emitDelta(d: InventoryDelta) {
    this.onDelta?.(d);
  }
  observeFlows(cb: (o: FlowObservation[]) => void) {
    this.onFlows = cb;
    return () => (this.onFlows = null);
  }
  emitFlows(o: FlowObservation[]) {
    this.onFlows?.(o);
  }
  async liveVersions(refs: ObjectRef[]): Promise<LiveVersion[]> {
    return refs.map((ref) => ({ ref, resourceVersion: this.objects.has(this.key(ref)) ? String(this.objects.get(this.key(ref))!.rv) : null }));
  }
  async execute(op: BundleOperation, opts: { dryRun: boolean; fieldManager: string }): Promise<OperationResult> {
    this.executed.push({ op, ...opts });
    const ref = refOfOperation(op);
    if (ref.kind === 'Forbidden') return { ref, outcome: 'failed', message: '403 forbidden: the agent may not change Forbidden objects' };
    if (opts.dryRun) return { ref, outcome: 'applied', auditId: `dry-${this.executed.length}` };
    // Like a real cluster, the change comes back through the watch.
    const item = { kind: ref.kind as InventoryItem['kind'], namespace: ref.namespace, name: ref.name };
    if (op.action === 'delete') {
      this.objects.delete(this.key(ref));
      this.onDelta?.({ upserts: [], deletes: [item] });
      return { ref, outcome: 'deleted', auditId: `audit-${this.executed.length}` };
    }
    const rv = this.put(op.object);
    this.onDelta?.({ upserts: [{ ...item, resourceVersion: rv, object: { ...op.object, metadata: { ...(op.object.metadata as object), resourceVersion: rv } } }], deletes: [] });
    return { ref, outcome: 'applied', auditId: `audit-${this.executed.length}` };
  }
  async close() {}
}
