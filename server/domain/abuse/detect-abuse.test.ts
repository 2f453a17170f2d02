import { describe, expect, it } from 'vitest';
import { ANOTHER_TENANT, detectAbuse } from './detect-abuse';
import { at, flow } from './test-support';
import { DEFAULT_ABUSE_SETTINGS } from './thresholds';

describe('detectAbuse', () => {
  it('names a scan’s targets in the tenant’s own namespaces, and another tenant’s only as "another tenant"', () => {
    // sandbox/trainer (this tenant) scans two of its own workloads and two in payments (another tenant).
    const denied = (minute: number, namespace: string, workload: string) => flow({ minute: at(minute), dstNamespace: namespace, dstWorkload: workload, dstIp: '', port: 5432, verdict: 'denied', count: 100 });
    const flows = [denied(0, 'sandbox', 'db'), denied(1, 'sandbox', 'cache'), denied(1, 'payments', 'postgres'), denied(2, 'payments', 'ledger')];
    const findings = detectAbuse({ flows, baseline: [], usage: [], quotas: [], ownsNamespace: (_, ns) => ns === 'sandbox' }, DEFAULT_ABUSE_SETTINGS, at(5));
    const burst = findings.find((f) => f.rule === 'denied-burst');
    expect(burst).toBeDefined();
    const evidence = burst!.evidence.kind === 'flows' ? burst!.evidence.flows : [];
    expect(evidence.map((e) => e.to).sort()).toEqual([ANOTHER_TENANT, 'sandbox/cache', 'sandbox/db']);
    // The two foreign targets are summed into one row, not listed apart.
    expect(evidence.find((e) => e.to === ANOTHER_TENANT)).toMatchObject({ count: 200, firstMinute: at(1).toISOString(), lastMinute: at(2).toISOString() });
    expect(JSON.stringify(burst)).not.toContain('payments');
    expect(JSON.stringify(burst)).not.toContain('ledger');
  });
});
