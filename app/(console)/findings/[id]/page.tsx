import { notFound } from 'next/navigation';
import { FindingDetail } from '@/components/abuse/finding-detail';
import { getFinding } from '@/server/services/abuse/read-findings';
import { ServiceError } from '@/server/services/errors';
import { currentSession, pageContext } from '@/server/web/current-session';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export default async function FindingPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const { db, resolved } = await currentSession();
  if (!resolved.ok) return null;
  if (!UUID.test(id)) notFound();
  // Another tenant's finding, an unknown id, or no permission: the same 404.
  await getFinding(pageContext(db, resolved), { id }).catch((err) => {
    if (err instanceof ServiceError) notFound();
    throw err;
  });
  return <FindingDetail id={id} />;
}
