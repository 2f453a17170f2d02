// `verity audit …`: verify the stored chain, or an exported bundle offline with the console's
// public key; print that key; sign a checkpoint now; apply retention.
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { withDatabase } from './open-database';

export function register(program: Command) {
  const audit = program.command('audit').description('The audit trail');
  audit
    .command('verify')
    .description('Verify the hash chain of the stored audit log, or with --bundle an exported bundle offline (exit 0 intact, 1 broken)')
    .option('--format <format>', 'text or json', 'text')
    .option('--bundle <file>', 'verify this exported bundle instead of the database (no database is opened)')
    .option('--public-key <file>', "the console's checkpoint public key (PEM, from `verity audit public-key`); without it the key inside the bundle is used, which proves integrity but not origin")
    .action(async (opts: { format: string; bundle?: string; publicKey?: string }) => {
      if (opts.bundle) {
        const { verifyBundleFile } = await import('@/server/services/audit/verify-bundle-file');
        const key = opts.publicKey ? readFileSync(opts.publicKey, 'utf8') : null;
        const report = await verifyBundleFile(opts.bundle, key);
        if (opts.format === 'json') console.log(JSON.stringify(report));
        else if (report.ok) {
          console.log(`Bundle intact: ${report.events} events (and ${report.links} links of other events) from seq ${report.fromSeq} to ${report.throughSeq}, pinned by the checkpoint signed ${report.checkpoint.signedAt}.`);
          if (report.keySource === 'bundle') console.log('Note: checked with the public key inside the bundle; pass --public-key to check it came from your console.');
        } else {
          const p = report.problem;
          console.log(`Bundle BROKEN${p.seq !== null ? ` at event ${p.seq}` : ''}${p.eventId ? ` (id ${p.eventId})` : ''}: ${p.message} (line ${p.line}).`);
        }
        process.exitCode = report.ok ? 0 : 1;
        return;
      }
      const { verifyAuditChain } = await import('@/server/services/audit/verify-audit-chain');
      const { systemContext } = await import('@/db/seed/factories');
      const report = await withDatabase((d) => verifyAuditChain(systemContext(d.db, undefined, 'verity audit verify')));
      if (opts.format === 'json') console.log(JSON.stringify(report));
      else if (report.ok) console.log(`Audit chain intact: ${report.checked} events verified up to the head (seq ${report.headSeq}).`);
      else console.log(`Audit chain BROKEN at event ${report.firstBreak.seq}: ${report.firstBreak.message} (${report.checked} events checked).`);
      process.exitCode = report.ok ? 0 : 1;
    });
  audit
    .command('public-key')
    .description("Print the console's audit checkpoint public key (PEM), for `verify --bundle --public-key`")
    .action(async () => {
      const { checkpointKey } = await import('@/server/services/audit/checkpoints');
      const { systemContext } = await import('@/db/seed/factories');
      const { inScope } = await import('@/server/services/scope');
      const key = await withDatabase((d) => inScope(systemContext(d.db), (tx) => checkpointKey(tx, new Date())));
      process.stdout.write(key.publicKey);
    });
  audit
    .command('checkpoint')
    .description('Sign a checkpoint of the chain head now')
    .action(async () => {
      const { recordCheckpoint } = await import('@/server/services/audit/checkpoints');
      const { systemContext } = await import('@/db/seed/factories');
      const cp = await withDatabase((d) => recordCheckpoint(systemContext(d.db, undefined, 'verity audit checkpoint'), 'manual'));
      console.log(`Checkpoint signed: event ${cp.seq} has hash ${cp.hash}.`);
    });
  audit
    .command('retention')
    .description('Remove audit events older than N days (a signed checkpoint and anchor are recorded first; the removal is audited)')
    .requiredOption('--older-than-days <n>', 'keep this many days', (v) => Number.parseInt(v, 10))
    .action(async (opts: { olderThanDays: number }) => {
      if (!Number.isInteger(opts.olderThanDays) || opts.olderThanDays < 1) throw new Error('--older-than-days must be a whole number ≥ 1');
      const { applyAuditRetention } = await import('@/server/services/audit/apply-retention');
      const { systemContext } = await import('@/db/seed/factories');
      const olderThan = new Date(Date.now() - opts.olderThanDays * 86_400_000);
      const r = await withDatabase((d) => applyAuditRetention(systemContext(d.db, undefined, 'verity audit retention'), { olderThan }));
      console.log(r.throughSeq === null ? 'Nothing older than the cut-off.' : `Removed ${r.removed} events through seq ${r.throughSeq}; the chain now starts from a signed anchor.`);
    });
}
