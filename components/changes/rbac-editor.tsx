'use client';
// The form view of a change's RBAC objects, in step with its YAML both ways: a form edit
// rewrites the YAML (RBAC documents from their models, other documents verbatim), an edit
// in the YAML re-reads the form. While the YAML does not parse, the form is closed and the
// error is shown at its line in the YAML view; submission is blocked by the live problems.
import { useQuery } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { useTRPC } from '@/components/providers/trpc';
import { BindingEditor } from '@/components/rbac/binding-editor';
import { ExpiryCountdown } from '@/components/rbac/expiry';
import { type EditorDocument, newBinding, newRole, parseSource, renderSource } from '@/components/rbac/rbac-model';
import { RoleMatrix } from '@/components/rbac/role-matrix';
import { ErrorText, Loading } from '@/components/ui/status';
import '@/components/rbac/rbac.css';

type Rbac = Extract<EditorDocument, { type: 'role' | 'binding' }>;

function docTitle(d: Rbac): string {
  const m = d.model;
  const where = m.namespace ? `${m.namespace}/` : '';
  return `${m.kind} ${where}${m.name || '(unnamed)'}`;
}

export function RbacFormPanel({ text, onText, clusterId, tenantId }: { text: string; onText: (t: string) => void; clusterId: string; tenantId: string | null }) {
  const trpc = useTRPC();
  const catalog = useQuery(trpc.changes.rbacCatalog.queryOptions({ clusterId, tenantId }, { enabled: Boolean(clusterId), staleTime: 60_000 }));
  // What the form last wrote: while the text is still that, the form keeps its own state
  // (a resource row without verbs yet writes nothing to the YAML but stays in the form).
  const [local, setLocal] = useState<{ text: string; documents: EditorDocument[] } | null>(null);
  const parsed = useMemo(() => parseSource(text), [text]);
  const documents = local && local.text === text ? local.documents : parsed.documents;
  const rbacIndexes = documents.flatMap((d, i) => (d.type === 'role' || d.type === 'binding' ? [i] : []));
  const [chosen, setChosen] = useState<number | null>(null);
  const selected = chosen !== null && rbacIndexes.includes(chosen) ? chosen : (rbacIndexes[0] ?? null);

  function write(next: EditorDocument[], select?: number) {
    const out = renderSource(next);
    setLocal({ text: out, documents: next });
    onText(out);
    if (select !== undefined) setChosen(select);
  }
  function add(d: Rbac) {
    // A template comment-only document (or nothing at all) is replaced rather than kept.
    const keep = documents.filter((x) => !(x.type === 'other' && x.why === 'comments only' && documents.length === 1));
    write([...keep, d], keep.length);
  }

  if (!clusterId) return <p className="muted">Choose a cluster to edit RBAC objects in a form.</p>;
  if (catalog.isPending) return <Loading what="the cluster's resources, subjects and roles" />;
  if (catalog.error) return <ErrorText error={catalog.error} />;
  const c = catalog.data;
  const defaultNs = c.namespaces[0] ?? null;
  const doc = selected === null ? null : (documents[selected] as Rbac);
  const draftedRoles = documents.flatMap((d) => (d.type === 'role' ? [{ kind: d.model.kind, namespace: d.model.namespace, name: d.model.name }] : []));
  const others = documents.filter((d) => d.type === 'other' && d.why !== 'comments only' && d.why !== 'empty document');

  return (
    <section className="rbac-form stack" aria-label="RBAC form">
      <div className="rbac-docs" role="group" aria-label="RBAC objects in this change">
        {rbacIndexes.map((i) => (
          <button key={i} type="button" aria-pressed={i === selected} onClick={() => setChosen(i)}>
            {docTitle(documents[i] as Rbac)}
            {(documents[i] as Rbac).type === 'binding' && (documents[i] as Extract<Rbac, { type: 'binding' }>).model.expiresAt ? ' ⏱' : ''}
          </button>
        ))}
        <button type="button" className="add" onClick={() => add({ type: 'role', model: newRole('Role', defaultNs), line: 0 })}>
          + Role
        </button>
        {c.clusterScoped && (
          <button type="button" className="add" onClick={() => add({ type: 'role', model: newRole('ClusterRole', null), line: 0 })}>
            + ClusterRole
          </button>
        )}
        <button type="button" className="add" onClick={() => add({ type: 'binding', model: newBinding('RoleBinding', defaultNs), line: 0 })}>
          + RoleBinding
        </button>
        {c.clusterScoped && (
          <button type="button" className="add" onClick={() => add({ type: 'binding', model: newBinding('ClusterRoleBinding', null), line: 0 })}>
            + ClusterRoleBinding
          </button>
        )}
      </div>
      {parsed.errors.length > 0 && (!local || local.text !== text) ? (
        <p className="banner warn" role="status">
          The YAML does not parse (line {parsed.errors[0]!.line}: {parsed.errors[0]!.message}). Fix it in the YAML view; the form returns once it parses.
        </p>
      ) : doc === null ? (
        <p className="muted">No RBAC objects in this change yet: add a Role or a binding above, or write one in the YAML.</p>
      ) : (
        <>
          {doc.type === 'binding' && doc.model.expiresAt && (
            <p className="small">
              This grant is time-bound: <ExpiryCountdown expiresAt={doc.model.expiresAt} />
            </p>
          )}
          {doc.type === 'role' ? (
            <RoleMatrix
              model={doc.model}
              onChange={(m) => write(documents.map((d, i) => (i === selected ? { ...doc, model: m } : d)))}
              resources={c.resources}
              resourceSource={c.resourceSource}
              verbs={c.verbs}
              namespaces={c.namespaces}
            />
          ) : (
            <BindingEditor
              model={doc.model}
              onChange={(m) => write(documents.map((d, i) => (i === selected ? { ...doc, model: m } : d)))}
              catalog={c}
              namespaces={c.namespaces}
              draftedRoles={draftedRoles}
            />
          )}
          <div className="row">
            <button type="button" className="remove" onClick={() => write(documents.filter((_, i) => i !== selected))}>
              Remove {docTitle(doc)} from this change
            </button>
          </div>
        </>
      )}
      {others.length > 0 && <p className="hint">{others.length} other document(s) in this change are kept as written in the YAML.</p>}
    </section>
  );
}
