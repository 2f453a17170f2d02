// Benchmark for NetworkPolicy impact analysis: 1,000,000 aggregated flows over 5,000
// workloads and 2,000 policies, for a narrow change request and for a change that touches
// every policy. Deterministic data (seeded PRNG). Run: npx tsx bench/netpol-impact.bench.ts
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { analyzeImpact, type ObservedFlow } from '../server/domain/netpol/impact';
import { readNetworkPolicy } from '../server/domain/netpol/validate-policy';
import type { Namespace, NetworkPolicy, Workload } from '../server/domain/netpol/model';

const WORKLOADS = 5000;
const POLICIES = 2000;
const FLOWS = 1_000_000;
const NAMESPACES = 100;
const PER_NS = WORKLOADS / NAMESPACES;

function prng(seed: number) {
  return () => {
    seed |= 0;
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const rand = prng(20240601);
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
const int = (n: number) => Math.floor(rand() * n);

const TIERS = ['frontend', 'backend', 'data'] as const;
const TEAMS = ['pay', 'shop', 'ops', 'ml', 'core'] as const;

function build() {
  const namespaces: Namespace[] = [{ name: 'kube-system', labels: {} }];
  const workloads: Workload[] = [];
  for (let n = 0; n < NAMESPACES - 1; n++) {
    const ns = `tenant-${n}`;
    namespaces.push({ name: ns, labels: { team: TEAMS[n % TEAMS.length]!, env: n % 3 === 0 ? 'prod' : 'staging' } });
  }
  for (let i = 0; i < WORKLOADS; i++) {
    const nsIdx = Math.floor(i / PER_NS);
    const ns = namespaces[nsIdx]!.name;
    const isDns = ns === 'kube-system' && i % PER_NS < 4;
    const tier = TIERS[i % 3]!;
    const ports: Workload['ports'] = isDns
      ? [{ name: 'dns', port: 53, protocol: 'UDP' }, { name: 'dns-tcp', port: 53, protocol: 'TCP' }]
      : [{ name: 'http', port: 8080, protocol: 'TCP' }, { name: 'metrics', port: 9090, protocol: 'TCP' }, ...(tier === 'data' ? [{ name: 'pg', port: 5432, protocol: 'TCP' as const }] : [])];
    workloads.push({
      id: `${ns}/deploy/app-${i}`,
      kind: 'Deployment',
      namespace: ns,
      name: `app-${i}`,
      labels: isDns ? { 'k8s-app': 'kube-dns' } : { app: `app-${i}`, tier, version: `v${i % 4}`, ...(i % 7 === 0 ? { canary: 'true' } : {}) },
      ips: [`10.${nsIdx}.${(i % PER_NS) >> 8}.${(i % PER_NS) & 255}`],
      ports,
    });
  }
  return { namespaces, workloads };
}

function policyObjects(variant: number): { namespace: string; name: string; spec: Record<string, unknown> }[] {
  const out: { namespace: string; name: string; spec: Record<string, unknown> }[] = [];
  const r = prng(7);
  const port = variant === 0 ? 8080 : 8081;
  for (let n = 0; out.length < POLICIES; n = (n + 1) % NAMESPACES) {
    const ns = n === 0 ? 'kube-system' : `tenant-${n - 1}`;
    const k = out.filter((p) => p.namespace === ns).length;
    const name = `p-${k}`;
    const base = n * PER_NS;
    switch (k % 10) {
      case 0:
        out.push({ namespace: ns, name, spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] } });
        break;
      case 1:
        out.push({ namespace: ns, name, spec: { podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } }, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }], ports: [{ port: 53, protocol: 'UDP' }, { port: 'dns-tcp' }] }] } });
        break;
      case 2:
        out.push({ namespace: ns, name, spec: { podSelector: { matchLabels: { tier: 'backend' } }, ingress: [{ from: [{ podSelector: { matchLabels: { tier: 'frontend' } } }], ports: [{ port }] }] } });
        break;
      case 3:
        out.push({ namespace: ns, name, spec: { podSelector: { matchLabels: { tier: 'data' } }, ingress: [{ from: [{ podSelector: { matchLabels: { tier: 'backend' } } }], ports: [{ port: 'pg' }] }] } });
        break;
      case 4:
        out.push({ namespace: ns, name, spec: { podSelector: {}, ingress: [{ from: [{ namespaceSelector: { matchLabels: { team: 'ops' } } }], ports: [{ port: 'metrics' }] }] } });
        break;
      case 5:
        out.push({ namespace: ns, name, spec: { podSelector: { matchLabels: { tier: 'frontend' } }, ingress: [{ from: [{ ipBlock: { cidr: '0.0.0.0/0', except: ['10.0.0.0/8'] } }], ports: [{ port: 8080 }] }] } });
        break;
      case 6:
        out.push({ namespace: ns, name, spec: { podSelector: { matchLabels: { tier: 'backend' } }, policyTypes: ['Egress'], egress: [{ to: [{ podSelector: { matchExpressions: [{ key: 'tier', operator: 'In', values: ['data', 'backend'] }] } }] }, { to: [{ ipBlock: { cidr: '203.0.113.0/24' } }], ports: [{ port: 443 }] }] } });
        break;
      case 7:
        out.push({ namespace: ns, name, spec: { podSelector: { matchLabels: { tier: 'frontend' } }, policyTypes: ['Egress'], egress: [{ to: [{ podSelector: { matchLabels: { tier: 'backend' } } }], ports: [{ port: 8000, endPort: 8100 }] }] } });
        break;
      case 8:
        out.push({ namespace: ns, name, spec: { podSelector: { matchLabels: { app: `app-${base + int2(r, PER_NS)}` } }, ingress: [{ from: [{ namespaceSelector: { matchExpressions: [{ key: 'env', operator: 'NotIn', values: ['staging'] }] }, podSelector: { matchLabels: { tier: 'backend' } } }] }] } });
        break;
      default:
        out.push({ namespace: ns, name, spec: { podSelector: { matchExpressions: [{ key: 'canary', operator: 'Exists' }] }, ingress: [{ from: [{ podSelector: {} }, { namespaceSelector: { matchLabels: { team: 'core' } } }] }] } });
    }
  }
  if (variant === 1) {
    // Touch every policy and every rule: a selector term, an extra port on rules that list
    // ports, a protocol list on rules that had none (plus the port move above). No side's
    // rules stay the same, so nothing can be skipped.
    for (const p of out) {
      const sel = p.spec.podSelector as { matchLabels?: Record<string, string>; matchExpressions?: unknown[] };
      p.spec.podSelector = { ...sel, matchExpressions: [...(sel.matchExpressions ?? []), { key: 'quarantine', operator: 'DoesNotExist' }] };
      for (const key of ['ingress', 'egress'] as const) {
        const rules = p.spec[key] as { ports?: unknown[] }[] | undefined;
        if (!rules) continue;
        p.spec[key] = rules.map((r) => ({ ...r, ports: r.ports ? [...r.ports, { port: 7777 }] : [{ protocol: 'TCP' }, { protocol: 'UDP' }] }));
      }
    }
  }
  return out;
}
function int2(r: () => number, n: number) {
  return Math.floor(r() * n);
}

