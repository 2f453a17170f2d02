// `verity audit verify`: walks the stored audit chain and names the first broken link.
import type { Command } from 'commander';
import { withDatabase } from './open-database';

export function register(program: Command) {
  const audit = program.command('audit').description('The audit trail');
  audit
    .command('verify')
    .description('Verify the hash chain of the stored audit log (exit 0 intact, 1 broken)')
    .option('--format <format>', 'text or json', 'text')
    .action(async (opts: { format: string }) => {
      const { verifyAuditChain } = await import('@/server/services/audit/verify-audit-chain');
      const { systemContext } = await import('@/db/seed/factories');
      const report = await withDatabase((d) => verifyAuditChain(systemContext(d.db, undefined, 'verity audit verify')));
      if (opts.format === 'json') console.log(JSON.stringify(report));
      else if (report.ok) console.log(`Audit chain intact: ${report.checked} events verified up to the head (seq ${report.headSeq}).`);
      else console.log(`Audit chain BROKEN at event ${report.firstBreak.seq}: ${report.firstBreak.message} (${report.checked} events checked).`);
      process.exitCode = report.ok ? 0 : 1;
    });
}
