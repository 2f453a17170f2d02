'use client';
// The traffic graph screen: filters and posture banner, the graph (React Flow with level of
// detail, layouts from the database or the worker, edges hidden while the view moves), the
// legend, and the side panel. Filters, level of detail and selection live in the URL.
import '@xyflow/react/dist/style.css';
import './graph.css';
import { useMutation, useQuery } from '@tanstack/react-query';
import { ReactFlow, ReactFlowProvider, Background, Controls, useReactFlow } from '@xyflow/react';
import { usePathname, useRouter, useSearchParams } from 'next/navigation';
import { useCallback, useContext, useEffect, useMemo, useRef, useState } from 'react';
import { useTRPC } from '@/components/providers/trpc';
import { Empty, ErrorText, Loading } from '@/components/ui/status';
import { composeEdges, composeNodes, type StoredLayout } from './compose';
import { GraphActionsContext, edgeTypes, nodeTypes, type GraphActions } from './flow-parts';
import { SidePanel } from './side-panel';
import { useLayouts } from './use-layouts';
import { readUrlState, writeUrlState, type GraphUrlState } from './url-state';

declare global {
  interface Window {
    __graphRendered?: { at: number; nodes: number; edges: number };
  }
}

export function GraphView() {
  return (
    <ReactFlowProvider>
      <GraphScreen />
    </ReactFlowProvider>
  );
}

function toggle<T>(list: T[], v: T): T[] {
  return list.includes(v) ? list.filter((x) => x !== v) : [...list, v];
}

