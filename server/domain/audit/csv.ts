// CSV rows for the audit export (RFC 4180 quoting). A cell that a spreadsheet would run as a
// formula (= + - @ at its start) is prefixed with a quote mark: exports get opened in Excel.
export const CSV_COLUMNS = ['seq', 'occurred_at', 'source', 'cluster_id', 'tenant_id', 'actor_type', 'actor', 'action', 'resource_type', 'resource_id', 'outcome', 'client_address', 'user_agent', 'details', 'hash', 'prev_hash'] as const;

export function csvCell(value: unknown): string {
  let s = value === null || value === undefined ? '' : typeof value === 'string' ? value : JSON.stringify(value);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function csvRow(cells: readonly unknown[]): string {
  return `${cells.map(csvCell).join(',')}\r\n`;
}
