// The annotation that makes a binding time-bound, and how its value is read. Shared by the
// console (which validates a draft's expiry and sweeps expired grants) and the agent (which
// checks a removal against the grant's approved expiry), so both read the same moment from
// the same text, and text one of them refuses the other cannot take for some other moment.
export const EXPIRES_ANNOTATION = 'verity.dev/expires-at';

/** An RFC 3339 moment with its zone, or null. "18:00" alone would mean a different moment on every machine. */
export function parseExpiry(value: unknown): Date | null {
  if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/.test(value)) return null;
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? null : d;
}
