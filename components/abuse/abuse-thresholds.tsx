'use client';
// The abuse rules' thresholds of one tenant (?tenant=SLUG): each rule with its switch, its
// figures beside their defaults and what it fires on. Holders of abuse:configure edit and
// save them (only the changed fields are sent, so a concurrent edit of another field stands);
// everyone else who reads findings sees the values as text.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import Link from 'next/link';
import { usePathname, useRouter, useSearchParams } from 'next/navigation';
import { useState } from 'react';
import { z } from 'zod';
import { useTRPC } from '@/components/providers/trpc';
import { Empty, ErrorText, Loading } from '@/components/ui/status';
import { RULE_TITLES } from '@/server/domain/abuse/model';
import { AbuseSettings } from '@/server/domain/abuse/thresholds';
import styles from './abuse-thresholds.module.css';

// Every rule's settings; the sleep policy has its own screen.
type Group = Exclude<keyof AbuseSettings, 'sleep'>;
type Settings = Pick<AbuseSettings, Group>;
type NumberField = { key: string; label: string; unit: string };

const RULES: { group: Group; title: string; fires: string; numbers: NumberField[] }[] = [
  {
    group: 'cpuPinned',
    title: RULE_TITLES['cpu-pinned-idle'],
    fires: 'Fires when a workload holds its CPU at or above the share of its limit for the minutes given, in a row, while receiving hardly any inbound connections: busy for nobody, as a miner is.',
    numbers: [
      { key: 'limitRatio', label: 'Share of the CPU limit', unit: 'ratio (0.9 = 90 %)' },
      { key: 'minutes', label: 'Minutes in a row', unit: 'minutes' },
      { key: 'maxInboundPerMinute', label: 'Inbound connections at most', unit: 'per minute, on average' },
    ],
  },
  {
    group: 'miningPool',
    title: RULE_TITLES['mining-pool'],
    fires: 'Fires on any connection to a known mining-pool address, or to a stratum port when the connection leaves the cluster (never on ports 53, 80 and 443). The built-in list always applies; the addresses and ports below are added for this tenant.',
    numbers: [],
  },
  {
    group: 'egressFanout',
    title: RULE_TITLES['egress-fanout'],
    fires: 'Fires when a workload contacts at least this many external addresses within the window that it had not contacted in the baseline before it: a worm spreading, an open proxy, a scanner.',
    numbers: [
      { key: 'newAddresses', label: 'New external addresses at least', unit: 'addresses' },
      { key: 'windowMinutes', label: 'Window', unit: 'minutes' },
      { key: 'baselineHours', label: 'Baseline', unit: 'hours before the window' },
    ],
  },
  {
    group: 'deniedBurst',
    title: RULE_TITLES['denied-burst'],
    fires: 'Fires when network policies deny a workload at least this many connection attempts to at least this many destinations (address or workload, and port) within the window: what scanning looks like.',
    numbers: [
      { key: 'attempts', label: 'Denied attempts at least', unit: 'attempts' },
      { key: 'distinctTargets', label: 'Distinct destinations at least', unit: 'destinations' },
      { key: 'windowMinutes', label: 'Window', unit: 'minutes' },
    ],
  },
  {
    group: 'quotaPinned',
    title: RULE_TITLES['quota-pinned'],
    fires: 'Fires when a namespace’s quota is used at or above this share of its hard limit in every sample over the minutes given: deploys there fail, and a runaway workload may be why.',
    numbers: [
      { key: 'usedRatio', label: 'Share of the hard limit', unit: 'ratio (0.98 = 98 %)' },
      { key: 'minutes', label: 'Minutes held', unit: 'minutes' },
    ],
  },
];

const LISTS = [
  { key: 'extraAddresses', label: 'Extra pool addresses', one: 'address', hint: 'single IP addresses or CIDRs such as 203.0.113.0/24' },
  { key: 'extraPorts', label: 'Extra stratum ports', one: 'port', hint: 'ports from 1 to 65,535, counted only for connections leaving the cluster' },
] as const;

/** The bounds the schema enforces, shown beside each input (the server still judges). */
function bounds(group: Group, key: string): { min: number | null; max: number | null; whole: boolean } {
  const field = (AbuseSettings.shape[group].unwrap().shape as Record<string, z.ZodType>)[key];
  const inner = field instanceof z.ZodDefault ? field.unwrap() : field;
  return inner instanceof z.ZodNumber ? { min: inner.minValue, max: inner.maxValue, whole: inner.isInt } : { min: null, max: null, whole: false };
}

const figure = (n: number | null) => (n === null ? '' : n.toLocaleString('en-US'));
const listText = (v: readonly (string | number)[]) => (v.length ? v.join(', ') : 'none');

