'use client';
// React Flow node types for the traffic graph, registered once at module level and memoized.
// Nodes are buttons (keyboard reachable). Edges are not React Flow elements: they are drawn
// in one canvas layer (edge-layer.tsx), so nodes need no handles.
import type { NodeProps, Node } from '@xyflow/react';
import { createContext, memo, useContext } from 'react';
import type { FlowNodeData } from './compose';

export interface GraphActions {
  select(kind: 'node' | 'edge', id: string): void;
  toggle(groupId: string): void;
}
export const GraphActionsContext = createContext<GraphActions>({ select: () => {}, toggle: () => {} });

function Flags({ n }: { n: FlowNodeData['node'] }) {
  if (n.plaintextOnStrictIn === 0 && n.deniedIn === 0) return null;
  // One short line under the name, so the name always stays visible.
  return (
    <span className="gnode-flags">
      {n.plaintextOnStrictIn > 0 && <span className="flag strict" title="Plaintext reached a STRICT port">⚠ plaintext on STRICT</span>}
      {n.deniedIn > 0 && <span className="flag denied" title="Denied connections arrive here">✕ denied</span>}
    </span>
  );
}

const WorkloadNode = memo(function WorkloadNode({ data }: NodeProps<Node<FlowNodeData>>) {
  const actions = useContext(GraphActionsContext);
  const n = data.node;
  return (
    <div className={`gnode workload${data.selected ? ' selected' : ''}${data.dimmed ? ' dimmed' : ''}`} data-node-id={n.id}>
      <button type="button" className="gnode-button" aria-label={`Workload ${n.namespace}/${n.label}`} aria-pressed={data.selected} onClick={() => actions.select('node', n.id)}>
        <span className="gnode-title">{n.label}</span>
        <Flags n={n} />
      </button>
    </div>
  );
});

const GroupNode = memo(function GroupNode({ data }: NodeProps<Node<FlowNodeData>>) {
  const actions = useContext(GraphActionsContext);
  const n = data.node;
  const what = n.kind === 'tenant' ? 'Tenant' : 'Namespace';
  return (
    <div className={`gnode group ${n.kind}${data.selected ? ' selected' : ''}${data.dimmed ? ' dimmed' : ''}`} data-node-id={n.id}>
      <button type="button" className="gnode-button" aria-label={`${what} ${n.label}, ${n.workloadCount} workloads`} aria-pressed={data.selected} onClick={() => actions.select('node', n.id)}>
        <span className="gnode-kind">{what}</span>
        <span className="gnode-title">{n.label}</span>
        <span className="gnode-meta">{n.workloadCount} workloads</span>
        <Flags n={n} />
      </button>
      <button type="button" className="expand" aria-label={`Expand ${what.toLowerCase()} ${n.label}`} onClick={() => actions.toggle(n.id)}>
        +
      </button>
    </div>
  );
});

const BoxNode = memo(function BoxNode({ data }: NodeProps<Node<FlowNodeData>>) {
  const actions = useContext(GraphActionsContext);
  const n = data.node;
  const what = n.kind === 'tenant' ? 'Tenant' : 'Namespace';
  return (
    <div className={`gbox ${n.kind}${data.selected ? ' selected' : ''}`} data-node-id={n.id}>
      <div className="gbox-header">
        <button type="button" className="link" aria-label={`${what} ${n.label}`} onClick={() => actions.select('node', n.id)}>
          {what}: <strong>{n.label}</strong>
        </button>
        <button type="button" className="collapse" aria-label={`Collapse ${what.toLowerCase()} ${n.label}`} onClick={() => actions.toggle(n.id)}>
          −
        </button>
      </div>
    </div>
  );
});

const EndpointNode = memo(function EndpointNode({ data }: NodeProps<Node<FlowNodeData>>) {
  const actions = useContext(GraphActionsContext);
  const n = data.node;
  const what = n.kind === 'other-tenant' ? 'Other tenant (hidden)' : 'Outside the cluster';
  return (
    <div className={`gnode endpoint ${n.kind}${data.selected ? ' selected' : ''}${data.dimmed ? ' dimmed' : ''}`} data-node-id={n.id}>
      <button type="button" className="gnode-button" aria-label={`${what}: ${n.label}`} aria-pressed={data.selected} onClick={() => actions.select('node', n.id)}>
        <span className="gnode-kind">{n.kind === 'other-tenant' ? 'other tenant (hidden)' : 'outside the cluster'}</span>
        <span className="gnode-title">{n.label}</span>
      </button>
    </div>
  );
});

export const nodeTypes = { workload: WorkloadNode, group: GroupNode, box: BoxNode, endpoint: EndpointNode };
