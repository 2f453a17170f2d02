'use client';
// A Role or ClusterRole as a verbs × resources matrix. Rows are (API group, resource or
// resource/subresource, resourceNames); resources are offered from the cluster's inventory
// (with their subresources), any other can be typed in. Non-resource URLs only for ClusterRoles.
import { useId, useState } from 'react';
import type { CatalogResource } from '@/server/domain/changes/rbac-catalog';
import { type MatrixRow, type NonResourceRow, type RoleModel, sortVerbs } from './rbac-model';

const NON_RESOURCE_VERBS = ['get', 'post', 'put', 'patch', 'delete', 'head'];

export interface RoleMatrixProps {
  model: RoleModel;
  onChange: (m: RoleModel) => void;
  resources: CatalogResource[];
  resourceSource: 'inventory' | 'built-in';
  verbs: string[];
  namespaces: string[];
}

const label = (r: Pick<MatrixRow, 'apiGroup' | 'resource'>) => `${r.resource}${r.apiGroup ? `.${r.apiGroup}` : ''}`;
const splitList = (s: string) => s.split(',').map((x) => x.trim()).filter(Boolean);

export function RoleMatrix({ model, onChange, resources, resourceSource, verbs, namespaces }: RoleMatrixProps) {
  const id = useId();
  const columns = sortVerbs(['*', ...verbs, ...model.rows.flatMap((r) => r.verbs)]);
  const [pick, setPick] = useState('');
  const [custom, setCustom] = useState('');
  const [customError, setCustomError] = useState('');
  const [url, setUrl] = useState('');
  const setRows = (rows: MatrixRow[]) => onChange({ ...model, rows });
  const setUrls = (nonResource: NonResourceRow[]) => onChange({ ...model, nonResource });
  const toggle = (i: number, verb: string, on: boolean) =>
    setRows(model.rows.map((r, j) => (j === i ? { ...r, verbs: on ? sortVerbs([...r.verbs, verb]) : r.verbs.filter((v) => v !== verb) } : r)));
  const addRow = (apiGroup: string, resource: string) => {
    if (model.rows.some((r) => r.apiGroup === apiGroup && r.resource === resource && r.resourceNames.length === 0)) return;
    setRows([...model.rows, { apiGroup, resource, resourceNames: [], verbs: [] }]);
  };
  const options = resources.flatMap((r) => [
    { value: `${r.apiGroup}|${r.resource}`, text: label(r) },
    ...r.subresources.map((s) => ({ value: `${r.apiGroup}|${r.resource}/${s}`, text: `${label(r)} → ${s}` })),
  ]);

  return (
    <div className="stack">
      <div className="grid-form">
        <label>
          {model.kind} name
          <input value={model.name} onChange={(e) => onChange({ ...model, name: e.target.value })} placeholder="pod-reader" aria-invalid={model.name === ''} />
        </label>
        {model.kind === 'Role' && (
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
      </div>
      {model.kind === 'ClusterRole' && Boolean((model.rest as { aggregationRule?: unknown }).aggregationRule) && (
        <p className="banner warn">This ClusterRole aggregates others: the cluster's controller overwrites its rules with theirs.</p>
      )}
      <fieldset>
        <legend>Resources × verbs</legend>
        {model.rows.length === 0 ? (
          <p className="hint">No resources yet: add one below, then tick the verbs it allows.</p>
        ) : (
          <div className="rbac-matrix-wrap">
            <table className="rbac-matrix" aria-label={`Permissions of ${model.kind} ${model.name || '(unnamed)'}`}>
              <thead>
                <tr>
                  <th className="plain" scope="col">
                    Resource
                  </th>
                  {columns.map((v) => (
                    <th key={v} scope="col">
                      {v === '*' ? '* (all)' : v}
                    </th>
                  ))}
                  <th className="plain" scope="col">
                    Only these names
                  </th>
                  <th className="plain" scope="col">
                    <span className="sr-only">Remove</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {model.rows.map((row, i) => (
                  <tr key={`${row.apiGroup}|${row.resource}|${i}`} className={row.resource.includes('/') ? 'sub' : ''}>
                    <th scope="row">
                      <code>{row.resource}</code> <span className="group">{row.apiGroup === '' ? 'core' : row.apiGroup}</span>
                    </th>
                    {columns.map((v) => (
                      <td key={v}>
                        <input
                          type="checkbox"
                          aria-label={`${v} ${label(row)}${row.resourceNames.length ? ` named ${row.resourceNames.join(', ')}` : ''}`}
                          checked={row.verbs.includes(v)}
                          onChange={(e) => toggle(i, v, e.target.checked)}
                        />
                      </td>
                    ))}
                    <td className="names">
                      <input
                        aria-label={`Resource names for ${label(row)}`}
                        placeholder="all"
                        defaultValue={row.resourceNames.join(', ')}
                        onBlur={(e) => setRows(model.rows.map((r, j) => (j === i ? { ...r, resourceNames: [...new Set(splitList(e.target.value))].sort() } : r)))}
                      />
                    </td>
                    <td>
                      <button type="button" className="remove" aria-label={`Remove ${label(row)}`} onClick={() => setRows(model.rows.filter((_, j) => j !== i))}>
                        ✕
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        <div className="inline-form" style={{ marginTop: 8 }}>
          <label>
            Add a resource {resourceSource === 'built-in' ? '(built-in list: inventory names none)' : 'from this cluster'}
            <select id={`${id}-pick`} value={pick} onChange={(e) => setPick(e.target.value)}>
              <option value="">Choose…</option>
              {options.map((o) => (
                <option key={o.value} value={o.value}>
                  {o.text}
                </option>
              ))}
            </select>
          </label>
          <button
            type="button"
            className="add"
            disabled={!pick}
            onClick={() => {
              const [g = '', r = ''] = pick.split('|');
              addRow(g, r);
              setPick('');
            }}
          >
            Add
          </button>
          <label>
            Or type <code>resource[/sub][.group]</code>
            <input value={custom} onChange={(e) => setCustom(e.target.value)} placeholder="widgets.example.com" aria-invalid={customError !== ''} />
          </label>
          <button
            type="button"
            className="add"
            disabled={!custom.trim()}
            onClick={() => {
              const parsed = parseResource(custom.trim());
              if (!parsed) return setCustomError('write it as resource, resource/subresource or resource.group');
              setCustomError('');
              addRow(parsed.apiGroup, parsed.resource);
              setCustom('');
            }}
          >
            Add typed
          </button>
        </div>
        {customError && <p className="error small">{customError}</p>}
        {resourceSource === 'built-in' && <p className="hint">This cluster's inventory names no resources yet, so the built-in Kubernetes resources are offered.</p>}
      </fieldset>
      {model.kind === 'ClusterRole' && (
        <fieldset>
          <legend>Non-resource URLs</legend>
          {model.nonResource.length === 0 && <p className="hint">None. Non-resource URLs (such as /healthz or /metrics) can only be granted by a ClusterRole.</p>}
          {model.nonResource.length > 0 && (
            <table className="rbac-matrix" aria-label="Non-resource URLs">
              <thead>
                <tr>
                  <th className="plain" scope="col">
                    URL
                  </th>
                  {['*', ...NON_RESOURCE_VERBS].map((v) => (
                    <th key={v} scope="col">
                      {v === '*' ? '* (all)' : v}
                    </th>
                  ))}
                  <th className="plain" scope="col">
                    <span className="sr-only">Remove</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {model.nonResource.map((row, i) => (
                  <tr key={row.url}>
                    <th scope="row">
                      <code>{row.url}</code>
                    </th>
                    {['*', ...NON_RESOURCE_VERBS].map((v) => (
                      <td key={v}>
                        <input
                          type="checkbox"
                          aria-label={`${v} ${row.url}`}
                          checked={row.verbs.includes(v)}
                          onChange={(e) => setUrls(model.nonResource.map((r, j) => (j === i ? { ...r, verbs: e.target.checked ? sortVerbs([...r.verbs, v]) : r.verbs.filter((x) => x !== v) } : r)))}
                        />
                      </td>
                    ))}
                    <td>
                      <button type="button" className="remove" aria-label={`Remove ${row.url}`} onClick={() => setUrls(model.nonResource.filter((_, j) => j !== i))}>
                        ✕
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          <div className="inline-form" style={{ marginTop: 8 }}>
            <label>
              URL (a trailing * matches a prefix)
              <input value={url} onChange={(e) => setUrl(e.target.value)} placeholder="/healthz" />
            </label>
            <button
              type="button"
              className="add"
              disabled={!url.startsWith('/') || model.nonResource.some((r) => r.url === url)}
              onClick={() => {
                setUrls([...model.nonResource, { url, verbs: ['get'] }]);
                setUrl('');
              }}
            >
              Add URL
            </button>
          </div>
        </fieldset>
      )}
    </div>
  );
}

/** `pods`, `pods/exec`, `deployments.apps`, `deployments.apps/scale`, `widgets.example.com`. */
export function parseResource(s: string): { apiGroup: string; resource: string } | null {
  const m = /^([a-z0-9*][a-z0-9-]*)(?:\.([a-z0-9.-]+))?(?:\/([a-z0-9*][a-z0-9-]*))?$/.exec(s);
  if (!m) return null;
  return { apiGroup: m[2] ?? '', resource: m[3] ? `${m[1]}/${m[3]}` : m[1]! };
}