// What the inputs hold: numbers as typed (so a half-typed value is not coerced), lists as rows.
type Draft = Record<Group, Record<string, boolean | string | string[]>>;

function toDraft(s: Settings): Draft {
  return Object.fromEntries(
    RULES.map(({ group }) => [group, Object.fromEntries(Object.entries(s[group]).map(([k, v]) => [k, typeof v === 'number' ? String(v) : Array.isArray(v) ? v.map(String) : v]))]),
  ) as Draft;
}

type Change = { group: Group; key: string; value: unknown; words: string };

/** The fields that differ from what was loaded, and the numbers left blank. */
function diff(draft: Draft, saved: Settings): { changes: Change[]; blank: string[] } {
  const changes: Change[] = [];
  const blank: string[] = [];
  for (const rule of RULES) {
    const was = saved[rule.group] as Record<string, unknown>;
    const now = draft[rule.group];
    if (now.enabled !== was.enabled) changes.push({ group: rule.group, key: 'enabled', value: now.enabled, words: `${rule.title}: turned ${now.enabled ? 'on' : 'off'}` });
    for (const f of rule.numbers) {
      const text = String(now[f.key]).trim();
      if (text === '') {
        blank.push(`${rule.group}.${f.key}`);
        continue;
      }
      const value = Number(text);
      if (value !== was[f.key]) changes.push({ group: rule.group, key: f.key, value, words: `${rule.title} › ${f.label}: ${figure(was[f.key] as number)} → ${figure(value)}` });
    }
    if (rule.group === 'miningPool') {
      for (const l of LISTS) {
        const rows = (now[l.key] as string[]).map((r) => r.trim()).filter(Boolean);
        const value = l.key === 'extraPorts' ? rows.map(Number) : rows;
        if (JSON.stringify(value) !== JSON.stringify(was[l.key])) changes.push({ group: rule.group, key: l.key, value, words: `${rule.title} › ${l.label}: now ${listText(value)}` });
      }
    }
  }
  return { changes, blank };
}

function labelOf(path: string): string {
  const [group, key, index] = path.split('.');
  const rule = RULES.find((r) => r.group === group);
  if (!rule) return path;
  const name = key === 'enabled' ? 'enabled' : (rule.numbers.find((f) => f.key === key)?.label ?? LISTS.find((l) => l.key === key)?.label ?? key);
  return `${rule.title} › ${name}${index !== undefined ? ` (row ${Number(index) + 1})` : ''}`;
}

export function AbuseThresholds({ canConfigure, needsMfa }: { canConfigure: boolean; needsMfa: boolean }) {
  const trpc = useTRPC();
  const params = useSearchParams();
  const router = useRouter();
  const pathname = usePathname();
  const tenants = useQuery(trpc.tenants.list.queryOptions());
  if (tenants.isPending) return <Loading what="your tenants" />;
  if (tenants.error) return <ErrorText error={tenants.error} />;
  const list = tenants.data;
  const slug = params.get('tenant') ?? (list.length === 1 ? list[0]!.slug : '');
  const tenant = list.find((t) => t.slug === slug);
  return (
    <>
      <div className="filters">
        {/* Labelled by id, not by wrapping: a wrapped select's name would take in its chosen option. */}
        <div className={styles.tenant}>
          <label htmlFor="thresholds-tenant" className="label">
            Tenant
          </label>
          <select
            id="thresholds-tenant"
            value={tenant?.slug ?? ''}
            onChange={(e) => router.replace(e.target.value ? `${pathname}?tenant=${encodeURIComponent(e.target.value)}` : pathname, { scroll: false })}
          >
            <option value="">Pick a tenant</option>
            {list.map((t) => (
              <option key={t.id} value={t.slug}>
                {t.name}
              </option>
            ))}
          </select>
        </div>
      </div>
      {!canConfigure && (
        <p className="muted small" data-testid="thresholds-read-only">
          {needsMfa
            ? 'Changing thresholds needs a session signed in with two-factor authentication; set it up on your Account page and sign in again.'
            : 'Read-only: the security team (abuse:configure) sets these thresholds.'}
        </p>
      )}
      {tenant ? (
        <TenantThresholds key={tenant.id} tenant={tenant} canConfigure={canConfigure} />
      ) : slug ? (
        <Empty>
          No tenant “{slug}” is visible to you. <Link href={pathname}>Pick another</Link>
        </Empty>
      ) : (
        <Empty>Pick a tenant to see the thresholds its findings are judged by.</Empty>
      )}
    </>
  );
}

function TenantThresholds({ tenant, canConfigure }: { tenant: { id: string; name: string }; canConfigure: boolean }) {
  const trpc = useTRPC();
  const settings = useQuery(trpc.abuse.settings.queryOptions({ tenantId: tenant.id }));
  if (settings.isPending) return <Loading what={`${tenant.name}'s thresholds`} />;
  if (settings.error) return <ErrorText error={settings.error} />;
  return <Editor tenant={tenant} saved={settings.data.settings} defaults={settings.data.defaults} canConfigure={canConfigure} />;
}

