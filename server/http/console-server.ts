// The console's HTTP server: Next.js behind a thin layer that fixes what Next cannot know
// or enforce on its own: the real client address, request size limits, and security
// headers with a per-request CSP nonce. The database is opened and migrated before listening.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import next from 'next';
import { loadConfig } from '../config';
import { getDatabase } from '../database';
import { startAbuseSchedule } from '../services/abuse/abuse-schedule';
import { startAuditSchedule } from '../services/audit/audit-schedule';
import { startPreviewWorker } from '../services/changes/preview-pipeline';
import { startExpirySweeper } from '../services/changes/expiry-schedule';
import { startFlowRollups } from '../services/graph/rollup-schedule';
import { clientAddress } from './client-address';
import { newNonce, securityHeaders } from './security-headers';

export const MAX_BODY_BYTES = 1024 * 1024;
// Agents send inventory snapshots and flow batches; their requests are signed, but the body
// is read before the signature is checked, so it is bounded too.
export const MAX_AGENT_BODY_BYTES = 32 * 1024 * 1024;

export async function startConsoleServer(opts: { dir: string; dev?: boolean; onListening?: (url: string) => void }) {
  const config = loadConfig();
  const dev = opts.dev ?? false;
  const database = await getDatabase();
  const app = next({ dev, dir: opts.dir, hostname: config.HOST, port: config.PORT });
  const handle = app.getRequestHandler();
  await app.prepare();
  const trusted = config.VERITY_TRUSTED_PROXIES.split(',').map((s) => s.trim()).filter(Boolean);

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const forwardedProto = trusted.length ? String(req.headers['x-forwarded-proto'] ?? '') : '';
    const https = forwardedProto === 'https' || (config.VERITY_ORIGIN?.startsWith('https:') ?? false);
    // Whatever the client sent under our internal header names is discarded.
    req.headers['x-verity-client-address'] = clientAddress(req.socket.remoteAddress, req.headers['x-forwarded-for'] as string | undefined, trusted) ?? '';
    req.headers['x-verity-proto'] = https ? 'https' : 'http';

    const nonce = newNonce();
    const headers = securityHeaders({ nonce, https, dev });
    req.headers['content-security-policy'] = headers['Content-Security-Policy'];
    for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);

    if (req.method !== 'GET' && req.method !== 'HEAD') {
      const length = req.headers['content-length'];
      if (length === undefined && req.headers['transfer-encoding']) return reject(res, 411, 'A Content-Length is required');
      const limit = req.url?.startsWith('/api/agent/') ? MAX_AGENT_BODY_BYTES : MAX_BODY_BYTES;
      if (length !== undefined && Number(length) > limit) return reject(res, 413, `Request body exceeds ${limit} bytes`);
    }
    handle(req, res).catch((err: unknown) => {
      console.error('request failed', err instanceof Error ? err.message : err);
      if (!res.headersSent) reject(res, 500, 'Internal error');
    });
  });

  await new Promise<void>((resolve) => server.listen(config.PORT, config.HOST, resolve));
  const url = `http://${config.HOST}:${config.PORT}`;
  opts.onListening?.(url);
  // Signed checkpoints of the audit chain head (and retention, when configured).
  const stopAuditSchedule = startAuditSchedule(database.db);
  // Abuse findings and activity-based sleep, once a minute (one process at a time).
  const stopAbuseSchedule = startAbuseSchedule(database.db);
  // Change previews other processes left unfinished, and dry runs past their deadline.
  const stopPreviewWorker = startPreviewWorker(database.db);
  // Time-bound grants removed when they expire; changes whose approvals lapsed before apply expired.
  const stopExpirySweeper = startExpirySweeper(database.db);
  // Closed 10-minute and hourly buckets of flows summed, so long graph ranges read few rows.
  const stopFlowRollups = startFlowRollups(database.db);

  const shutdown = async () => {
    stopAuditSchedule();
    stopAbuseSchedule();
    stopPreviewWorker();
    stopExpirySweeper();
    stopFlowRollups();
    server.close();
    await app.close?.();
    await database.close();
    process.exit(0);
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
  return { server, url, database };
}

function reject(res: ServerResponse, status: number, message: string) {
  res.statusCode = status;
  res.setHeader('content-type', 'application/json');
  res.end(JSON.stringify({ error: { message } }));
}
