// `verity admin create`: the first security admin (or any later one), created from the
// console's own host. No password is chosen here: a one-time setup link is printed.
import type { Command } from 'commander';
import { z } from 'zod';
import { publicOrigin, withDatabase } from './open-database';

const Args = z.object({ email: z.string().trim().email(), name: z.string().trim().min(1).max(100) });

export function register(program: Command) {
  const admin = program.command('admin').description('Administer console accounts from the console host');
  admin
    .command('create')
    .description('Create a security admin and print a one-time setup link (valid 24 hours)')
    .requiredOption('--email <email>', 'their email address')
    .option('--name <name>', 'display name (defaults to the email name)')
    .action(async (opts: { email: string; name?: string }) => {
      const parsed = Args.safeParse({ email: opts.email, name: opts.name ?? opts.email.split('@')[0] });
      if (!parsed.success) {
        console.error(`Invalid arguments: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
        process.exit(2);
      }
      const { createUser } = await import('@/server/services/users/create-user');
      const { systemContext } = await import('@/db/seed/factories');
      try {
        const created = await withDatabase((d) =>
          createUser(systemContext(d.db, undefined, 'verity admin create'), {
            email: parsed.data.email,
            displayName: parsed.data.name,
            grants: [{ role: 'security_admin', tenantId: null }],
          }),
        );
        console.log(`Created security admin ${created.user.email}.`);
        console.log(`One-time setup link (expires ${created.expiresAt.toISOString()}):`);
        console.log(`  ${publicOrigin()}${created.setupPath}`);
        console.log('Two-factor authentication is required before admin actions; it is set up after the first sign-in.');
      } catch (err) {
        console.error(err instanceof Error ? err.message : String(err));
        process.exit(1);
      }
    });
}