function Editor({ tenant, saved: loaded, defaults, canConfigure }: { tenant: { id: string; name: string }; saved: Settings; defaults: Settings; canConfigure: boolean }) {
  const trpc = useTRPC();
  const qc = useQueryClient();
  // What the server holds as far as this page knows: the loaded settings, then each save's answer.
  const [saved, setSaved] = useState<Settings>(loaded);
  const [draft, setDraft] = useState<Draft>(() => toDraft(loaded));
  const [done, setDone] = useState<string[] | null>(null);
  const [blankShown, setBlankShown] = useState<string[]>([]);
  const save = useMutation(
    trpc.abuse.setThresholds.mutationOptions({
      onSuccess: ({ settings }) => {
        setSaved(settings);
        setDraft(toDraft(settings));
        // The findings page's sleep policy reads the same settings.
        void qc.invalidateQueries({ queryKey: trpc.abuse.settings.queryKey({ tenantId: tenant.id }) });
      },
    }),
  );
  const { changes, blank } = diff(draft, saved);
  const fieldErrors = save.error?.data?.fieldErrors ?? null;
  // The server names the refused value as settings.<group>.<field>[.<row>]; shown beside it.
  const errors = new Map<string, string>((fieldErrors ?? []).map((f) => [f.field.replace(/^settings\./, ''), f.message.replace(/^settings\.[\w.]+: /, '')]));
  for (const b of blankShown) if (blank.includes(b)) errors.set(b, 'enter a number');

  const edit = (group: Group, key: string, value: boolean | string | string[]) => {
    setDraft((d) => ({ ...d, [group]: { ...d[group], [key]: value } }));
    setDone(null);
    if (save.error) save.reset();
  };

  return (
    <form
      className={styles.editor}
      aria-label={`Abuse thresholds for ${tenant.name}`}
      // The server is the one judge of a value; the browser's own bubbles would hide its words.
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        if (!canConfigure) return;
        setBlankShown(blank);
        if (blank.length > 0 || changes.length === 0) return;
        const settings: Record<string, Record<string, unknown>> = {};
        for (const c of changes) settings[c.group] = { ...settings[c.group], [c.key]: c.value };
        setDone(null);
        save.mutate({ tenantId: tenant.id, settings }, { onSuccess: () => setDone(changes.map((c) => c.words)) });
      }}
    >
      {RULES.map((rule) => {
        const d = draft[rule.group];
        const def = defaults[rule.group] as Record<string, unknown>;
        const id = `t-${rule.group}`;
        return (
          <fieldset key={rule.group} className={styles.rule} aria-describedby={`${id}-fires`}>
            <legend>{rule.title}</legend>
            <p className="muted small" id={`${id}-fires`}>
              {rule.fires}
            </p>
            <div className={styles.switch}>
              {canConfigure ? (
                <label htmlFor={`${id}-enabled`}>
                  <input id={`${id}-enabled`} type="checkbox" role="switch" checked={d.enabled as boolean} onChange={(e) => edit(rule.group, 'enabled', e.target.checked)} /> Enabled
                </label>
              ) : (
                <span>{d.enabled ? 'Enabled' : 'Turned off'}</span>
              )}
              <span className="muted small">default {def.enabled ? 'on' : 'off'}</span>
              <FieldError id={`${id}-enabled-error`} text={errors.get(`${rule.group}.enabled`)} />
            </div>
            {rule.numbers.length > 0 && (
              <div className={styles.fields}>
                {rule.numbers.map((f) => {
                  const b = bounds(rule.group, f.key);
                  const fid = `${id}-${f.key}`;
                  const error = errors.get(`${rule.group}.${f.key}`);
                  return (
                    <div key={f.key} className={styles.field}>
                      <label htmlFor={fid} className="label">
                        {f.label}
                      </label>
                      <div className={styles.value}>
                        {canConfigure ? (
                          <input
                            id={fid}
                            type="number"
                            inputMode="decimal"
                            min={b.min ?? undefined}
                            max={b.max ?? undefined}
                            step={b.whole ? 1 : 'any'}
                            value={d[f.key] as string}
                            onChange={(e) => edit(rule.group, f.key, e.target.value)}
                            aria-invalid={error ? true : undefined}
                            aria-describedby={`${fid}-unit ${fid}-default${error ? ` ${fid}-error` : ''}`}
                          />
                        ) : (
                          <output id={fid} className="mono" aria-describedby={`${fid}-unit ${fid}-default`}>
                            {d[f.key] as string}
                          </output>
                        )}
                        <span id={`${fid}-unit`}>{f.unit}</span>
                      </div>
                      <span id={`${fid}-default`} className="muted small">
                        default {figure(def[f.key] as number)} · {figure(b.min)} to {figure(b.max)}
                        {b.whole ? ', whole numbers' : ''}
                      </span>
                      <FieldError id={`${fid}-error`} text={error} />
                    </div>
                  );
                })}
              </div>
            )}
            {rule.group === 'miningPool' &&
              LISTS.map((l) => (
                <ListEditor
                  key={l.key}
                  id={`${id}-${l.key}`}
                  spec={l}
                  rows={d[l.key] as string[]}
                  editable={canConfigure}
                  errors={errors}
                  path={`${rule.group}.${l.key}`}
                  defaults={def[l.key] as (string | number)[]}
                  onChange={(rows) => edit(rule.group, l.key, rows)}
                />
              ))}
          </fieldset>
        );
      })}
      {canConfigure && (
        <div className={styles.actions}>
          <button type="submit" className="primary" disabled={save.isPending || (changes.length === 0 && blank.length === 0)}>
            {save.isPending ? 'Saving…' : changes.length === 0 ? 'Save (nothing changed)' : `Save ${changes.length} change${changes.length === 1 ? '' : 's'}`}
          </button>
          <button
            type="button"
            disabled={changes.length === 0 && blank.length === 0}
            onClick={() => {
              setDraft(toDraft(saved));
              setBlankShown([]);
              save.reset();
            }}
          >
            Undo my edits
          </button>
        </div>
      )}
      {done && !save.isPending && (
        <div className="notice" role="status">
          Saved for {tenant.name}:
          <ul className={styles.saved}>
            {done.map((w) => (
              <li key={w}>{w}</li>
            ))}
          </ul>
        </div>
      )}
      {blankShown.some((b) => blank.includes(b)) && (
        <p className="error" role="alert">
          Not saved: {blank.map(labelOf).join('; ')} {blank.length === 1 ? 'is' : 'are'} empty.
        </p>
      )}
      {save.error &&
        (fieldErrors?.length ? (
          <p className="error" role="alert">
            Not saved: {fieldErrors.map((f) => `${labelOf(f.field.replace(/^settings\./, ''))} ${f.message.replace(/^settings\.[\w.]+: /, '')}`).join('; ')}.
          </p>
        ) : (
          <ErrorText error={save.error} />
        ))}
    </form>
  );
}

