import { notFound } from 'next/navigation';
import { ChangeEditor } from '@/components/changes/change-editor';
import type { EditorProblem } from '@/components/changes/yaml-editor';
import { ServiceError } from '@/server/services/errors';
import { getChange } from '@/server/services/changes/read-changes';
import { currentSession, pageContext } from '@/server/web/current-session';

export default async function EditChangePage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const { db, resolved } = await currentSession();
  if (!resolved.ok) return null;
  const change = await getChange(pageContext(db, resolved), { changeId: id }).catch((err) => {
    if (err instanceof ServiceError) notFound();
    throw err;
  });
  if (!change.viewer.isRequester) notFound();
  return (
    <>
      <h1>Edit change request</h1>
      {change.status === 'pending' && <p className="banner warn">This change is waiting for approval. Saving an edit sends it back to draft, and its approvals stop counting.</p>}
      <ChangeEditor
        globalAllowed={resolved.grants.some((g) => g.tenantId === null)}
        initial={{ id: change.id, revision: change.revision, tenantId: change.tenantId, clusterId: change.clusterId, title: change.title, description: change.description, sourceText: change.sourceText, deletes: change.deletes, problems: change.problems as EditorProblem[] }}
      />
    </>
  );
}