function GraphScreen() {
  const trpc = useTRPC();
  const router = useRouter();
  const pathname = usePathname();
  const params = useSearchParams();
  const state = useMemo(() => readUrlState(new URLSearchParams(params.toString())), [params]);
  const setState = useCallback((next: Partial<GraphUrlState>) => router.replace(`${pathname}${writeUrlState({ ...state, ...next })}`, { scroll: false }), [router, pathname, state]);

  const input = {
    ...(state.cluster ? { clusterId: state.cluster } : {}),
    range: state.range,
    ...(state.range === 'custom' && state.from ? { from: new Date(state.from) } : {}),
    ...(state.range === 'custom' && state.to ? { to: new Date(state.to) } : {}),
    ...(state.tenants.length ? { tenants: state.tenants } : {}),
    ...(state.namespaces.length ? { namespaces: state.namespaces } : {}),
    ...(state.mtls.length ? { mtls: state.mtls } : {}),
    ...(state.verdicts.length ? { verdicts: state.verdicts } : {}),
    ...(state.strict ? { strict: true } : {}),
    ...(state.level ? { level: state.level } : {}),
    ...(state.open.length ? { open: state.open } : {}),
  };
  const graph = useQuery(trpc.graph.read.queryOptions(input, { refetchInterval: 15_000, placeholderData: (prev) => prev }));
  const save = useMutation(trpc.graph.saveLayout.mutationOptions());
  const clusterId = graph.data?.cluster?.id ?? null;
  const saveLayout = useCallback((key: string, layout: StoredLayout) => clusterId && save.mutate({ clusterId, key, layout }), [clusterId, save]);
  const layout = useLayouts(graph.data ?? null, saveLayout);

  const actions: GraphActions = useMemo(
    () => ({
      select: (kind, id) => setState({ sel: `${kind}:${id}` }),
      toggle: (groupId) => {
        const open = state.open.includes(groupId) ? state.open.filter((g) => g !== groupId) : [...state.open, groupId];
        // Collapsing what the level shows open means stepping the level up for it.
        const node = graph.data?.nodes.find((n) => n.id === groupId);
        if (node?.expanded && !state.open.includes(groupId)) {
          const level = node.kind === 'namespace' ? 'namespace' : 'tenant';
          const others = graph.data!.nodes.filter((n) => n.kind === node.kind && n.expanded && n.id !== groupId).map((n) => n.id);
          return setState({ level, open: [...new Set([...state.open, ...others])] });
        }
        setState({ open });
      },
    }),
    [setState, state.open, graph.data],
  );

  const [search, setSearch] = useState('');
  const focus = (workloadId: string) => {
    const w = graph.data?.workloads.find((x) => x.id === workloadId);
    if (!w) return;
    const nsId = `ns:${w.namespace}`;
    const visible = graph.data?.nodes.some((n) => n.id === workloadId);
    setState({ sel: `node:${workloadId}`, open: visible ? state.open : [...new Set([...state.open, nsId, ...(graph.data?.level === 'tenant' ? [graph.data.nodes.find((n) => n.id === nsId)?.parentId ?? ''] : [])].filter(Boolean))] });
  };

  const d = graph.data;
  const heading = <h1>Traffic graph</h1>;
  if (graph.isPending) return (<>{heading}<Loading what="the traffic graph" /></>);
  if (graph.error && !d) return (<>{heading}<ErrorText error={graph.error} /><button type="button" onClick={() => graph.refetch()}>Try again</button></>);
  if (!d || !d.cluster) return (<>{heading}<Empty>No cluster is registered yet, so there is no traffic to show. Register one under <a href="/clusters">Clusters</a> and start its agent.</Empty></>);

  const filtered = Boolean(state.tenants.length || state.namespaces.length || state.mtls.length || state.verdicts.length || state.strict);
  const p = d.posture;
  const selectedEdge = state.sel?.startsWith('edge:') ? state.sel.slice(5).replace('|', '->') : null;

  return (
    <GraphActionsContext.Provider value={actions}>
      <div className="graph-head row">
        {heading}
        <span className="spacer" />
        <span className="small muted" role="status" aria-live="polite">
          {graph.isFetching ? 'Refreshing…' : `Updated ${new Date(graph.dataUpdatedAt).toLocaleTimeString()}`} · refreshes every 15 s
        </span>
      </div>
      {graph.error && <ErrorText error={graph.error} />}
      <form className="filters graph-filters" aria-label="Graph filters" onSubmit={(e) => e.preventDefault()}>
        {d.clusters.length > 1 && (
          <label>
            Cluster
            <select value={d.cluster.id} onChange={(e) => setState({ cluster: e.target.value, sel: undefined, open: [] })}>
              {d.clusters.map((c) => <option key={c.id} value={c.id}>{c.name}</option>)}
            </select>
          </label>
        )}
        <label>
          Time range
          <select value={state.range} onChange={(e) => setState({ range: e.target.value as GraphUrlState['range'], ...(e.target.value === 'custom' ? { from: new Date(Date.now() - 3_600_000).toISOString().slice(0, 16), to: new Date().toISOString().slice(0, 16) } : {}) })}>
            <option value="5m">Last 5 minutes</option>
            <option value="1h">Last hour</option>
            <option value="1d">Last day</option>
            <option value="custom">Custom</option>
          </select>
        </label>
        {state.range === 'custom' && (
          <>
            <label>From (UTC)<input type="datetime-local" value={state.from ?? ''} onChange={(e) => setState({ from: e.target.value })} /></label>
            <label>To (UTC)<input type="datetime-local" value={state.to ?? ''} onChange={(e) => setState({ to: e.target.value })} /></label>
          </>
        )}
        {d.tenants.length > 0 && (
          <label>
            Tenant
            <select value={state.tenants[0] ?? ''} onChange={(e) => setState({ tenants: e.target.value ? [e.target.value] : [], sel: undefined })}>
              <option value="">All tenants</option>
              {d.tenants.map((t) => <option key={t.id} value={t.slug}>{t.name}</option>)}
            </select>
          </label>
        )}
        <label>
          Namespace
          <select value={state.namespaces[0] ?? ''} onChange={(e) => setState({ namespaces: e.target.value ? [e.target.value] : [], sel: undefined })}>
            <option value="">All namespaces</option>
            {d.namespaces.map((n) => <option key={n} value={n}>{n}</option>)}
          </select>
        </label>
        <fieldset className="checks">
          <legend>mTLS</legend>
          {(['mutual', 'mixed', 'plaintext', 'unknown'] as const).map((m) => (
            <label key={m} className="check"><input type="checkbox" checked={state.mtls.includes(m)} onChange={() => setState({ mtls: toggle(state.mtls, m) })} />{m}</label>
          ))}
        </fieldset>
        <fieldset className="checks">
          <legend>Verdict</legend>
          {(['allowed', 'denied', 'dropped'] as const).map((v) => (
            <label key={v} className="check"><input type="checkbox" checked={state.verdicts.includes(v)} onChange={() => setState({ verdicts: toggle(state.verdicts, v) })} />{v}</label>
          ))}
        </fieldset>
        <label>
          Find a workload
          <input
            list="graph-workloads"
            value={search}
            placeholder="namespace/name"
            onChange={(e) => {
              setSearch(e.target.value);
              const hit = d.workloads.find((w) => `${w.namespace}/${w.name}` === e.target.value);
              if (hit) focus(hit.id);
            }}
            onKeyDown={(e) => {
              if (e.key !== 'Enter') return;
              const needle = search.toLowerCase();
              const hit = d.workloads.find((w) => `${w.namespace}/${w.name}`.toLowerCase().includes(needle));
              if (hit) focus(hit.id);
            }}
          />
          <datalist id="graph-workloads">
            {d.workloads.slice(0, 3000).map((w) => <option key={w.id} value={`${w.namespace}/${w.name}`} />)}
          </datalist>
        </label>
        <label>
          Detail
          <select value={state.level ?? ''} onChange={(e) => setState({ level: (e.target.value || undefined) as GraphUrlState['level'], open: [] })}>
            <option value="">Automatic ({d.level}s)</option>
            <option value="tenant">Tenants</option>
            <option value="namespace">Namespaces</option>
            <option value="workload">Workloads</option>
          </select>
        </label>
        {filtered && <button type="button" onClick={() => setState({ tenants: [], namespaces: [], mtls: [], verdicts: [], strict: false })}>Clear filters</button>}
      </form>

      <section className="posture" aria-label="Posture">
        <span><strong>{p.mtlsShare === null ? '—' : `${Math.round(p.mtlsShare * 100)}%`}</strong> of edges all mutual TLS ({p.mutualEdges} of {p.mutualEdges + p.plaintextEdges + p.mixedEdges}; <button type="button" className="link" onClick={() => setState({ mtls: ['plaintext'] })}>{p.plaintextEdges} plaintext</button>, <button type="button" className="link" onClick={() => setState({ mtls: ['mixed'] })}>{p.mixedEdges} mixed</button>)</span>
        <span>⚠ <button type="button" className="link" onClick={() => setState({ strict: !state.strict })} aria-pressed={state.strict}>{p.plaintextOnStrictEdges} plaintext edge{p.plaintextOnStrictEdges === 1 ? '' : 's'} into STRICT workloads</button></span>
        <span>✕ <button type="button" className="link" onClick={() => setState({ verdicts: ['denied'] })}>{p.deniedAttempts.toLocaleString()} denied attempts on {p.deniedEdges} edge{p.deniedEdges === 1 ? '' : 's'}</button></span>
      </section>

      {!d.hasFlows ? (
        <Empty>
          {d.cluster.agent === 'none'
            ? <>No agent connected yet for cluster <strong>{d.cluster.name}</strong>: start its agent (see <a href="/clusters">Clusters</a>) and traffic appears here within a minute.</>
            : d.cluster.agent === 'silent'
              ? <>The agent of <strong>{d.cluster.name}</strong> has gone silent and no traffic was recorded in this range.</>
              : <>No traffic recorded for <strong>{d.cluster.name}</strong> in this range yet. The agent is connected; flows arrive every few seconds.</>}
        </Empty>
      ) : d.nodes.length === 0 ? (
        <Empty>Nothing matches these filters in this range.</Empty>
      ) : (
        <div className="graph-body">
          <Canvas layout={layout} selected={state.sel ?? null} selectedEdge={selectedEdge} layoutError={layout.error} />
          {state.sel && <SidePanel clusterId={d.cluster.id} state={state} select={actions.select} close={() => setState({ sel: undefined })} />}
        </div>
      )}
      <Legend />
      <GraphAsList nodes={d.nodes} edges={d.edges} select={actions.select} />
    </GraphActionsContext.Provider>
  );
}

