// The agent's side of the agent API: enrollment, then every request signed with the
// agent's key. Outbound only: the agent always initiates.
import { randomBytes, type KeyObject } from 'node:crypto';
import { AGENT_API_PREFIX, type EnrollRequest, EnrollResponse } from './protocol/messages';
import { bodyDigest, HEADERS, signRequest } from './protocol/request-signing';

export type Fetch = typeof fetch;

export class ConsoleClient {
  constructor(
    private readonly consoleUrl: string,
    private readonly agentId: string,
    private readonly privateKey: KeyObject,
    private readonly fetchImpl: Fetch = fetch,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async request(method: 'GET' | 'POST', pathAndQuery: string, body?: string, signal?: AbortSignal): Promise<Response> {
    const path = `${AGENT_API_PREFIX}${pathAndQuery}`;
    const payload = body ?? '';
    const timestamp = String(this.now().getTime());
    const nonce = randomBytes(16).toString('base64url');
    const signature = signRequest(this.privateKey, { method, path, timestamp, nonce, bodyDigest: bodyDigest(payload) });
    return this.fetchImpl(new URL(path, this.consoleUrl), {
      method,
      body: method === 'GET' ? undefined : payload,
      signal,
      headers: {
        'content-type': 'application/json',
        'user-agent': 'verity-agent',
        [HEADERS.agent]: this.agentId,
        [HEADERS.timestamp]: timestamp,
        [HEADERS.nonce]: nonce,
        [HEADERS.signature]: signature,
      },
    });
  }
}

export async function enroll(consoleUrl: string, request: EnrollRequest, fetchImpl: Fetch = fetch): Promise<EnrollResponse> {
  const res = await fetchImpl(new URL(`${AGENT_API_PREFIX}/enroll`, consoleUrl), {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'user-agent': 'verity-agent' },
    body: JSON.stringify(request),
  });
  const body = (await res.json().catch(() => ({}))) as { error?: { message?: string } };
  if (!res.ok) throw new Error(`enrollment refused (${res.status}): ${body.error?.message ?? 'no reason given'}`);
  return EnrollResponse.parse(body);
}
