'use client';
// Drafting a change: tenant and cluster, title and description, the objects as YAML, and
// objects to delete. Saving keeps the draft; problems appear inline and block submission.
import { useMutation, useQuery } from '@tanstack/react-query';
import { useRouter, useSearchParams } from 'next/navigation';
import { useMemo, useState } from 'react';
import { useTRPC } from '@/components/providers/trpc';
import { ErrorText, Loading } from '@/components/ui/status';
import { PolicyFormPanel, useLiveProblems } from './netpol-editor';
import { RbacFormPanel } from './rbac-editor';
import { type EditorProblem, YamlEditor } from './yaml-editor';

const TEMPLATE = `# One Kubernetes object per document (---). Governed kinds: NetworkPolicy,
# PeerAuthentication, Role, RoleBinding, ClusterRole, ClusterRoleBinding, ResourceQuota.
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: default-deny-ingress
  namespace: NAMESPACE
spec:
  podSelector: {}
  policyTypes: [Ingress]
`;

export interface DraftValues {
  id?: string;
  revision?: number;
  tenantId: string | null;
  clusterId: string;
  title: string;
  description: string;
  sourceText: string;
  deletes: { kind: string; namespace: string | null; name: string }[];
  problems: EditorProblem[];
}

export function ChangeEditor({ initial, globalAllowed }: { initial?: DraftValues; globalAllowed: boolean }) {
  const trpc = useTRPC();
  const router = useRouter();
  const tenants = useQuery(trpc.tenants.list.queryOptions());
  const clusters = useQuery(trpc.clusters.list.queryOptions());
  const [tenantId, setTenantId] = useState<string>(initial?.tenantId ?? '');
  const [clusterId, setClusterId] = useState(initial?.clusterId ?? '');
  const [title, setTitle] = useState(initial?.title ?? '');
  const [description, setDescription] = useState(initial?.description ?? '');
  const [sourceText, setSourceText] = useState(initial?.sourceText ?? TEMPLATE);
  const [deletesText, setDeletesText] = useState((initial?.deletes ?? []).map((d) => `${d.kind} ${d.namespace ? `${d.namespace}/` : ''}${d.name}`).join('\n'));
  const [problems, setProblems] = useState<EditorProblem[]>(initial?.problems ?? []);
  const [changeId, setChangeId] = useState(initial?.id);
  const [revision, setRevision] = useState(initial?.revision);
  // Which form sits beside the YAML (in the URL, so a link can open the RBAC form directly).
  const search = useSearchParams();
  const startsRbac = /^kind:\s*(Cluster)?Role(Binding)?\s*$/m.test(initial?.sourceText ?? '');
  const form = (search.get('form') ?? (startsRbac ? 'rbac' : 'policy')) === 'rbac' ? 'rbac' : 'policy';
  function chooseForm(next: 'policy' | 'rbac') {
    const q = new URLSearchParams(search.toString());
    q.set('form', next);
    router.replace(`?${q.toString()}`, { scroll: false });
    // The untouched network-policy template makes no sense in an RBAC change.
    if (next === 'rbac' && sourceText === TEMPLATE) setSourceText('');
  }
  // The server's problems (reach included) describe the text as saved; while the text differs,
  // the validators' problems as typed are shown instead, and both block submission.
  const [savedText, setSavedText] = useState(initial?.sourceText);
  const live = useLiveProblems(sourceText);
  const shownProblems = sourceText === savedText ? problems : live;

  const tenant = tenants.data?.find((t) => t.id === tenantId);
  const clusterChoices = useMemo(() => {
    const all = clusters.data ?? [];
    if (!tenant) return all;
    const names = new Set(tenant.namespaces.map((n) => n.cluster));
    return all.filter((c) => names.has(c.name));
  }, [clusters.data, tenant]);

  const deletes = deletesText
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .map((l) => {
      const [kind = '', ref = ''] = l.split(/\s+/);
      const [a, b] = ref.split('/');
      return b === undefined ? { kind, namespace: null, name: a ?? '' } : { kind, namespace: a ?? null, name: b };
    });

  const save = useMutation(trpc.changes.saveDraft.mutationOptions());
  const submit = useMutation(trpc.changes.submit.mutationOptions());

  async function saveDraft() {
    const r = await save.mutateAsync({ changeId, tenantId: tenantId || null, clusterId, title, description, sourceText, deletes, expectedRevision: revision });
    setChangeId(r.id);
    setRevision(r.revision);
    setProblems(r.problems as EditorProblem[]);
    setSavedText(sourceText);
    if (!changeId) history.replaceState(null, '', `/changes/${r.id}/edit`);
    return r;
  }

  if (tenants.isPending || clusters.isPending) return <Loading what="tenants and clusters" />;
  return (
    <form
      className="stack"
      aria-label="Change request"
      onSubmit={async (e) => {
        e.preventDefault();
        const r = await saveDraft().catch(() => null);
        if (r && r.problems.length === 0) {
          await submit.mutateAsync({ changeId: r.id }).then(() => router.push(`/changes/${r.id}`)).catch(() => {});
        }
      }}
    >
      <div className="grid-form">
        <label>
          Tenant
          <select value={tenantId} onChange={(e) => setTenantId(e.target.value)} disabled={Boolean(initial)} required={!globalAllowed}>
            {globalAllowed && <option value="">Global (cluster-scoped objects)</option>}
            {!globalAllowed && <option value="">Choose a tenant</option>}
            {tenants.data?.map((t) => (
              <option key={t.id} value={t.id}>
                {t.name}
              </option>
            ))}
          </select>
        </label>
        <label>
          Cluster
          <select value={clusterId} onChange={(e) => setClusterId(e.target.value)} disabled={Boolean(initial)} required>
            <option value="">Choose a cluster</option>
            {clusterChoices.map((c) => (
              <option key={c.id} value={c.id}>
                {c.name}
              </option>
            ))}
          </select>
        </label>
        <label className="full-row">
          Title
          <input required minLength={3} value={title} onChange={(e) => setTitle(e.target.value)} placeholder="Default-deny ingress for payments" />
        </label>
      </div>
      <label>
        Why (what the approver should know)
        <textarea value={description} onChange={(e) => setDescription(e.target.value)} rows={2} />
      </label>
      {tenant && (
        <p className="muted small">
          Namespaces of {tenant.name}: {tenant.namespaces.map((n) => `${n.cluster}/${n.namespace}`).join(', ') || 'none'}
        </p>
      )}
      <div className="policy-pane">
        <div className="stack">
          <div className="row" role="group" aria-label="Form">
            <button type="button" aria-pressed={form === 'policy'} onClick={() => chooseForm('policy')}>
              Network policy form
            </button>
            <button type="button" aria-pressed={form === 'rbac'} onClick={() => chooseForm('rbac')}>
              RBAC form
            </button>
          </div>
          {form === 'rbac' ? (
            <RbacFormPanel text={sourceText} onText={setSourceText} clusterId={clusterId} tenantId={tenantId || null} />
          ) : (
            <PolicyFormPanel text={sourceText} onText={setSourceText} namespaces={tenant?.namespaces.map((n) => n.namespace)} />
          )}
        </div>
        <div>
          <span className="label">Objects to create or update (YAML)</span>
          <YamlEditor value={sourceText} onChange={setSourceText} problems={shownProblems} label="Objects to create or update, YAML" />
        </div>
      </div>
      {shownProblems.length > 0 && (
        <ul className="problems" aria-label="Problems">
          {shownProblems.map((p, i) => (
            <li key={i} className="error">
              {p.where}
              {p.line ? ` (line ${p.line})` : ''}: {p.object ? `${p.object} ` : ''}
              {p.path && <code>{p.path}</code>} {p.message}
            </li>
          ))}
        </ul>
      )}
      <label>
        Objects to delete, one per line as <code>Kind namespace/name</code> (or <code>Kind name</code> for cluster-scoped)
        <textarea value={deletesText} onChange={(e) => setDeletesText(e.target.value)} rows={2} className="mono" />
      </label>
      <ErrorText error={save.error ?? submit.error} />
      <div className="row">
        <button type="button" onClick={() => void saveDraft().catch(() => {})} disabled={save.isPending || !clusterId}>
          {save.isPending ? 'Saving…' : 'Save draft'}
        </button>
        <button type="submit" className="primary" disabled={save.isPending || submit.isPending || !clusterId || live.length > 0}>
          {submit.isPending ? 'Computing the preview…' : 'Save and submit for approval'}
        </button>
        {changeId && <span className="muted small">Draft saved; it stays until you submit or cancel it.</span>}
      </div>
    </form>
  );
}