function FieldError({ id, text }: { id: string; text: string | undefined }) {
  if (!text) return null;
  return (
    <span id={id} className={`error small ${styles.fieldError}`}>
      {text}
    </span>
  );
}

function ListEditor(props: {
  id: string;
  spec: (typeof LISTS)[number];
  rows: string[];
  editable: boolean;
  errors: Map<string, string>;
  path: string;
  defaults: (string | number)[];
  onChange: (rows: string[]) => void;
}) {
  const { id, spec, rows, editable, errors, path } = props;
  // The row just added takes the focus, so a keyboard user types straight into it.
  const [added, setAdded] = useState<number | null>(null);
  const whole = errors.get(path);
  return (
    <fieldset className={styles.list} aria-describedby={`${id}-hint`}>
      <legend>{spec.label}</legend>
      <p id={`${id}-hint`} className="muted small">
        {spec.hint}; default {listText(props.defaults)}
      </p>
      {rows.length === 0 && <p className="small">None for this tenant.</p>}
      <ol className={styles.rows}>
        {rows.map((r, i) => {
          const error = errors.get(`${path}.${i}`);
          const rid = `${id}-${i}`;
          return (
            <li key={i}>
              {editable ? (
                <>
                  <input
                    id={rid}
                    className="mono"
                    aria-label={`${spec.label}, row ${i + 1}`}
                    type={spec.key === 'extraPorts' ? 'number' : 'text'}
                    value={r}
                    autoFocus={added === i}
                    onChange={(e) => props.onChange(rows.map((x, j) => (j === i ? e.target.value : x)))}
                    aria-invalid={error ? true : undefined}
                    aria-describedby={error ? `${rid}-error` : undefined}
                  />
                  <button type="button" onClick={() => props.onChange(rows.filter((_, j) => j !== i))}>
                    Remove<span className="sr-only"> {r || `row ${i + 1}`}</span>
                  </button>
                </>
              ) : (
                <span className="mono">{r}</span>
              )}
              <FieldError id={`${rid}-error`} text={error} />
            </li>
          );
        })}
      </ol>
      {editable && (
        <button
          type="button"
          onClick={() => {
            setAdded(rows.length);
            props.onChange([...rows, '']);
          }}
        >
          Add {spec.one === 'address' ? 'an address' : 'a port'}
        </button>
      )}
      <FieldError id={`${id}-error`} text={whole} />
    </fieldset>
  );
}
