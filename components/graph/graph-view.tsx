'use client';
// The traffic graph screen: filters and posture banner, the graph (React Flow nodes with level
// of detail, edges in one canvas layer hidden while the view moves, layouts from the database
// or a provisional grid that the worker's elk layout replaces), the legend, and the side
// panel. Filters, level of detail and selection live in the URL.
import '@xyflow/react/dist/style.css';
import './graph.css';
import { useMutation, useQuery } from '@tanstack/react-query';
import { ReactFlow, ReactFlowProvider, Controls, getViewportForBounds, useReactFlow, type Viewport } from '@xyflow/react';
import { usePathname, useSearchParams } from 'next/navigation';
import { use, useCallback, useContext, useEffect, useLayoutEffect, useMemo, useRef, useState, useSyncExternalStore, type MouseEvent as ReactMouseEvent } from 'react';
import { useTRPC } from '@/components/providers/trpc';
import { Empty, ErrorText, Loading } from '@/components/ui/status';
import { composeNodes, composeSegments, nearestSegment, type DrawnEdge, type GraphData, type StoredLayout } from './compose';
import { EdgeLayer, MTLS_STYLE, VERDICT_COLOUR, type EdgeLayerControl } from './edge-layer';
import { GraphActionsContext, nodeTypes, type GraphActions } from './flow-parts';
import { SidePanel } from './side-panel';
import { useLayouts } from './use-layouts';
import type { GraphResult } from '@/server/services/graph/read-graph';
import { graphQueryInput, readUrlState, utcInputValue, writeUrlState, type GraphQueryInput, type GraphUrlState } from './url-state';

declare global {
  interface Window {
    /** When the first complete picture was on screen (navigation-relative ms), for the benchmark. */
    __graphRendered?: { at: number; nodes: number; edges: number };
  }
}

/** What the page computed on the server for the URL it was asked for. */
export interface InitialGraph {
  input: GraphQueryInput;
  data: GraphResult;
  at: number;
}

const noSubscription = () => () => {};

export function GraphView({ initial }: { initial?: Promise<InitialGraph | null> }) {
  // Drawn in the browser only: the canvas needs its size, and times and numbers are in the reader's locale.
  const mounted = useSyncExternalStore(noSubscription, () => true, () => false);
  if (!mounted) return <Loading what="the traffic graph" />;
  return (
    <ReactFlowProvider>
      <GraphScreen initial={initial} />
    </ReactFlowProvider>
  );
}

/** hh:mm:ss local time. Not toLocaleTimeString: its first call loads locale data for ~150 ms, in the way of the first picture. */
function clock(ms: number): string {
  const t = new Date(ms);
  return [t.getHours(), t.getMinutes(), t.getSeconds()].map((n) => String(n).padStart(2, '0')).join(':');
}

function toggle<T>(list: T[], v: T): T[] {
  return list.includes(v) ? list.filter((x) => x !== v) : [...list, v];
}

