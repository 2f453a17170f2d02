'use client';
// The preview of a PeerAuthentication change as the approver reads it: the STRICT-readiness
// list (plaintext connections observed in the window that the change would start rejecting),
// what was already rejected, and each workload whose effective mTLS mode changes.
import type { MeshPreview } from '@/server/domain/changes/mesh-preview';
import { Empty } from '@/components/ui/status';
import '@/components/policy/policy.css';

const when = (iso: string) => iso.slice(0, 16).replace('T', ' ');

export function MeshPreviewView({ mesh }: { mesh: MeshPreview }) {
  return (
    <section className="card" aria-labelledby="strict-readiness">
      <h2 id="strict-readiness">STRICT readiness</h2>
      <p className="small">
        Namespaces this change reaches: {mesh.namespaces.join(', ') || 'none'}. Connections observed between {when(mesh.window.from)} and {when(mesh.window.to)} UTC; plaintext that did not
        happen in this window is not covered.
      </p>
      {mesh.breaking.length === 0 ? (
        <p className="mesh-ok" data-testid="strict-ready">
          ✓ Ready: no plaintext connection observed in the window would be rejected by this change.
        </p>
      ) : (
        <>
          <p className="mesh-warn">
            ⚠ This change would break {mesh.breaking.length} plaintext connection{mesh.breaking.length === 1 ? '' : 's'} (a client without a sidecar, or one that bypasses it):
          </p>
          <table>
            <caption className="sr-only">Connections STRICT would reject</caption>
            <thead>
              <tr>
                <th scope="col">From</th>
                <th scope="col">To</th>
                <th scope="col">Port</th>
                <th scope="col">Plaintext</th>
                <th scope="col">Of all</th>
                <th scope="col">Mode now</th>
              </tr>
            </thead>
            <tbody>
              {mesh.breaking.map((b) => (
                <tr key={`${b.source}>${b.target}:${b.port}/${b.protocol}`}>
                  <td>{b.sourceLabel}</td>
                  <td>{b.targetLabel}</td>
                  <td>
                    {b.port}/{b.protocol}
                  </td>
                  <td>{b.plaintext.toLocaleString()}</td>
                  <td>{b.total.toLocaleString()}</td>
                  <td>{b.currentMode}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
      {mesh.alreadyRejected.length > 0 && (
        <p className="small muted">
          Already rejected today (STRICT before and after): {mesh.alreadyRejected.map((b) => `${b.sourceLabel} → ${b.targetLabel}:${b.port} (${b.plaintext})`).join('; ')}
        </p>
      )}
      <h3>Effective mode</h3>
      {mesh.modeChanges.length === 0 ? (
        <Empty>No workload's effective mTLS mode changes.</Empty>
      ) : (
        <ul className="small">
          {mesh.modeChanges.map((m) => (
            <li key={`${m.workload}:${m.port ?? ''}`}>
              {m.workload}
              {m.port !== null ? ` port ${m.port}` : ''}: {m.before} → <strong>{m.after}</strong>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
