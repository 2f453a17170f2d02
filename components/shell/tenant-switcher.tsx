'use client';
// Jumps to one of the caller's tenants; the list comes from the server, already scoped.
import { useRouter } from 'next/navigation';

export function TenantSwitcher({ tenants, current }: { tenants: { slug: string; name: string }[]; current?: string }) {
  const router = useRouter();
  if (tenants.length === 0) return null;
  return (
    <label className="switcher">
      <select value={current ?? ''} onChange={(e) => e.target.value && router.push(`/tenants/${e.target.value}`)} aria-label="Switch tenant">
        <option value="">All my tenants</option>
        {tenants.map((t) => (
          <option key={t.slug} value={t.slug}>
            {t.name}
          </option>
        ))}
      </select>
    </label>
  );
}