function GraphScreen({ initial }: { initial?: Promise<InitialGraph | null> }) {
  const trpc = useTRPC();
  const pathname = usePathname();
  const params = useSearchParams();
  const state = useMemo(() => readUrlState(new URLSearchParams(params.toString())), [params]);
  // The URL changes in place (Next keeps useSearchParams in step): no server round trip, the
  // graph query below fetches what the new state needs.
  const setState = useCallback((next: Partial<GraphUrlState>) => window.history.replaceState(null, '', `${pathname}${writeUrlState({ ...state, ...next })}`), [pathname, state]);

  // The page asked the server for the graph while this code was on its way: used when it is
  // for the same input, so the first picture needs no request of its own.
  const first = initial ? use(initial) : null;
  const input = graphQueryInput(state);
  const seeded = first && JSON.stringify(first.input) === JSON.stringify(input) ? first : null;
  const graph = useQuery(trpc.graph.read.queryOptions(input, { refetchInterval: 15_000, placeholderData: (prev) => prev, ...(seeded ? { initialData: seeded.data, initialDataUpdatedAt: seeded.at } : {}) }));
  const hasData = graph.data !== undefined;
  // User timing for the benchmark: when the graph's data was first in the page's hands.
  useEffect(() => {
    if (hasData && performance.getEntriesByName('graph:data').length === 0) performance.mark('graph:data');
  }, [hasData]);
  const save = useMutation(trpc.graph.saveLayout.mutationOptions());
  const clusterId = graph.data?.cluster?.id ?? null;
  const saveLayout = useCallback((key: string, layout: StoredLayout) => clusterId && save.mutate({ clusterId, key, layout }), [clusterId, save]);
  const [drawn, setDrawn] = useState(false);
  const onDrawn = useCallback(() => setDrawn(true), []);
  const layout = useLayouts(graph.data ?? null, saveLayout, drawn);

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
  const [searching, setSearching] = useState(false);
  const focus = (workloadId: string) => {
    const w = graph.data?.workloads.find((x) => `w:${x}` === workloadId);
    if (!w) return;
    const nsId = `ns:${w.split('/')[0]}`;
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
          {graph.isFetching ? 'Refreshing…' : `Updated ${clock(graph.dataUpdatedAt)}`} · refreshes every 15 s
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
            <label>From (UTC)<input type="datetime-local" step={1} value={utcInputValue(state.from)} onChange={(e) => setState({ from: e.target.value })} /></label>
            <label>To (UTC)<input type="datetime-local" step={1} value={utcInputValue(state.to)} onChange={(e) => setState({ to: e.target.value })} /></label>
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
            onFocus={() => setSearching(true)}
            onChange={(e) => {
              setSearch(e.target.value);
              const hit = d.workloads.find((w) => w === e.target.value);
              if (hit) focus(`w:${hit}`);
            }}
            onKeyDown={(e) => {
              if (e.key !== 'Enter') return;
              const needle = search.toLowerCase();
              const hit = d.workloads.find((w) => w.toLowerCase().includes(needle));
              if (hit) focus(`w:${hit}`);
            }}
          />
          {/* Filled once someone searches: thousands of options cost the first picture otherwise. */}
          <datalist id="graph-workloads">
            {searching && d.workloads.slice(0, 3000).map((w) => <option key={w} value={w} />)}
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
          <Canvas data={d} layout={layout} selected={state.sel ?? null} selectedEdge={selectedEdge} fitKey={graph.isPlaceholderData ? null : JSON.stringify({ ...input, sel: undefined })} onDrawn={onDrawn} />
          {state.sel && <SidePanel clusterId={d.cluster.id} state={state} select={actions.select} close={() => setState({ sel: undefined })} />}
        </div>
      )}
      <Legend />
      <GraphAsList nodes={d.nodes} edges={d.edges} select={actions.select} />
    </GraphActionsContext.Provider>
  );
}

const NO_EDGES: never[] = [];

