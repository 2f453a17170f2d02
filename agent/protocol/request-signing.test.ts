import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { bodyDigest, signBundle, signRequest, timestampProblem, verifyBundleSignature, verifyRequestSignature } from './request-signing';

const { privateKey, publicKey } = generateKeyPairSync('ed25519');
const pub = publicKey.export({ type: 'spki', format: 'pem' }).toString();
const parts = { method: 'POST', path: '/api/agent/v1/flows', timestamp: '1763900000000', nonce: 'n-1', bodyDigest: bodyDigest('{"a":1}') };

describe('agent request signing', () => {
  it('verifies what was signed', () => {
    expect(verifyRequestSignature(pub, parts, signRequest(privateKey, parts))).toBe(true);
  });
  it.each([
    ['body', { bodyDigest: bodyDigest('{"a":2}') }],
    ['path', { path: '/api/agent/v1/inventory' }],
    ['method', { method: 'GET' }],
    ['timestamp', { timestamp: '1763900000001' }],
    ['nonce', { nonce: 'n-2' }],
  ])('rejects a request whose %s changed', (_, change) => {
    const sig = signRequest(privateKey, parts);
    expect(verifyRequestSignature(pub, { ...parts, ...change }, sig)).toBe(false);
  });
  it('rejects another key and garbage', () => {
    const other = generateKeyPairSync('ed25519');
    expect(verifyRequestSignature(pub, parts, signRequest(other.privateKey, parts))).toBe(false);
    expect(verifyRequestSignature(pub, parts, 'not base64!')).toBe(false);
    expect(verifyRequestSignature('not a key', parts, signRequest(privateKey, parts))).toBe(false);
  });
  it('checks clock skew both ways, at 60 s', () => {
    const now = new Date(1_763_900_000_000);
    expect(timestampProblem(String(now.getTime() - 60_000), now)).toBeNull();
    expect(timestampProblem(String(now.getTime() - 60_001), now)).toBe('too-old');
    expect(timestampProblem(String(now.getTime() + 60_001), now)).toBe('too-new');
    expect(timestampProblem('yesterday', now)).toBe('malformed');
  });
  it('signs and verifies bundles', () => {
    const sig = signBundle(privateKey, '{"x":1}');
    expect(verifyBundleSignature(pub, '{"x":1}', sig)).toBe(true);
    expect(verifyBundleSignature(pub, '{"x":2}', sig)).toBe(false);
  });
});
