'use client';
// A RoleBinding or ClusterRoleBinding as subjects ↔ role. Subjects are picked from what the
// cluster knows (subjects already bound, service accounts per namespace) or typed in (users
// and groups live outside the cluster). A binding can be time-bound: its expiry is part of
// the object, so the approval covers it, and Verity removes the binding when it passes.
import { useState } from 'react';
import type { CatalogSubject, RbacCatalog } from '@/server/domain/changes/rbac-catalog';
import { ExpiryCountdown } from './expiry';
import type { BindingModel, SubjectModel } from './rbac-model';

const UNITS = { minutes: 60_000, hours: 3_600_000, days: 86_400_000 } as const;

export interface BindingEditorProps {
  model: BindingModel;
  onChange: (m: BindingModel) => void;
  catalog: Pick<RbacCatalog, 'subjects' | 'serviceAccounts' | 'roles'>;
  namespaces: string[];
  /** Roles drafted in the same change, which the binding may refer to. */
  draftedRoles: { kind: 'Role' | 'ClusterRole'; namespace: string | null; name: string }[];
}

const subjectText = (s: SubjectModel) => (s.kind === 'ServiceAccount' ? `ServiceAccount ${s.namespace}/${s.name}` : `${s.kind} ${s.name}`);

export function BindingEditor({ model, onChange, catalog, namespaces, draftedRoles }: BindingEditorProps) {
  const [kind, setKind] = useState<SubjectModel['kind']>('User');
  const [name, setName] = useState('');
  const [amount, setAmount] = useState(8);
  const [unit, setUnit] = useState<keyof typeof UNITS>('hours');
  const roles = [...draftedRoles, ...catalog.roles]
    .filter((r) => r.kind === 'ClusterRole' || (model.kind === 'RoleBinding' && r.namespace === model.namespace))
    .filter((r, i, all) => all.findIndex((x) => x.kind === r.kind && x.name === r.name && x.namespace === r.namespace) === i);
  const known: CatalogSubject[] = catalog.subjects.filter((s) => s.kind === kind);
  const serviceAccounts = [
    ...catalog.serviceAccounts,
    ...catalog.subjects.filter((s) => s.kind === 'ServiceAccount').map((s) => ({ namespace: s.namespace ?? '', name: s.name })),
  ].filter((sa, i, all) => all.findIndex((x) => x.namespace === sa.namespace && x.name === sa.name) === i);

  function addSubject() {
    let subject: SubjectModel;
    if (kind === 'ServiceAccount') {
      const [ns = '', n = ''] = name.split('/');
      if (!ns || !n) return;
      subject = { kind, namespace: ns, name: n };
    } else {
      if (!name.trim()) return;
      subject = { kind, name: name.trim() };
    }
    if (model.subjects.some((s) => subjectText(s) === subjectText(subject))) return;
    onChange({ ...model, subjects: [...model.subjects, subject] });
    setName('');
  }

  const roleValue = `${model.roleRef.kind}|${model.roleRef.name}`;
  return (
    <div className="stack">
      <div className="grid-form">
        <label>
          {model.kind} name
          <input value={model.name} onChange={(e) => onChange({ ...model, name: e.target.value })} placeholder="oncall-debug" aria-invalid={model.name === ''} />
        </label>
        {model.kind === 'RoleBinding' && (
          <label>
            Namespace
            <select value={model.namespace ?? ''} onChange={(e) => onChange({ ...model, namespace: e.target.value })}>
              <option value="">Choose a namespace</option>
              {[...new Set([...namespaces, ...(model.namespace ? [model.namespace] : [])])].map((n) => (
                <option key={n}>{n}</option>
              ))}
            </select>
          </label>
        )}
        <label>
          Role it grants
          <select
            value={roles.some((r) => `${r.kind}|${r.name}` === roleValue) ? roleValue : model.roleRef.name ? '__typed' : ''}
            onChange={(e) => {
              if (e.target.value === '__typed' || e.target.value === '') return;
              const [k, n = ''] = e.target.value.split('|');
              onChange({ ...model, roleRef: { kind: k === 'Role' ? 'Role' : 'ClusterRole', name: n } });
            }}
          >
            <option value="">Choose a role</option>
            {roles.map((r) => (
              <option key={`${r.kind}|${r.namespace ?? ''}|${r.name}`} value={`${r.kind}|${r.name}`}>
                {r.kind} {r.name}
              </option>
            ))}
            {model.roleRef.name && !roles.some((r) => `${r.kind}|${r.name}` === roleValue) && <option value="__typed">{`${model.roleRef.kind} ${model.roleRef.name} (not in inventory)`}</option>}
          </select>
        </label>
      </div>
      <fieldset>
        <legend>Subjects</legend>
        {model.subjects.length === 0 ? (
          <p className="hint">No subjects yet: a binding without subjects grants nothing.</p>
        ) : (
          <ul className="rbac-subjects" aria-label="Subjects">
            {model.subjects.map((s) => (
              <li key={subjectText(s)}>
                <span>{subjectText(s)}</span>
                <button type="button" className="remove" aria-label={`Remove ${subjectText(s)}`} onClick={() => onChange({ ...model, subjects: model.subjects.filter((x) => subjectText(x) !== subjectText(s)) })}>
                  ✕
                </button>
              </li>
            ))}
          </ul>
        )}
        <div className="rbac-add-subject" style={{ marginTop: 8 }}>
          <label>
            Subject kind
            <select value={kind} onChange={(e) => (setKind(e.target.value as SubjectModel['kind']), setName(''))}>
              <option>User</option>
              <option>Group</option>
              <option>ServiceAccount</option>
            </select>
          </label>
          {kind === 'ServiceAccount' ? (
            <label>
              Service account
              <select value={name} onChange={(e) => setName(e.target.value)}>
                <option value="">Choose one the cluster has</option>
                {serviceAccounts.map((sa) => (
                  <option key={`${sa.namespace}/${sa.name}`} value={`${sa.namespace}/${sa.name}`}>
                    {sa.namespace}/{sa.name}
                  </option>
                ))}
              </select>
            </label>
          ) : (
            <label>
              {kind} name (bound somewhere already, or any other)
              <input list={`rbac-known-${kind}`} value={name} onChange={(e) => setName(e.target.value)} onKeyDown={(e) => e.key === 'Enter' && (e.preventDefault(), addSubject())} placeholder={kind === 'User' ? 'jane@example.com' : 'oncall'} />
              <datalist id={`rbac-known-${kind}`}>
                {known.map((s) => (
                  <option key={s.name} value={s.name}>
                    bound in {s.boundIn.slice(0, 3).join(', ')}
                    {s.boundIn.length > 3 ? ` and ${s.boundIn.length - 3} more` : ''}
                  </option>
                ))}
              </datalist>
            </label>
          )}
          <button type="button" className="add" onClick={addSubject} disabled={!name}>
            Add subject
          </button>
        </div>
      </fieldset>
      <fieldset>
        <legend>Time-bound grant</legend>
        {model.expiresAt ? (
          <div className="row">
            <ExpiryCountdown expiresAt={model.expiresAt} />
            <button type="button" className="remove" onClick={() => onChange({ ...model, expiresAt: null })}>
              No expiry
            </button>
          </div>
        ) : (
          <p className="hint">No expiry: the binding stays until a change removes it.</p>
        )}
        <div className="rbac-expiry" style={{ marginTop: 8 }}>
          <label>
            Expires in
            <input type="number" min={1} max={10_000} value={amount} onChange={(e) => setAmount(Math.max(1, Number(e.target.value) || 1))} />
          </label>
          <label>
            <span className="sr-only">Unit</span>
            <select aria-label="Expiry unit" value={unit} onChange={(e) => setUnit(e.target.value as keyof typeof UNITS)}>
              <option value="minutes">minutes</option>
              <option value="hours">hours</option>
              <option value="days">days</option>
            </select>
          </label>
          <button type="button" className="add" onClick={() => onChange({ ...model, expiresAt: new Date(Date.now() + amount * UNITS[unit]).toISOString() })}>
            {model.expiresAt ? 'Set a new expiry' : 'Make it time-bound'}
          </button>
        </div>
        <p className="hint">The moment is fixed now and approved with the grant. When it passes, Verity removes the binding on its own; it must be a new binding.</p>
      </fieldset>
    </div>
  );
}