function Canvas({ layout, selected, selectedEdge, layoutError }: { layout: ReturnType<typeof useLayouts>; selected: string | null; selectedEdge: string | null; layoutError: string | null }) {
  const data = layout.data!;
  const selectedNode = selected?.startsWith('node:') ? selected.slice(5) : null;
  const focusIds = useMemo(() => {
    if (!selectedNode) return null;
    const ids = new Set([selectedNode]);
    for (const e of data.edges) if (e.source === selectedNode || e.target === selectedNode) ids.add(e.source).add(e.target);
    return ids;
  }, [data.edges, selectedNode]);
  const nodes = useMemo(() => (layout.ready ? composeNodes(data, selectedNode, focusIds) : []), [data, layout.ready, selectedNode, focusIds]);
  const edges = useMemo(() => (layout.ready ? composeEdges(data.edges, selectedEdge, focusIds) : []), [data.edges, layout.ready, selectedEdge, focusIds]);
  const [moving, setMoving] = useState(false);
  const rf = useReactFlow();
  const actions = useContext(GraphActionsContext);
  const fitted = useRef(false);
  useEffect(() => {
    if (!layout.ready || nodes.length === 0) return;
    if (!fitted.current) {
      fitted.current = true;
      requestAnimationFrame(() => {
        void rf.fitView({ padding: 0.08, duration: 0 });
        requestAnimationFrame(() => setTimeout(() => { window.__graphRendered = { at: performance.now(), nodes: nodes.length, edges: edges.length }; document.querySelector('.graph-canvas')?.setAttribute('data-ready', 'true'); }, 0));
      });
    }
  }, [layout.ready, nodes.length, edges.length, rf]);
  useEffect(() => {
    if (selectedNode && layout.ready && nodes.some((n) => n.id === selectedNode && n.type === 'workload')) void rf.fitView({ nodes: [{ id: selectedNode }], maxZoom: 1.2, duration: 300, padding: 0.6 });
  }, [selectedNode, layout.ready, nodes, rf]);

  return (
    <div className={`graph-canvas${moving ? ' moving' : ''}`} aria-label="Traffic graph" role="region" data-ready={layout.ready && nodes.length > 0 ? 'true' : 'false'}>
      {!layout.ready && !layoutError && <p className="graph-overlay" role="status">Laying out the graph…</p>}
      {layoutError && <p className="graph-overlay error" role="alert">{layoutError}</p>}
      <svg width="0" height="0" aria-hidden="true" style={{ position: 'absolute' }}>
        <defs>
          <marker id="verity-arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
            <path d="M 0 0 L 10 5 L 0 10 z" className="arrow-head" />
          </marker>
        </defs>
      </svg>
      <ReactFlow
        nodes={nodes}
        edges={edges}
        nodeTypes={nodeTypes}
        edgeTypes={edgeTypes}
        minZoom={0.02}
        maxZoom={2.5}
        onlyRenderVisibleElements
        nodesDraggable={false}
        nodesConnectable={false}
        elementsSelectable={false}
        edgesFocusable={false}
        onEdgeClick={(_, e) => actions.select('edge', `${e.source}|${e.target}`)}
        onMoveStart={() => setMoving(true)}
        onMoveEnd={() => setMoving(false)}
        proOptions={{ hideAttribution: true }}
      >
        <Background gap={24} size={1} />
        <Controls showInteractive={false} />
      </ReactFlow>
    </div>
  );
}

