'use client';
// A form for an Istio PeerAuthentication: which workloads (a namespace, or those matching a
// selector), the mTLS mode, and per-port modes (which Istio allows only with a selector).
import type { MtlsMode, PeerAuthenticationForm } from '@/server/domain/changes/policy-form';

const MODES: { mode: MtlsMode; text: string }[] = [
  { mode: 'UNSET', text: 'UNSET (inherit from the namespace or mesh)' },
  { mode: 'STRICT', text: 'STRICT (mutual TLS only)' },
  { mode: 'PERMISSIVE', text: 'PERMISSIVE (mutual TLS or plaintext)' },
  { mode: 'DISABLE', text: 'DISABLE (plaintext)' },
];

export function PeerAuthenticationFormView({ value, onChange, disabled, namespaces }: { value: PeerAuthenticationForm; onChange: (v: PeerAuthenticationForm) => void; disabled?: boolean; namespaces?: string[] }) {
  const setLabel = (i: number, patch: Partial<{ key: string; value: string }>) => onChange({ ...value, selector: value.selector.map((l, j) => (j === i ? { ...l, ...patch } : l)) });
  const setPort = (i: number, patch: Partial<{ port: string; mode: MtlsMode }>) => onChange({ ...value, portLevelMtls: value.portLevelMtls.map((p, j) => (j === i ? { ...p, ...patch } : p)) });
  return (
    <fieldset className="policy-form stack" disabled={disabled} aria-label={`PeerAuthentication ${value.namespace}/${value.name}`} style={{ border: 'none', padding: 0 }}>
      <div className="grid-form">
        <label>
          Name
          <input value={value.name} onChange={(e) => onChange({ ...value, name: e.target.value })} className="mono" />
        </label>
        <label>
          Namespace
          <input value={value.namespace} onChange={(e) => onChange({ ...value, namespace: e.target.value })} className="mono" list="pa-namespaces" />
        </label>
        <label>
          mTLS mode
          <select value={value.mode} onChange={(e) => onChange({ ...value, mode: e.target.value as MtlsMode })}>
            {MODES.map((m) => (
              <option key={m.mode} value={m.mode}>
                {m.text}
              </option>
            ))}
          </select>
        </label>
      </div>
      {namespaces && (
        <datalist id="pa-namespaces">
          {namespaces.map((n) => (
            <option key={n} value={n} />
          ))}
        </datalist>
      )}
      <fieldset>
        <legend>Workloads (selector matchLabels)</legend>
        {value.selector.length === 0 && <p className="hint">No selector: applies to the whole namespace ({value.namespace === 'istio-system' ? 'in the root namespace: the whole mesh' : 'namespace-wide'}).</p>}
        <div className="stack" style={{ gap: 6 }}>
          {value.selector.map((l, i) => (
            <div className="kv" key={i}>
              <label>
                Workload label {i + 1} key
                <input value={l.key} onChange={(e) => setLabel(i, { key: e.target.value })} className="mono" />
              </label>
              <label>
                Workload label {i + 1} value
                <input value={l.value} onChange={(e) => setLabel(i, { value: e.target.value })} className="mono" />
              </label>
              <button type="button" className="remove" onClick={() => onChange({ ...value, selector: value.selector.filter((_, j) => j !== i) })} aria-label={`Remove workload label ${i + 1}`}>
                Remove
              </button>
            </div>
          ))}
          <div>
            <button type="button" className="add" onClick={() => onChange({ ...value, selector: [...value.selector, { key: '', value: '' }] })}>
              + workload label
            </button>
          </div>
        </div>
      </fieldset>
      <fieldset>
        <legend>Per-port mTLS (portLevelMtls)</legend>
        {value.selector.length === 0 && <p className="hint">Istio accepts per-port modes only with a workload selector.</p>}
        <div className="stack" style={{ gap: 6 }}>
          {value.portLevelMtls.map((p, i) => (
            <div className="pl" key={i}>
              <label>
                Port {i + 1} number
                <input value={p.port} onChange={(e) => setPort(i, { port: e.target.value.trim() })} className="mono" inputMode="numeric" />
              </label>
              <label>
                Port {i + 1} mode
                <select value={p.mode} onChange={(e) => setPort(i, { mode: e.target.value as MtlsMode })}>
                  {MODES.map((m) => (
                    <option key={m.mode} value={m.mode}>
                      {m.mode}
                    </option>
                  ))}
                </select>
              </label>
              <button type="button" className="remove" onClick={() => onChange({ ...value, portLevelMtls: value.portLevelMtls.filter((_, j) => j !== i) })} aria-label={`Remove port ${i + 1}`}>
                Remove
              </button>
            </div>
          ))}
          <div>
            <button type="button" className="add" onClick={() => onChange({ ...value, portLevelMtls: [...value.portLevelMtls, { port: '', mode: 'PERMISSIVE' }] })}>
              + port
            </button>
          </div>
        </div>
      </fieldset>
    </fieldset>
  );
}
