// The HTTP side of the audit export: the session cookie identifies the caller (as for tRPC),
// the query string carries the same filters as the page's URL, and the body streams.
import type { Db } from '@/db/client';
import { filtersFromSearchParams } from '@/server/domain/audit/audit-filters';
import { resolveSession } from '@/server/services/auth/resolve-session';
import { SESSION_COOKIE } from '@/server/services/auth/session-cookie';
import { readCookie } from '@/server/trpc/context';
import type { ServiceContext } from '../context';
import { ServiceError } from '../errors';
import { type ExportFormat, exportAuditEvents } from './export-events';

const TYPES: Record<ExportFormat, string> = {
  ndjson: 'application/x-ndjson; charset=utf-8',
  csv: 'text/csv; charset=utf-8',
  bundle: 'application/x-ndjson; charset=utf-8',
};
const STATUS: Record<ServiceError['code'], number> = { UNAUTHORIZED: 401, FORBIDDEN: 403, NOT_FOUND: 404, CONFLICT: 409, BAD_REQUEST: 400, TOO_MANY_REQUESTS: 429 };

export async function handleAuditExport(db: Db, req: Request, now: () => Date = () => new Date()): Promise<Response> {
  const url = new URL(req.url);
  const format = url.searchParams.get('format') ?? 'ndjson';
  if (format !== 'ndjson' && format !== 'csv' && format !== 'bundle') return Response.json({ error: { message: 'format must be ndjson, csv or bundle' } }, { status: 400 });
  const session = await resolveSession(db, readCookie(req.headers.get('cookie'), SESSION_COOKIE), now());
  if (!session.ok || session.session.stage !== 'active') return Response.json({ error: { message: 'Sign in first' } }, { status: 401 });
  const ctx: ServiceContext = {
    db,
    now,
    principal: { kind: 'user', userId: session.user.id, email: session.user.email, grants: session.grants, mfaVerified: session.session.mfaVerified, sessionId: session.session.id },
    client: { address: req.headers.get('x-verity-client-address') || null, userAgent: req.headers.get('user-agent') },
  };
  let chunks: AsyncGenerator<string>;
  try {
    chunks = await exportAuditEvents(ctx, filtersFromSearchParams(url.searchParams), format);
  } catch (err) {
    if (err instanceof ServiceError) return Response.json({ error: { message: err.message } }, { status: STATUS[err.code] });
    throw err;
  }
  const encoder = new TextEncoder();
  const body = new ReadableStream<Uint8Array>({
    // pull: the next batch is read only when the client has taken the previous one.
    async pull(controller) {
      try {
        const { value, done } = await chunks.next();
        if (done) controller.close();
        else controller.enqueue(encoder.encode(value));
      } catch (err) {
        console.error('audit export failed', err instanceof Error ? err.message : err);
        controller.error(err);
      }
    },
    async cancel() {
      await chunks.return(undefined);
    },
  });
  const stamp = now().toISOString().replace(/[:.]/g, '-');
  const name = format === 'bundle' ? `verity-audit-bundle-${stamp}.ndjson` : `verity-audit-${stamp}.${format}`;
  return new Response(body, { headers: { 'content-type': TYPES[format], 'content-disposition': `attachment; filename="${name}"`, 'cache-control': 'no-store' } });
}