function Canvas({ data, layout, selected, selectedEdge, fitKey, onDrawn }: { data: GraphData; layout: ReturnType<typeof useLayouts>; selected: string | null; selectedEdge: string | null; fitKey: string | null; onDrawn: () => void }) {
  const selectedNode = selected?.startsWith('node:') ? selected.slice(5) : null;
  const focusIds = useMemo(() => {
    if (!selectedNode) return null;
    const ids = new Set([selectedNode]);
    for (const e of data.edges) if (e.source === selectedNode || e.target === selectedNode) ids.add(e.source).add(e.target);
    return ids;
  }, [data.edges, selectedNode]);
  const composed = useMemo(() => composeNodes(data, layout.layouts, selectedNode, focusIds), [data, layout.layouts, selectedNode, focusIds]);
  const segments = useMemo(() => composeSegments(data.edges, composed.rects, selectedEdge, focusIds), [data.edges, composed.rects, selectedEdge, focusIds]);
  const rf = useReactFlow();
  const actions = useContext(GraphActionsContext);
  const box = useRef<HTMLDivElement>(null);
  const edgeLayer = useRef<EdgeLayerControl | null>(null);

  // The first viewport fits the picture, computed before React Flow mounts: nothing waits for
  // measuring, nothing is drawn twice.
  const [initial, setInitial] = useState<Viewport | null>(null);
  useLayoutEffect(() => {
    if (initial || !box.current) return;
    const { clientWidth: w, clientHeight: h } = box.current;
    setInitial(getViewportForBounds(composed.bounds, w, h, MIN_ZOOM, MAX_ZOOM, 0.08));
  }, [initial, composed.bounds]);
  const [ready, setReady] = useState(false);
  useEffect(() => {
    if (!initial || ready) return;
    // Taken in the task after the frame that shows nodes and edges has been painted.
    requestAnimationFrame(() =>
      requestAnimationFrame(() =>
        setTimeout(() => {
          window.__graphRendered ??= { at: performance.now(), nodes: composed.nodes.length, edges: segments.length };
          setReady(true);
          onDrawn();
        }, 0),
      ),
    );
  }, [initial, ready, composed.nodes.length, segments.length, onDrawn]);

  // elk's layout replacing the provisional grid: nodes glide to their places, edges follow,
  // and the view fits the new picture unless someone has already moved it or picked something.
  const touched = useRef(false);
  if (selected) touched.current = true;
  const bounds = useRef(composed.bounds);
  bounds.current = composed.bounds;
  useEffect(() => {
    if (!layout.refinedAt || !box.current) return;
    const el = box.current;
    el.classList.add('relayout');
    edgeLayer.current?.hideFor(450);
    if (!touched.current) void rf.setViewport(getViewportForBounds(bounds.current, el.clientWidth, el.clientHeight, MIN_ZOOM, MAX_ZOOM, 0.08), { duration: 400 });
    const t = setTimeout(() => el.classList.remove('relayout'), 450);
    return () => clearTimeout(t);
  }, [layout.refinedAt, rf]);

  // A new picture asked for (filters, detail, range): fit the view to it once its data is in.
  const fitted = useRef(fitKey);
  useEffect(() => {
    if (!ready || fitKey === null || fitKey === fitted.current || !box.current) return;
    fitted.current = fitKey;
    void rf.setViewport(getViewportForBounds(bounds.current, box.current.clientWidth, box.current.clientHeight, MIN_ZOOM, MAX_ZOOM, 0.08), { duration: 300 });
  }, [fitKey, ready, rf]);

  // A workload picked (here, in the list or by search): bring it into view, once per pick, not on every refresh.
  const workloadIds = useRef(new Set<string>());
  workloadIds.current = new Set(composed.nodes.filter((n) => n.type === 'workload').map((n) => n.id));
  useEffect(() => {
    if (selectedNode && ready && workloadIds.current.has(selectedNode)) void rf.fitView({ nodes: [{ id: selectedNode }], maxZoom: 1.2, duration: 300, padding: 0.6 });
  }, [selectedNode, ready, rf]);

  // Edges are not DOM elements: clicks and hovers on the background find the nearest one.
  const edgeAt = (e: ReactMouseEvent) => {
    const p = rf.screenToFlowPosition({ x: e.clientX, y: e.clientY });
    return nearestSegment(segments, p, 6 / rf.getZoom());
  };
  const hovered = useRef<string | null>(null);
  const onPaneMouseMove = (e: ReactMouseEvent) => {
    const hit = edgeAt(e);
    const pane = e.currentTarget as HTMLElement;
    if ((hit?.id ?? null) === hovered.current) return;
    hovered.current = hit?.id ?? null;
    pane.style.cursor = hit ? 'pointer' : '';
    if (hit) pane.title = `${label(hit.source)} → ${label(hit.target)}: ${hit.edge.mtls}, ${hit.edge.verdict}, ${hit.edge.total.toLocaleString()} connections`;
    else pane.removeAttribute('title');
  };

  return (
    <div ref={box} className="graph-canvas" aria-label="Traffic graph" role="region" data-ready={ready ? 'true' : 'false'}>
      {layout.refining && !layout.error && <p className="graph-overlay small" role="status">Laying out the graph (a simple grid until then)…</p>}
      {layout.error && <p className="graph-overlay error" role="alert">{layout.error}</p>}
      {initial && (
        <ReactFlow
          nodes={composed.nodes}
          edges={NO_EDGES}
          nodeTypes={nodeTypes}
          defaultViewport={initial}
          minZoom={MIN_ZOOM}
          maxZoom={MAX_ZOOM}
          // Culling pays only when there are many nodes: below that it re-renders on every frame of a pan for nothing.
          onlyRenderVisibleElements={composed.nodes.length > 400}
          nodesDraggable={false}
          nodesConnectable={false}
          elementsSelectable={false}
          edgesFocusable={false}
          onMoveStart={(event) => {
            if (event) touched.current = true;
            edgeLayer.current?.moveStart();
          }}
          onMoveEnd={() => edgeLayer.current?.moveEnd()}
          onPaneClick={(e) => {
            const hit = edgeAt(e);
            if (hit) actions.select('edge', `${hit.source}|${hit.target}`);
          }}
          onPaneMouseMove={onPaneMouseMove}
          proOptions={{ hideAttribution: true }}
        >
          <EdgeLayer segments={segments} control={edgeLayer} />
          <Controls showInteractive={false} />
        </ReactFlow>
      )}
    </div>
  );
}

