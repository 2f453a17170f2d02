// Random bearer tokens (session cookies, setup links) and how they are stored: only their
// SHA-256. The tokens carry 256 bits of entropy, so a fast hash is enough.
import { createHash, randomBytes } from 'node:crypto';

export function newToken(): string {
  return randomBytes(32).toString('base64url');
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}
