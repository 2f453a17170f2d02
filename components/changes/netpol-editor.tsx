'use client';
// The form view of a change's network policies and PeerAuthentications, in step with its YAML
// both ways: a form edit rewrites its own document in the YAML (comments kept), an edit in the
// YAML re-reads the form. While the YAML of the chosen document does not parse or does not
// validate, the form shows its last valid state, read-only, and the problem is shown inline in
// the YAML at its line (the same checks the server runs on save, minus the tenant's reach).
import { useDeferredValue, useMemo, useRef, useState } from 'react';
import { parseChangeObjects } from '@/server/domain/changes/change-objects';
import { newNetworkPolicyForm, newPeerAuthenticationForm, type PolicyForm } from '@/server/domain/changes/policy-form';
import { appendFormToText, applyFormToText, readPolicyDocuments, removeDocument } from '@/server/domain/changes/policy-yaml';
import { NetworkPolicyFormView } from '@/components/policy/network-policy-form';
import { PeerAuthenticationFormView } from '@/components/policy/peer-authentication-form';
import '@/components/policy/policy.css';
import type { EditorProblem } from './yaml-editor';

const EVERYWHERE = { namespaces: null, clusterScoped: true } as const;

/** The problems the validators find in the text as typed (reach is checked on save). */
export function liveProblems(text: string): EditorProblem[] {
  const parsed = parseChangeObjects(text, [], EVERYWHERE);
  const shapes = readPolicyDocuments(text)
    .filter((d) => d.problem && !parsed.problems.some((p) => p.where === `document ${d.index + 1}`))
    .map((d) => ({ where: `document ${d.index + 1}`, line: d.problem!.line, path: '', message: d.problem!.message }));
  return [...parsed.problems, ...shapes];
}

export function useLiveProblems(text: string): EditorProblem[] {
  const deferred = useDeferredValue(text);
  return useMemo(() => liveProblems(deferred), [deferred]);
}

export function PolicyFormPanel({ text, onText, namespaces }: { text: string; onText: (t: string) => void; namespaces?: string[] }) {
  const docs = useMemo(() => readPolicyDocuments(text), [text]);
  const problems = useMemo(() => liveProblems(text), [text]);
  const policyDocs = docs.filter((d) => d.kind === 'NetworkPolicy' || d.kind === 'PeerAuthentication');
  const [chosen, setChosen] = useState<number | null>(null);
  const selected = chosen !== null && docs[chosen] && policyDocs.some((d) => d.index === chosen) ? chosen : (policyDocs[0]?.index ?? null);
  // What the form last wrote: while the text is still that, the form shows what was typed
  // (even a value the validator refuses, whose problem the YAML view shows).
  const [local, setLocal] = useState<{ text: string; index: number; form: PolicyForm } | null>(null);
  const lastValid = useRef(new Map<number, PolicyForm>());

  const doc = selected === null ? undefined : docs[selected];
  const docProblems = selected === null ? [] : problems.filter((p) => p.where === `document ${selected + 1}`);
  let form: PolicyForm | null = null;
  let stale = false;
  if (doc?.form && docProblems.length === 0) lastValid.current.set(doc.index, doc.form);
  if (doc && local && local.index === doc.index && local.text === text) form = local.form;
  else if (doc?.form && docProblems.length === 0) form = doc.form;
  else if (doc) {
    form = lastValid.current.get(doc.index) ?? null;
    stale = true;
  }

  const edit = (next: PolicyForm) => {
    if (!doc || !form) return;
    const nextText = applyFormToText(text, doc.index, form, next);
    setLocal({ text: nextText, index: doc.index, form: next });
    onText(nextText);
  };
  const add = (f: PolicyForm) => {
    const nextText = appendFormToText(text, f);
    const index = readPolicyDocuments(nextText).length - 1;
    setLocal({ text: nextText, index, form: f });
    setChosen(index);
    onText(nextText);
  };
  const ns = namespaces?.[0] ?? 'default';

  return (
    <section className="card stack" aria-label="Policy form">
      <div className="policy-docs" role="toolbar" aria-label="Policies in this change">
        {policyDocs.length === 0 && <span className="muted small">No NetworkPolicy or PeerAuthentication in the YAML yet.</span>}
        {policyDocs.map((d) => (
          <button key={d.index} type="button" aria-pressed={d.index === selected} onClick={() => setChosen(d.index)}>
            {d.kind} {d.namespace ?? '?'}/{d.name ?? '?'}
          </button>
        ))}
        <span className="grow" />
        <button type="button" className="add" onClick={() => add(newNetworkPolicyForm(ns, uniqueName(docs, 'new-policy')))}>
          + NetworkPolicy
        </button>
        <button type="button" className="add" onClick={() => add(newPeerAuthenticationForm(ns, uniqueName(docs, 'default')))}>
          + PeerAuthentication
        </button>
      </div>
      {doc && stale && (
        <p className="banner warn" role="status" data-testid="form-stale">
          The YAML of this {doc.kind ?? 'document'} has a problem{docProblems[0]?.line ? ` at line ${docProblems[0].line}` : ''}: {docProblems[0]?.message ?? doc.problem?.message}. {form ? 'The form shows its last valid state until the YAML is fixed.' : 'Fix it in the YAML to edit it here.'}
        </p>
      )}
      {form?.kind === 'NetworkPolicy' && <NetworkPolicyFormView value={form} onChange={edit} disabled={stale} namespaces={namespaces} />}
      {form?.kind === 'PeerAuthentication' && <PeerAuthenticationFormView value={form} onChange={edit} disabled={stale} namespaces={namespaces} />}
      {doc && !stale && docProblems.length > 0 && (
        <ul className="problems small" aria-label="Form problems">
          {docProblems.map((p, i) => (
            <li key={i} className="error">
              {p.path && <code>{p.path}</code>} {p.message} (line {p.line} of the YAML)
            </li>
          ))}
        </ul>
      )}
      {doc && !stale && (
        <div>
          <button type="button" className="remove" onClick={() => (setChosen(null), onText(removeDocument(text, doc.index)))}>
            Remove this {doc.kind} from the change
          </button>
        </div>
      )}
    </section>
  );
}

function uniqueName(docs: { name: string | null }[], base: string): string {
  const names = new Set(docs.map((d) => d.name));
  if (!names.has(base)) return base;
  for (let i = 2; ; i++) if (!names.has(`${base}-${i}`)) return `${base}-${i}`;
}
