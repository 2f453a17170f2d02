import { describe, expect, it } from 'vitest';
import { sameOriginProblem } from './same-origin';

const req = (headers: Record<string, string>) => new Request('http://console.test/api/trpc/x', { method: 'POST', headers: { host: 'console.test', ...headers } });

describe('sameOriginProblem', () => {
  it('accepts the console’s own origin', () => expect(sameOriginProblem(req({ origin: 'http://console.test', 'sec-fetch-site': 'same-origin' }), undefined)).toBeNull());
  it('refuses a missing Origin', () => expect(sameOriginProblem(req({}), undefined)).toMatch(/missing/));
  it('refuses another origin', () => expect(sameOriginProblem(req({ origin: 'http://evil.test' }), undefined)).toMatch(/not this console/));
  it('refuses a same-site but cross-origin request', () => expect(sameOriginProblem(req({ origin: 'http://console.test', 'sec-fetch-site': 'same-site' }), undefined)).toMatch(/cross-site/));
  it('uses the configured public origin behind a proxy', () => {
    expect(sameOriginProblem(req({ origin: 'https://verity.example' }), 'https://verity.example')).toBeNull();
    expect(sameOriginProblem(req({ origin: 'http://console.test' }), 'https://verity.example')).toMatch(/not this console/);
  });
});
