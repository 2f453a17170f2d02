// The tRPC endpoint. Writes must come from the console's own origin; internal errors are
// logged here by path and message only (inputs may hold passwords and are never logged).
import { fetchRequestHandler } from '@trpc/server/adapters/fetch';
import { loadConfig } from '@/server/config';
import { getDatabase } from '@/server/database';
import { sameOriginProblem } from '@/server/http/same-origin';
import { appRouter } from '@/server/trpc/app-router';
import { createTrpcContext } from '@/server/trpc/context';

export const dynamic = 'force-dynamic';

async function handler(req: Request) {
  if (req.method !== 'GET') {
    const problem = sameOriginProblem(req, loadConfig().VERITY_ORIGIN);
    if (problem) return Response.json({ error: { message: `Forbidden: ${problem}` } }, { status: 403 });
  }
  const { db } = await getDatabase();
  return fetchRequestHandler({
    endpoint: '/api/trpc',
    req,
    router: appRouter,
    allowMethodOverride: false,
    createContext: ({ resHeaders }) => createTrpcContext({ db, req, resHeaders }),
    onError({ error, path }) {
      if (error.code === 'INTERNAL_SERVER_ERROR') console.error(`tRPC ${path ?? '?'} failed: ${error.cause?.message ?? error.message}`);
    },
  });
}

export { handler as GET, handler as POST };
