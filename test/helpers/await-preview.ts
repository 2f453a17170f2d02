// Submits a change and waits for its background preview (dry run included) to set the digest
// approvers sign, as a person waits on the change page.
import { eq } from 'drizzle-orm';
import { changeRequests } from '@/db/schema/hand-written/changes';
import { systemContext } from '@/db/seed/factories';
import type { ServiceContext } from '@/server/services/context';
import { submitChange } from '@/server/services/changes/submit-change';
import { inScope } from '@/server/services/scope';
import { until } from './until';

export async function previewDigest(ctx: ServiceContext, changeId: string, ms = 20_000): Promise<string> {
  return until(async () => {
    const [row] = await inScope(systemContext(ctx.db), (tx) => tx.select({ digest: changeRequests.digest }).from(changeRequests).where(eq(changeRequests.id, changeId)));
    return row?.digest ?? null;
  }, ms);
}

export async function submitAndPreview(ctx: ServiceContext, changeId: string): Promise<{ digest: string }> {
  await submitChange(ctx, { changeId });
  return { digest: await previewDigest(ctx, changeId) };
}
