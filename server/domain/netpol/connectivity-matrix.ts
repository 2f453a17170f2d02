// The truth table: every (source, destination) pair of a set of members for each port,
// as the CLI prints it and the policy editor shows beside a draft.
import type { NetpolEngine } from './evaluate-connection';
import type { Protocol } from './model';

/** A port to probe. A name resolves per destination; where it does not exist the cell is null. */
export interface MatrixPort {
  port: number | string;
  protocol?: Protocol;
}

export interface ConnectivityMatrix {
  members: string[];
  ports: { label: string; cells: (boolean | null)[][] }[];
}

export function connectivityMatrix(engine: NetpolEngine, memberIndexes: readonly number[], ports: readonly MatrixPort[]): ConnectivityMatrix {
  const members = memberIndexes.map((m) => engine.describe({ member: m }));
  return {
    members,
    ports: ports.map((mp) => ({
      label: `${mp.port}/${mp.protocol ?? (typeof mp.port === 'string' ? 'named' : 'TCP')}`,
      cells: memberIndexes.map((src) =>
        memberIndexes.map((dst) => {
          let port: number;
          let protocol: Protocol = mp.protocol ?? 'TCP';
          if (typeof mp.port === 'number') port = mp.port;
          else {
            const cp = engine.members[dst]!.ports.find((p) => p.name === mp.port);
            if (!cp || (mp.protocol && cp.protocol !== mp.protocol)) return null;
            port = cp.port;
            protocol = cp.protocol;
          }
          return engine.allows({ source: { member: src }, destination: { member: dst }, port, protocol });
        }),
      ),
    })),
  };
}

/** Rows are sources, columns destinations; `.` allowed, `X` denied, `-` no such named port. */
export function formatMatrix(matrix: ConnectivityMatrix): string {
  const out: string[] = [];
  const width = Math.max(4, ...matrix.members.map((m) => m.length));
  const numbered = matrix.members.map((m, i) => `${i + 1}`);
  for (const p of matrix.ports) {
    out.push(`port ${p.label} (rows: from, columns: to; . allow, X deny, - no such port)`);
    out.push(`${''.padEnd(width + 5)}${numbered.map((n) => n.padStart(3)).join('')}`);
    p.cells.forEach((row, i) => {
      const label = `${String(i + 1).padStart(3)}  ${matrix.members[i]!.padEnd(width)}`;
      out.push(`${label}${row.map((c) => (c === null ? '-' : c ? '.' : 'X').padStart(3)).join('')}`);
    });
    out.push('');
  }
  return out.join('\n');
}
