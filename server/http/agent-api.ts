// The agent API: enrollment (by one-time token) and every other call signed by the agent's
// key. Each body is validated against the protocol schema; errors name what was wrong.
import type { z } from 'zod';
import { AGENT_API_PREFIX, AuditBatch, CommandResult, EnrollRequest, FlowBatch, Heartbeat, InventoryBatch, UsageBatch } from '@/agent/protocol/messages';
import type { Database } from '@/db/client';
import { authenticateAgent } from '@/server/services/agents/authenticate-agent';
import { COMMANDS_CHANNEL, recordCommandResult, takeCommands } from '@/server/services/agents/commands';
import { enrollAgent } from '@/server/services/agents/enroll-agent';
import { ingestFlows } from '@/server/services/agents/ingest-flows';
import { ingestInventory } from '@/server/services/agents/ingest-inventory';
import { ingestKubeAudit } from '@/server/services/agents/ingest-kube-audit';
import { ingestUsage } from '@/server/services/agents/ingest-usage';
import { recordHeartbeat } from '@/server/services/agents/record-heartbeat';
import type { ServiceContext } from '@/server/services/context';
import { ServiceError } from '@/server/services/errors';

const MAX_WAIT_S = 30;
const STATUS: Record<ServiceError['code'], number> = { UNAUTHORIZED: 401, FORBIDDEN: 403, NOT_FOUND: 404, CONFLICT: 409, BAD_REQUEST: 400, TOO_MANY_REQUESTS: 429 };

const json = (status: number, body: unknown) => Response.json(body, { status, headers: { 'cache-control': 'no-store' } });
const problem = (status: number, message: string, field?: string) => json(status, { error: { message, ...(field ? { field } : {}) } });

function parse<T extends z.ZodType>(schema: T, text: string): { ok: true; value: z.infer<T> } | { ok: false; response: Response } {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return { ok: false, response: problem(400, 'Malformed JSON in the request body') };
  }
  const parsed = schema.safeParse(raw);
  if (parsed.success) return { ok: true, value: parsed.data };
  const issue = parsed.error.issues[0]!;
  const field = issue.path.join('.') || '(body)';
  return { ok: false, response: problem(400, `Invalid ${field}: ${issue.message}`, field) };
}

export async function handleAgentRequest(database: Database, req: Request, now: () => Date = () => new Date()): Promise<Response> {
  const url = new URL(req.url);
  const route = url.pathname.slice(AGENT_API_PREFIX.length);
  const client = { address: req.headers.get('x-verity-client-address') || null, userAgent: req.headers.get('user-agent') };
  const body = req.method === 'GET' ? '' : await req.text();
  const base: ServiceContext = { db: database.db, now, principal: { kind: 'anonymous' }, client };

  try {
    if (route === '/enroll' && req.method === 'POST') {
      const input = parse(EnrollRequest, body);
      return input.ok ? json(200, await enrollAgent(base, input.value)) : input.response;
    }

    const auth = await authenticateAgent(database.db, { method: req.method, path: url.pathname + url.search, headers: req.headers, body }, now(), client);
    if (!auth.ok) return problem(auth.status, `Agent request refused: ${auth.reason}`);
    const ctx: ServiceContext = { ...base, principal: auth.principal };

    switch (`${req.method} ${route}`) {
      case 'POST /inventory': {
        const input = parse(InventoryBatch, body);
        return input.ok ? json(200, await ingestInventory(ctx, input.value)) : input.response;
      }
      case 'POST /flows': {
        const input = parse(FlowBatch, body);
        return input.ok ? json(200, await ingestFlows(ctx, input.value)) : input.response;
      }
      case 'POST /usage': {
        const input = parse(UsageBatch, body);
        return input.ok ? json(200, await ingestUsage(ctx, input.value)) : input.response;
      }
      case 'POST /audit': {
        const input = parse(AuditBatch, body);
        return input.ok ? json(200, await ingestKubeAudit(ctx, input.value)) : input.response;
      }
      case 'POST /heartbeat': {
        const input = parse(Heartbeat, body);
        if (!input.ok) return input.response;
        await recordHeartbeat(ctx, input.value);
        return json(200, { ok: true });
      }
      case 'GET /commands': {
        const wait = Math.min(MAX_WAIT_S, Math.max(0, Number(url.searchParams.get('wait') ?? 0) || 0));
        return json(200, { commands: await waitForCommands(database, ctx, auth.principal.clusterId, wait * 1000, req.signal) });
      }
      case 'POST /command-results': {
        const input = parse(CommandResult, body);
        return input.ok ? json(200, await recordCommandResult(ctx, input.value)) : input.response;
      }
      default:
        return problem(404, `No agent API endpoint ${req.method} ${route}`);
    }
  } catch (err) {
    if (err instanceof ServiceError) return problem(STATUS[err.code], err.message, err.field);
    console.error(`agent API ${req.method} ${route} failed: ${err instanceof Error ? err.message : String(err)}`);
    return problem(500, 'Internal error');
  }
}

/**
 * Long poll: answers as soon as a command is waiting, woken by NOTIFY from whichever
 * console process issued it, with a periodic re-check in case a notification was missed.
 */
async function waitForCommands(database: Database, ctx: ServiceContext, clusterId: string, waitMs: number, signal: AbortSignal) {
  const first = await takeCommands(ctx);
  if (first.length > 0 || waitMs === 0) return first;
  let wake: () => void = () => {};
  const stop = await database.listen(COMMANDS_CHANNEL, (payload) => payload === clusterId && wake());
  try {
    const deadline = Date.now() + waitMs;
    while (Date.now() < deadline && !signal.aborted) {
      await new Promise<void>((resolve) => {
        wake = resolve;
        setTimeout(resolve, Math.min(2_000, deadline - Date.now()));
      });
      const found = await takeCommands(ctx);
      if (found.length > 0) return found;
    }
    return [];
  } finally {
    await stop();
  }
}