const MIN_ZOOM = 0.02;
const MAX_ZOOM = 2.5;
const label = (id: string) => id.replace(/^(w|ns|t|ext):/, '');

function Legend() {
  return (
    <section className="legend" aria-label="Legend">
      <h2 className="sr-only">Legend</h2>
      <ul>
        {(['mutual', 'mixed', 'plaintext', 'unknown'] as const).map((m) => (
          <li key={m}>
            <svg width="44" height="10" aria-hidden="true"><line x1="0" y1="5" x2="44" y2="5" stroke={MTLS_STYLE[m]!.colour} strokeWidth={2} strokeDasharray={MTLS_STYLE[m]!.dash.join(' ') || undefined} /></svg> {MTLS_STYLE[m]!.words}
          </li>
        ))}
        <li><span className="lg-mark">(no mark)</span> allowed · <span className="lg-mark" style={{ color: VERDICT_COLOUR.denied }}>✕</span> denied by policy · <span className="lg-mark" style={{ color: VERDICT_COLOUR.dropped }}>⊘</span> dropped · <span className="lg-mark mixed">!</span> some denied or dropped</li>
        <li>Thicker line: more connections per second. <span className="flag strict">⚠ plaintext on STRICT</span> marks a workload that receives plaintext on a STRICT port.</li>
      </ul>
    </section>
  );
}

function GraphAsList({ nodes, edges, select }: { nodes: { id: string; label: string; kind: string }[]; edges: DrawnEdge[]; select: GraphActions['select'] }) {
  // Rendered when opened: hundreds of rows in a closed <details> would cost the first picture.
  const [open, setOpen] = useState(false);
  const names = useMemo(() => new Map(nodes.map((n) => [n.id, n.kind === 'workload' ? n.id.slice(2) : n.label])), [nodes]);
  return (
    <details className="graph-list" onToggle={(e) => setOpen(e.currentTarget.open)}>
      <summary>The graph as a list ({nodes.length} nodes, {edges.length} edges)</summary>
      {open && (
        <table className="small">
          <thead><tr><th scope="col">From</th><th scope="col">To</th><th scope="col">mTLS</th><th scope="col">verdict</th><th scope="col">connections</th></tr></thead>
          <tbody>
            {edges.slice(0, 500).map((e) => (
              <tr key={e.id}>
                <td><button type="button" className="link" onClick={() => select('node', e.source)}>{names.get(e.source)}</button></td>
                <td><button type="button" className="link" onClick={() => select('node', e.target)}>{names.get(e.target)}</button></td>
                <td>{e.mtls}</td>
                <td><button type="button" className="link" onClick={() => select('edge', `${e.source}|${e.target}`)}>{e.verdict}</button></td>
                <td>{e.total.toLocaleString()}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {open && edges.length > 500 && <p className="small muted">The first 500 of {edges.length.toLocaleString()} edges; filter or collapse to see others.</p>}
    </details>
  );
}
