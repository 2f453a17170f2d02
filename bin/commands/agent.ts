// `verity agent`: the cluster agent. Enrolls on first start with a one-time token, then
// reports inventory, flows (from the driver and/or Hubble) and Kubernetes audit events,
// and applies the console's signed, approved commands.
import type { Command } from 'commander';

interface AgentCliOptions {
  console?: string;
  enroll?: string;
  stateDir: string;
  driver: string;
  kubeconfig?: string;
  context?: string;
  inCluster?: boolean;
  seed: string;
  hubble?: string;
  kubeAudit?: string;
}

export function register(program: Command) {
  program
    .command('agent')
    .description('Run the cluster agent (outbound connections only)')
    .requiredOption('--state-dir <dir>', 'where the agent keeps its identity and key')
    .option('--console <url>', 'the console URL (needed for the first start)')
    .option('--enroll <token>', 'one-time enrollment token from the console (first start only)')
    .option('--driver <driver>', 'kubernetes or sim', 'kubernetes')
    .option('--kubeconfig <path>', 'kubeconfig file (kubernetes driver)')
    .option('--context <name>', 'kubeconfig context (kubernetes driver)')
    .option('--in-cluster', 'use the pod service account (kubernetes driver)')
    .option('--seed <seed>', 'seed of the simulated cluster (sim driver)', '42')
    .option('--hubble <file>', 'read Hubble flows (hubble observe -o json) from a file, or - for stdin')
    .option('--kube-audit <file>', 'read Kubernetes audit events (JSON lines) from a file, or - for stdin')
    .action(async (opts: AgentCliOptions) => {
      if (opts.driver !== 'sim' && opts.driver !== 'kubernetes') {
        console.error(`--driver must be sim or kubernetes, not ${opts.driver}`);
        process.exit(2);
      }
      if (opts.hubble === '-' && opts.kubeAudit === '-') {
        console.error('--hubble and --kube-audit cannot both read stdin');
        process.exit(2);
      }
      const { startAgent } = await import('@/agent/run-agent');
      const driver =
        opts.driver === 'sim'
          ? (await import('@/agent/drivers/sim')).createSimDriver({ seed: opts.seed, now: () => new Date() })
          : (await import('@/agent/drivers/kubernetes')).createKubernetesDriver({ kubeconfigPath: opts.kubeconfig, context: opts.context, inCluster: opts.inCluster });
      const agent = await startAgent({ stateDir: opts.stateDir, consoleUrl: opts.console, enrollToken: opts.enroll, driver }).catch((err: Error) => {
        console.error(`[agent] ${err.message}`);
        process.exit(1);
      });
      console.log(`[agent] running: agent ${agent.agentId}, driver ${driver.name}`);
      const { readJsonLines } = await import('@/agent/sources/json-lines');
      if (opts.hubble) {
        const { hubbleObservation } = await import('@/agent/sources/hubble-flow');
        void readJsonLines(
          opts.hubble,
          (value) => {
            const r = hubbleObservation(value);
            if ('observation' in r) agent.observeFlows([r.observation]);
          },
          (line, message) => console.error(`[agent] hubble line ${line} skipped: ${message}`),
        ).then(() => agent.flush());
      }
      if (opts.kubeAudit) {
        const { kubeAuditEvent } = await import('@/agent/sources/kube-audit-event');
        const pending: import('@/agent/protocol/messages').KubeAuditEvent[] = [];
        const flushAudit = () => agent.forwardAudit(pending.splice(0));
        const timer = setInterval(flushAudit, 2_000);
        void readJsonLines(
          opts.kubeAudit,
          (value) => {
            const r = kubeAuditEvent(value);
            if ('event' in r) pending.push(r.event);
            if (pending.length >= 500) flushAudit();
          },
          (line, message) => console.error(`[agent] audit line ${line} skipped: ${message}`),
        ).then(() => {
          clearInterval(timer);
          flushAudit();
        });
      }
      const stop = async () => {
        await agent.stop();
        process.exit(0);
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
}