function compile(objs: ReturnType<typeof policyObjects>): NetworkPolicy[] {
  return objs.map((o) => {
    const { policy, problems } = readNetworkPolicy({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: o.name, namespace: o.namespace }, spec: o.spec });
    if (!policy) throw new Error(JSON.stringify(problems));
    return policy;
  });
}

/** Edges a workload really uses, then flow rows sampled from them (aggregation buckets repeat keys). */
function flows(workloads: Workload[], edgesPerWorkload: number): ObservedFlow[] {
  const external = Array.from({ length: 2000 }, (_, i) => (i % 2 ? `203.0.113.${i % 256}` : `198.51.${(i >> 8) % 256}.${i % 256}`));
  const dns = workloads.filter((w) => w.labels['k8s-app'] === 'kube-dns');
  const edges: Omit<ObservedFlow, 'count'>[] = [];
  for (let i = 0; i < workloads.length; i++) {
    const w = workloads[i]!;
    const nsStart = Math.floor(i / PER_NS) * PER_NS;
    edges.push({ source: { workload: w.id }, destination: { workload: pick(dns).id }, port: 53, protocol: 'UDP' });
    for (let e = 1; e < edgesPerWorkload; e++) {
      const roll = rand();
      if (roll < 0.1) {
        edges.push({ source: { workload: w.id }, destination: { ip: pick(external) }, port: pick([443, 80, 8443]), protocol: 'TCP' });
      } else if (roll < 0.15) {
        edges.push({ source: { ip: pick(external) }, destination: { workload: w.id }, port: 8080, protocol: 'TCP' });
      } else {
        const dst = roll < 0.8 ? workloads[nsStart + int(PER_NS)]! : workloads[int(workloads.length)]!;
        edges.push({ source: { workload: w.id }, destination: { workload: dst.id }, port: pick(dst.ports).port, protocol: pick(dst.ports).protocol });
      }
    }
  }
  // Rows built as literals with one shape, as a database driver hands them over.
  const rows: ObservedFlow[] = new Array(FLOWS);
  for (let i = 0; i < FLOWS; i++) {
    const e = pick(edges);
    rows[i] = { source: e.source, destination: e.destination, port: e.port, protocol: e.protocol, count: 1 + int(500) };
  }
  return rows;
}

