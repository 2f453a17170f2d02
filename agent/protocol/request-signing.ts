// How an agent signs its requests and how the console checks them: Ed25519 over the
// method, path (with query), timestamp, a nonce and the body's SHA-256, so a request can
// be neither altered, moved to another endpoint, delayed past the skew window, nor replayed.
import { createHash, createPrivateKey, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';

export const MAX_SKEW_MS = 60_000;

export const HEADERS = {
  agent: 'x-verity-agent',
  timestamp: 'x-verity-timestamp',
  nonce: 'x-verity-nonce',
  signature: 'x-verity-signature',
} as const;

export function bodyDigest(body: string | Uint8Array): string {
  return createHash('sha256').update(body).digest('hex');
}

export function signingString(parts: { method: string; path: string; timestamp: string; nonce: string; bodyDigest: string }): string {
  return ['VERITY-AGENT-V1', parts.method.toUpperCase(), parts.path, parts.timestamp, parts.nonce, parts.bodyDigest].join('\n');
}

export function signRequest(privateKey: KeyObject | string, parts: Parameters<typeof signingString>[0]): string {
  const key = typeof privateKey === 'string' ? createPrivateKey(privateKey) : privateKey;
  return sign(null, Buffer.from(signingString(parts)), key).toString('base64');
}

export function verifyRequestSignature(publicKeyPem: string, parts: Parameters<typeof signingString>[0], signature: string): boolean {
  try {
    return verify(null, Buffer.from(signingString(parts)), createPublicKey(publicKeyPem), Buffer.from(signature, 'base64'));
  } catch {
    return false;
  }
}

export type SkewProblem = 'malformed' | 'too-old' | 'too-new';

/** Whether a request's timestamp (ms since epoch, as sent) is within the allowed skew of now. */
export function timestampProblem(timestamp: string, now: Date): SkewProblem | null {
  if (!/^\d{10,16}$/.test(timestamp)) return 'malformed';
  const delta = now.getTime() - Number(timestamp);
  if (delta > MAX_SKEW_MS) return 'too-old';
  if (delta < -MAX_SKEW_MS) return 'too-new';
  return null;
}

/** Ed25519 signatures over command bundles (the console signs, the agent verifies with the pinned key). */
export function signBundle(privateKey: KeyObject | string, bundle: string): string {
  const key = typeof privateKey === 'string' ? createPrivateKey(privateKey) : privateKey;
  return sign(null, Buffer.from(bundle), key).toString('base64');
}

export function verifyBundleSignature(publicKeyPem: string, bundle: string, signature: string): boolean {
  try {
    return verify(null, Buffer.from(bundle), createPublicKey(publicKeyPem), Buffer.from(signature, 'base64'));
  } catch {
    return false;
  }
}
