'use client';
// A form for any NetworkPolicy: the pods it selects, its policy types, and ingress and egress
// rules whose peers are pods, namespaces, both, or an IP block with exceptions, on ports given
// by number, name or range. It edits the form model; the YAML view renders the same model.
import { emptyPeer, emptyPort, type NetworkPolicyForm, type PeerForm, type PortForm, type RuleForm } from '@/server/domain/changes/policy-form';
import { SelectorEditor } from './selector-editor';

type Direction = 'ingress' | 'egress';

export function NetworkPolicyFormView({ value, onChange, disabled, namespaces }: { value: NetworkPolicyForm; onChange: (v: NetworkPolicyForm) => void; disabled?: boolean; namespaces?: string[] }) {
  const setRules = (dir: Direction, rules: RuleForm[]) => onChange({ ...value, [dir]: rules });
  const toggleType = (t: 'Ingress' | 'Egress', on: boolean) => {
    const set = new Set(value.policyTypes);
    if (on) set.add(t);
    else set.delete(t);
    onChange({ ...value, policyTypes: (['Ingress', 'Egress'] as const).filter((x) => set.has(x)) });
  };
  return (
    <fieldset className="policy-form stack" disabled={disabled} aria-label={`NetworkPolicy ${value.namespace}/${value.name}`} style={{ border: 'none', padding: 0 }}>
      <div className="grid-form">
        <label>
          Name
          <input value={value.name} onChange={(e) => onChange({ ...value, name: e.target.value })} className="mono" />
        </label>
        <label>
          Namespace
          <input value={value.namespace} onChange={(e) => onChange({ ...value, namespace: e.target.value })} className="mono" list="policy-namespaces" />
        </label>
      </div>
      {namespaces && (
        <datalist id="policy-namespaces">
          {namespaces.map((n) => (
            <option key={n} value={n} />
          ))}
        </datalist>
      )}
      <fieldset>
        <legend>Pods this policy selects (podSelector)</legend>
        <SelectorEditor name="Pod selector" value={value.podSelector} onChange={(podSelector) => onChange({ ...value, podSelector })} />
      </fieldset>
      <fieldset>
        <legend>Policy types</legend>
        <div className="checks">
          <label>
            <input type="checkbox" checked={value.policyTypes.includes('Ingress')} onChange={(e) => toggleType('Ingress', e.target.checked)} /> Ingress
          </label>
          <label>
            <input type="checkbox" checked={value.policyTypes.includes('Egress')} onChange={(e) => toggleType('Egress', e.target.checked)} /> Egress
          </label>
        </div>
        <p className="hint">
          {value.policyTypes.length === 0
            ? 'Neither checked: not written, so Kubernetes isolates ingress, and egress too when egress rules exist.'
            : `Isolates ${value.policyTypes.join(' and ').toLowerCase()}: only what the rules below allow gets through${value.policyTypes.includes('Ingress') && value.ingress.length === 0 ? ' (no ingress rule: all ingress denied)' : ''}${value.policyTypes.includes('Egress') && value.egress.length === 0 ? ' (no egress rule: all egress denied)' : ''}.`}
        </p>
      </fieldset>
      <Rules dir="ingress" rules={value.ingress} onChange={(r) => setRules('ingress', r)} />
      <Rules dir="egress" rules={value.egress} onChange={(r) => setRules('egress', r)} />
    </fieldset>
  );
}

function Rules({ dir, rules, onChange }: { dir: Direction; rules: RuleForm[]; onChange: (r: RuleForm[]) => void }) {
  const title = dir === 'ingress' ? 'Ingress rules (who may connect in)' : 'Egress rules (where it may connect to)';
  const set = (i: number, r: RuleForm) => onChange(rules.map((x, j) => (j === i ? r : x)));
  return (
    <fieldset>
      <legend>{title}</legend>
      <div className="stack">
        {rules.map((r, i) => (
          <Rule key={i} dir={dir} index={i} rule={r} onChange={(x) => set(i, x)} onRemove={() => onChange(rules.filter((_, j) => j !== i))} />
        ))}
        <div>
          <button type="button" className="add" onClick={() => onChange([...rules, { peers: [emptyPeer()], ports: [] }])}>
            + {dir} rule
          </button>
        </div>
      </div>
    </fieldset>
  );
}