function Legend() {
  return (
    <section className="legend" aria-label="Legend">
      <h2 className="sr-only">Legend</h2>
      <ul>
        <li><svg width="44" height="10" aria-hidden="true"><line x1="0" y1="5" x2="44" y2="5" className="lg mtls-mutual" /></svg> solid line: all mutual TLS</li>
        <li><svg width="44" height="10" aria-hidden="true"><line x1="0" y1="5" x2="44" y2="5" className="lg mtls-mixed" /></svg> dash-dot: mixed (some plaintext)</li>
        <li><svg width="44" height="10" aria-hidden="true"><line x1="0" y1="5" x2="44" y2="5" className="lg mtls-plaintext" /></svg> dashed: plaintext</li>
        <li><svg width="44" height="10" aria-hidden="true"><line x1="0" y1="5" x2="44" y2="5" className="lg mtls-unknown" /></svg> dotted: not known (denied before a handshake, or outside the mesh)</li>
        <li><span className="lg-mark">(no mark)</span> allowed · <span className="lg-mark denied">✕</span> denied by policy · <span className="lg-mark dropped">⊘</span> dropped · <span className="lg-mark mixed">!</span> some denied or dropped</li>
        <li>Thicker line: more connections per second. <span className="flag strict">⚠ plaintext on STRICT</span> marks a workload that receives plaintext on a STRICT port.</li>
      </ul>
    </section>
  );
}

function GraphAsList({ nodes, edges, select }: { nodes: { id: string; label: string; kind: string }[]; edges: { id: string; source: string; target: string; mtls: string; verdict: string; counts: { total: number } }[]; select: GraphActions['select'] }) {
  const label = new Map(nodes.map((n) => [n.id, n.kind === 'workload' ? n.id.slice(2) : n.label]));
  return (
    <details className="graph-list">
      <summary>The graph as a list ({nodes.length} nodes, {edges.length} edges)</summary>
      <table className="small">
        <thead><tr><th scope="col">From</th><th scope="col">To</th><th scope="col">mTLS</th><th scope="col">verdict</th><th scope="col">connections</th></tr></thead>
        <tbody>
          {edges.slice(0, 500).map((e) => (
            <tr key={e.id}>
              <td><button type="button" className="link" onClick={() => select('node', e.source)}>{label.get(e.source)}</button></td>
              <td><button type="button" className="link" onClick={() => select('node', e.target)}>{label.get(e.target)}</button></td>
              <td>{e.mtls}</td>
              <td><button type="button" className="link" onClick={() => select('edge', `${e.source}|${e.target}`)}>{e.verdict}</button></td>
              <td>{e.counts.total.toLocaleString()}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </details>
  );
}
