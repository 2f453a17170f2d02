// The evidence chart of a usage finding: CPU in use against the CPU limit, minute by minute,
// with inbound connections as bars below. An inline SVG drawn from the points (no script, so
// the page's CSP holds); a table of the same figures follows for screen readers.
interface Point {
  minute: string;
  cpuMillicores: number;
  cpuLimitMillicores: number;
  inbound: number;
}

const W = 720;
const H = 200;
const PAD = { left: 56, right: 12, top: 12, bottom: 60 };

export function UsageChart({ points }: { points: Point[] }) {
  if (points.length === 0) return <p className="muted">No usage points were kept with this finding.</p>;
  const t0 = Date.parse(points[0]!.minute);
  const t1 = Math.max(t0 + 60_000, Date.parse(points.at(-1)!.minute));
  const maxCpu = Math.max(1, ...points.map((p) => Math.max(p.cpuMillicores, p.cpuLimitMillicores)));
  const maxIn = Math.max(1, ...points.map((p) => p.inbound));
  const plotH = H - PAD.top - PAD.bottom;
  const x = (m: string) => PAD.left + ((Date.parse(m) - t0) / (t1 - t0)) * (W - PAD.left - PAD.right);
  const y = (v: number) => PAD.top + plotH - (v / maxCpu) * plotH;
  const line = (pick: (p: Point) => number) => points.map((p, i) => `${i === 0 ? 'M' : 'L'}${x(p.minute).toFixed(1)},${y(pick(p)).toFixed(1)}`).join(' ');
  const barBase = H - 8;
  const barH = 36;
  return (
    <figure style={{ margin: 0 }}>
      <svg viewBox={`0 0 ${W} ${H}`} width="100%" role="img" aria-label={`CPU use against its limit over ${points.length} minutes, with inbound connections`}>
        <line x1={PAD.left} x2={W - PAD.right} y1={y(0)} y2={y(0)} stroke="currentColor" opacity={0.3} />
        <text x={PAD.left - 6} y={y(maxCpu) + 4} textAnchor="end" fontSize="11" fill="currentColor">
          {Math.round(maxCpu)}m
        </text>
        <text x={PAD.left - 6} y={y(0) + 4} textAnchor="end" fontSize="11" fill="currentColor">
          0
        </text>
        <path d={line((p) => p.cpuLimitMillicores)} fill="none" stroke="#e5a50a" strokeWidth={2} strokeDasharray="6 4" />
        <path d={line((p) => p.cpuMillicores)} fill="none" stroke="#e01b24" strokeWidth={2} />
        {points.map((p) => (
          <rect key={p.minute} x={x(p.minute) - 1.5} width={3} y={barBase - (p.inbound / maxIn) * barH} height={(p.inbound / maxIn) * barH} fill="#3584e4" />
        ))}
        <text x={PAD.left} y={H - 48} fontSize="11" fill="currentColor">
          inbound connections a minute (max {maxIn})
        </text>
        <text x={PAD.left} y={PAD.top + plotH + 14} fontSize="11" fill="currentColor">
          {points[0]!.minute.slice(11, 16)} UTC
        </text>
        <text x={W - PAD.right} y={PAD.top + plotH + 14} fontSize="11" fill="currentColor" textAnchor="end">
          {points.at(-1)!.minute.slice(11, 16)} UTC
        </text>
      </svg>
      <figcaption className="small muted">
        <span style={{ color: '#e01b24' }}>━</span> CPU in use · <span style={{ color: '#e5a50a' }}>╍</span> CPU limit (millicores) · <span style={{ color: '#3584e4' }}>▮</span> inbound connections
      </figcaption>
      <details>
        <summary className="small">The figures</summary>
        <table className="small">
          <thead>
            <tr>
              <th scope="col">Minute (UTC)</th>
              <th scope="col">CPU (m)</th>
              <th scope="col">Limit (m)</th>
              <th scope="col">Inbound</th>
            </tr>
          </thead>
          <tbody>
            {points.map((p) => (
              <tr key={p.minute}>
                <td>{p.minute.slice(0, 16).replace('T', ' ')}</td>
                <td>{p.cpuMillicores}</td>
                <td>{p.cpuLimitMillicores}</td>
                <td>{p.inbound}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </figure>
  );
}
