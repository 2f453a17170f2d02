// The agent API endpoint; the handling lives in server/http/agent-api.ts.
import { getDatabase } from '@/server/database';
import { handleAgentRequest } from '@/server/http/agent-api';

export const dynamic = 'force-dynamic';

async function handler(req: Request) {
  return handleAgentRequest(await getDatabase(), req);
}

export { handler as GET, handler as POST };
