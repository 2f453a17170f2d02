// The graph's filters, level of detail and selection live in the URL, so a reload or a shared
// link shows the same picture.
export interface GraphUrlState {
  cluster?: string;
  range: '5m' | '1h' | '1d' | 'custom';
  from?: string;
  to?: string;
  tenants: string[];
  namespaces: string[];
  mtls: ('mutual' | 'plaintext' | 'mixed' | 'unknown')[];
  verdicts: ('allowed' | 'denied' | 'dropped')[];
  strict: boolean;
  level?: 'tenant' | 'namespace' | 'workload';
  open: string[];
  sel?: string;
}

const list = (v: string | null) => (v ? v.split(',').filter(Boolean) : []);

export function readUrlState(p: URLSearchParams): GraphUrlState {
  const range = p.get('range');
  const level = p.get('level');
  return {
    cluster: p.get('cluster') ?? undefined,
    range: range === '5m' || range === '1d' || range === 'custom' ? range : '1h',
    from: p.get('from') ?? undefined,
    to: p.get('to') ?? undefined,
    tenants: list(p.get('tenant')),
    namespaces: list(p.get('ns')),
    mtls: list(p.get('mtls')).filter((m): m is GraphUrlState['mtls'][number] => ['mutual', 'plaintext', 'mixed', 'unknown'].includes(m)),
    verdicts: list(p.get('verdict')).filter((m): m is GraphUrlState['verdicts'][number] => ['allowed', 'denied', 'dropped'].includes(m)),
    strict: p.get('strict') === '1',
    level: level === 'tenant' || level === 'namespace' || level === 'workload' ? level : undefined,
    open: list(p.get('open')),
    sel: p.get('sel') ?? undefined,
  };
}

export function writeUrlState(s: GraphUrlState): string {
  const p = new URLSearchParams();
  if (s.cluster) p.set('cluster', s.cluster);
  if (s.range !== '1h') p.set('range', s.range);
  if (s.range === 'custom' && s.from) p.set('from', s.from);
  if (s.range === 'custom' && s.to) p.set('to', s.to);
  if (s.tenants.length) p.set('tenant', s.tenants.join(','));
  if (s.namespaces.length) p.set('ns', s.namespaces.join(','));
  if (s.mtls.length) p.set('mtls', s.mtls.join(','));
  if (s.verdicts.length) p.set('verdict', s.verdicts.join(','));
  if (s.strict) p.set('strict', '1');
  if (s.level) p.set('level', s.level);
  if (s.open.length) p.set('open', s.open.join(','));
  if (s.sel) p.set('sel', s.sel);
  const q = p.toString();
  return q ? `?${q}` : '';
}

/** A moment from the URL: with its zone as written, without one as UTC (the inputs say UTC), whatever the browser's zone. */
const utc = (v: string) => new Date(/[zZ]|[+-]\d\d:?\d\d$/.test(v) ? v : `${v}Z`);

/**
 * The value a UTC datetime-local input shows for a range end from the URL. A link may carry a
 * full ISO moment ("…T21:43:00.000Z"), which the input cannot show and would leave blank.
 */
export function utcInputValue(v: string | undefined): string {
  if (!v) return '';
  const d = utc(v);
  if (Number.isNaN(d.getTime())) return '';
  return d.toISOString().slice(0, d.getUTCSeconds() || d.getUTCMilliseconds() ? 19 : 16);
}

/** The custom range's ends, read as utc() does. */
export function rangeInput(s: Pick<GraphUrlState, 'range' | 'from' | 'to'>): { range: GraphUrlState['range']; from?: Date; to?: Date } {
  return {
    range: s.range,
    ...(s.range === 'custom' && s.from ? { from: utc(s.from) } : {}),
    ...(s.range === 'custom' && s.to ? { to: utc(s.to) } : {}),
  };
}

/** graph.read's input for a URL state: built the same way by the page on the server and in the browser. */
export function graphQueryInput(s: GraphUrlState) {
  return {
    ...(s.cluster ? { clusterId: s.cluster } : {}),
    ...rangeInput(s),
    ...(s.tenants.length ? { tenants: s.tenants } : {}),
    ...(s.namespaces.length ? { namespaces: s.namespaces } : {}),
    ...(s.mtls.length ? { mtls: s.mtls } : {}),
    ...(s.verdicts.length ? { verdicts: s.verdicts } : {}),
    ...(s.strict ? { strict: true } : {}),
    ...(s.level ? { level: s.level } : {}),
    ...(s.open.length ? { open: s.open } : {}),
  };
}
export type GraphQueryInput = ReturnType<typeof graphQueryInput>;