function Rule({ dir, index, rule, onChange, onRemove }: { dir: Direction; index: number; rule: RuleForm; onChange: (r: RuleForm) => void; onRemove: () => void }) {
  const name = `${dir === 'ingress' ? 'Ingress' : 'Egress'} rule ${index + 1}`;
  const peersWord = dir === 'ingress' ? 'from' : 'to';
  return (
    <fieldset className="rule" aria-label={name}>
      <legend>{name}</legend>
      <div className="stack">
        <p className="hint">
          {rule.peers.length === 0 ? `No ${peersWord}: any peer.` : `${peersWord}: any of these ${rule.peers.length} peer${rule.peers.length === 1 ? '' : 's'}.`}{' '}
          {rule.ports.length === 0 ? 'No ports: every port and protocol.' : ''}
        </p>
        {rule.peers.map((p, i) => (
          <Peer key={i} name={`${name} peer ${i + 1}`} peer={p} onChange={(x) => onChange({ ...rule, peers: rule.peers.map((y, j) => (j === i ? x : y)) })} onRemove={() => onChange({ ...rule, peers: rule.peers.filter((_, j) => j !== i) })} />
        ))}
        {rule.ports.map((p, i) => (
          <Port key={i} name={`${name} port ${i + 1}`} port={p} onChange={(x) => onChange({ ...rule, ports: rule.ports.map((y, j) => (j === i ? x : y)) })} onRemove={() => onChange({ ...rule, ports: rule.ports.filter((_, j) => j !== i) })} />
        ))}
        <div className="row">
          <button type="button" className="add" onClick={() => onChange({ ...rule, peers: [...rule.peers, emptyPeer()] })}>
            + peer
          </button>
          <button type="button" className="add" onClick={() => onChange({ ...rule, ports: [...rule.ports, emptyPort()] })}>
            + port
          </button>
          <span className="grow" />
          <button type="button" className="remove" onClick={onRemove}>
            Remove {name.toLowerCase()}
          </button>
        </div>
      </div>
    </fieldset>
  );
}

const PEER_KINDS: { kind: PeerForm['kind']; text: string }[] = [
  { kind: 'pods', text: 'Pods in this namespace (podSelector)' },
  { kind: 'namespaces', text: 'All pods of namespaces (namespaceSelector)' },
  { kind: 'both', text: 'Pods in namespaces (both selectors)' },
  { kind: 'ipBlock', text: 'IP block (CIDR with exceptions)' },
];

function Peer({ name, peer, onChange, onRemove }: { name: string; peer: PeerForm; onChange: (p: PeerForm) => void; onRemove: () => void }) {
  return (
    <fieldset className="peer" aria-label={name}>
      <legend>{name}</legend>
      <div className="stack" style={{ gap: 8 }}>
        <div className="row">
          <label className="grow">
            {name} kind
            <select value={peer.kind} onChange={(e) => onChange({ ...peer, kind: e.target.value as PeerForm['kind'] })}>
              {PEER_KINDS.map((k) => (
                <option key={k.kind} value={k.kind}>
                  {k.text}
                </option>
              ))}
            </select>
          </label>
          <button type="button" className="remove" onClick={onRemove} aria-label={`Remove ${name.toLowerCase()}`}>
            Remove
          </button>
        </div>
        {(peer.kind === 'namespaces' || peer.kind === 'both') && <SelectorEditor name={`${name} namespace selector`} value={peer.namespaceSelector} onChange={(namespaceSelector) => onChange({ ...peer, namespaceSelector })} />}
        {(peer.kind === 'pods' || peer.kind === 'both') && <SelectorEditor name={`${name} pod selector`} value={peer.podSelector} onChange={(podSelector) => onChange({ ...peer, podSelector })} />}
        {peer.kind === 'ipBlock' && (
          <>
            <label>
              {name} CIDR
              <input value={peer.cidr} onChange={(e) => onChange({ ...peer, cidr: e.target.value })} className="mono" placeholder="10.0.0.0/8" />
            </label>
            <label>
              {name} except (CIDRs inside it, comma-separated)
              <input value={peer.except.join(', ')} onChange={(e) => onChange({ ...peer, except: e.target.value === '' ? [] : e.target.value.split(',').map((v) => v.trim()) })} className="mono" />
            </label>
          </>
        )}
      </div>
    </fieldset>
  );
}

function Port({ name, port, onChange, onRemove }: { name: string; port: PortForm; onChange: (p: PortForm) => void; onRemove: () => void }) {
  return (
    <div className="port" role="group" aria-label={name}>
      <label>
        {name} protocol
        <select value={port.protocol} onChange={(e) => onChange({ ...port, protocol: e.target.value as PortForm['protocol'] })}>
          <option value="">TCP (default)</option>
          <option>TCP</option>
          <option>UDP</option>
          <option>SCTP</option>
        </select>
      </label>
      <label>
        {name} number or name
        <input value={port.port} onChange={(e) => onChange({ ...port, port: e.target.value.trim() })} className="mono" placeholder="any" />
      </label>
      <label>
        {name} range end (endPort)
        <input value={port.endPort} onChange={(e) => onChange({ ...port, endPort: e.target.value.trim() })} className="mono" placeholder="single port" inputMode="numeric" />
      </label>
      <button type="button" className="remove" onClick={onRemove} aria-label={`Remove ${name.toLowerCase()}`}>
        Remove
      </button>
    </div>
  );
}
