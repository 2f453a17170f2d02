import { notFound } from 'next/navigation';
import { ChangeDetail } from '@/components/changes/change-detail';
import { ServiceError } from '@/server/services/errors';
import { getChange } from '@/server/services/changes/read-changes';
import { currentSession, pageContext } from '@/server/web/current-session';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export default async function ChangePage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const { db, resolved } = await currentSession();
  if (!resolved.ok) return null;
  if (!UUID.test(id)) notFound();
  // Someone else's tenant's change, an unknown id, or no permission: the same 404.
  await getChange(pageContext(db, resolved), { changeId: id }).catch((err) => {
    if (err instanceof ServiceError) notFound();
    throw err;
  });
  return <ChangeDetail changeId={id} />;
}
