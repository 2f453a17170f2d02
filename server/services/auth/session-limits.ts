// Session lifetimes from the configuration, in the form the pure session policy takes.
import { loadConfig } from '@/server/config';
import type { SessionLimits } from '@/server/domain/identity/session-policy';

export function sessionLimits(): SessionLimits {
  const c = loadConfig();
  return { idleMs: c.VERITY_SESSION_IDLE_MINUTES * 60_000, absoluteMs: c.VERITY_SESSION_ABSOLUTE_HOURS * 3_600_000 };
}
