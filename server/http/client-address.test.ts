import { describe, expect, it } from 'vitest';
import { clientAddress } from './client-address';

describe('clientAddress', () => {
  it('uses the socket peer and ignores X-Forwarded-For from an untrusted peer', () => {
    expect(clientAddress('::ffff:203.0.113.5', '1.2.3.4', [])).toBe('203.0.113.5');
  });
  it('believes a trusted proxy, taking the right-most hop that is not a proxy', () => {
    expect(clientAddress('10.0.0.2', '1.2.3.4, 198.51.100.7, 10.0.0.3', ['10.0.0.2', '10.0.0.3'])).toBe('198.51.100.7');
  });
  it('falls back to the peer when a trusted proxy sends no header', () => {
    expect(clientAddress('10.0.0.2', undefined, ['10.0.0.2'])).toBe('10.0.0.2');
  });
});