function median(xs: number[]) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

const { namespaces, workloads } = build();
const current = compile(policyObjects(0));
const narrowObjs = policyObjects(0).map((p) =>
  // A typical change request: one tenant tightens its backend ingress and adds a deny-all egress.
  p.namespace === 'tenant-3' && p.name === 'p-2' ? { ...p, spec: { ...p.spec, ingress: [{ from: [{ podSelector: { matchLabels: { tier: 'frontend', version: 'v1' } } }], ports: [{ port: 8080 }] }] } } : p,
);
narrowObjs.push({ namespace: 'tenant-3', name: 'lockdown', spec: { podSelector: { matchLabels: { tier: 'data' } }, policyTypes: ['Egress'] } });
const narrow = compile(narrowObjs);
// Every policy changes (the backend port moves): every flow's endpoints are touched.
const broad = compile(policyObjects(1));

console.log(`workloads ${workloads.length}, namespaces ${namespaces.length}, policies ${current.length}, flows ${FLOWS.toLocaleString('en')}`);
for (const [label, edgesPerWorkload] of [
  ['realistic aggregation (8 edges per workload, ~40k distinct keys)', 8],
  ['adversarial (200 edges per workload, ~1M rows mostly distinct keys)', 200],
] as const) {
  const flowRows = flows(workloads, edgesPerWorkload);
  console.log(`\n${label}`);
  for (const [name, proposed] of [
    ['narrow change (1 modified + 1 added policy)', narrow],
    ['broad change (all 2,000 policies and all their rules modified)', broad],
  ] as const) {
    const times: number[] = [];
    const cpu: number[] = [];
    let last;
    for (let run = 0; run < 5; run++) {
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      last = analyzeImpact({ namespaces, workloads, current, proposed, flows: flowRows });
      times.push(performance.now() - t0);
      const c = process.cpuUsage(c0);
      cpu.push((c.user + c.system) / 1000);
    }
    const s = last!.summary;
    // CPU time is reported beside wall time because the machine is shared: wall time
    // inflates when other processes compete for the two cores, CPU time much less.
    console.log(
      `  ${name}: median ${median(times).toFixed(0)} ms wall, ${median(cpu).toFixed(0)} ms CPU (first ${times[0]!.toFixed(0)} ms, runs ${times.map((t) => t.toFixed(0)).join('/')}); ` +
        `evaluated ${s.distinctEvaluated.toLocaleString('en')} distinct keys, untouched ${s.untouched.toLocaleString('en')} flows, ` +
        `newly denied ${s.newlyDenied.flows.toLocaleString('en')} flows, newly allowed ${s.newlyAllowed.flows.toLocaleString('en')} flows`,
    );
  }
}
console.log(`\nload average ${loadavg().map((l) => l.toFixed(1)).join(' ')}; heap used ${(process.memoryUsage().heapUsed / 1e6).toFixed(0)} MB, node ${process.version}`);
