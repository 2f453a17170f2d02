// Streamed export of an audit search (NDJSON, CSV, or a verifiable bundle), authenticated
// by the session cookie. See server/services/audit/export-http.ts.
import { getDatabase } from '@/server/database';
import { handleAuditExport } from '@/server/services/audit/export-http';

export const dynamic = 'force-dynamic';

export async function GET(req: Request) {
  const { db } = await getDatabase();
  return handleAuditExport(db, req);
}
