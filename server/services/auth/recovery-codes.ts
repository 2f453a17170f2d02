// One-time recovery codes: ten random 10-character codes, shown once. Stored as HMACs
// keyed with the console secret, so a copy of the table alone cannot be brute-forced.
import { createHmac, randomInt } from 'node:crypto';
import { consoleSecret } from '@/server/security/console-secret';

const ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789'; // no 0/o, 1/l/i: read aloud and typed by hand

export function newRecoveryCodes(count = 10): string[] {
  return Array.from({ length: count }, () => {
    const chars = Array.from({ length: 10 }, () => ALPHABET[randomInt(ALPHABET.length)]).join('');
    return `${chars.slice(0, 5)}-${chars.slice(5)}`;
  });
}

export function normaliseRecoveryCode(code: string): string {
  const compact = code.toLowerCase().replace(/[^a-z0-9]/g, '');
  return `${compact.slice(0, 5)}-${compact.slice(5)}`;
}

export function hashRecoveryCode(code: string): string {
  return createHmac('sha256', consoleSecret()).update(`recovery:${code}`).digest('hex');
}
