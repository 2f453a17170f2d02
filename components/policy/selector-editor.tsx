'use client';
// A Kubernetes label selector as rows: matchLabels (key = value) and matchExpressions
// (key, operator, values). Every input has its own label, so the form is keyboard- and
// screen-reader-usable; `name` prefixes the labels so several selectors can share a page.
import type { SelectorForm, SelectorOperator } from '@/server/domain/changes/policy-form';

const OPERATORS: SelectorOperator[] = ['In', 'NotIn', 'Exists', 'DoesNotExist'];

export function SelectorEditor({ value, onChange, name, disabled }: { value: SelectorForm; onChange: (v: SelectorForm) => void; name: string; disabled?: boolean }) {
  const setLabel = (i: number, patch: Partial<{ key: string; value: string }>) => onChange({ ...value, labels: value.labels.map((l, j) => (j === i ? { ...l, ...patch } : l)) });
  const setExpr = (i: number, patch: Partial<SelectorForm['expressions'][number]>) => onChange({ ...value, expressions: value.expressions.map((e, j) => (j === i ? { ...e, ...patch } : e)) });
  const empty = value.labels.length === 0 && value.expressions.length === 0;
  return (
    <div className="stack" style={{ gap: 6 }}>
      {empty && <p className="hint">Empty: matches everything.</p>}
      {value.labels.map((l, i) => (
        <div className="kv" key={`l${i}`}>
          <label>
            {name} label {i + 1} key
            <input value={l.key} onChange={(e) => setLabel(i, { key: e.target.value })} disabled={disabled} className="mono" />
          </label>
          <label>
            {name} label {i + 1} value
            <input value={l.value} onChange={(e) => setLabel(i, { value: e.target.value })} disabled={disabled} className="mono" />
          </label>
          <button type="button" className="remove" disabled={disabled} onClick={() => onChange({ ...value, labels: value.labels.filter((_, j) => j !== i) })} aria-label={`Remove ${name} label ${i + 1}`}>
            Remove
          </button>
        </div>
      ))}
      {value.expressions.map((x, i) => (
        <div className="expr" key={`e${i}`}>
          <label>
            {name} expression {i + 1} key
            <input value={x.key} onChange={(e) => setExpr(i, { key: e.target.value })} disabled={disabled} className="mono" />
          </label>
          <label>
            {name} expression {i + 1} operator
            <select
              value={x.operator}
              disabled={disabled}
              onChange={(e) => {
                const operator = e.target.value as SelectorOperator;
                setExpr(i, { operator, values: operator === 'Exists' || operator === 'DoesNotExist' ? [] : x.values });
              }}
            >
              {OPERATORS.map((o) => (
                <option key={o}>{o}</option>
              ))}
            </select>
          </label>
          <label>
            {name} expression {i + 1} values (comma-separated)
            <input
              value={x.values.join(', ')}
              onChange={(e) => setExpr(i, { values: e.target.value === '' ? [] : e.target.value.split(',').map((v) => v.trim()) })}
              disabled={disabled || x.operator === 'Exists' || x.operator === 'DoesNotExist'}
              className="mono"
            />
          </label>
          <button type="button" className="remove" disabled={disabled} onClick={() => onChange({ ...value, expressions: value.expressions.filter((_, j) => j !== i) })} aria-label={`Remove ${name} expression ${i + 1}`}>
            Remove
          </button>
        </div>
      ))}
      <div className="row">
        <button type="button" className="add" disabled={disabled} onClick={() => onChange({ ...value, labels: [...value.labels, { key: '', value: '' }] })}>
          + {name} label
        </button>
        <button type="button" className="add" disabled={disabled} onClick={() => onChange({ ...value, expressions: [...value.expressions, { key: '', operator: 'In', values: [] }] })}>
          + {name} expression
        </button>
      </div>
    </div>
  );
}
