// What an agent keeps between starts, in its state directory: its identity and key pair
// (the private key readable by its owner only), the console key it pinned at enrollment,
// and the results of commands it applied (so a re-delivered command is applied once).
import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { CommandResult } from './protocol/messages';

export const AgentIdentity = z.object({
  agentId: z.uuid(),
  clusterId: z.uuid(),
  clusterName: z.string(),
  consoleUrl: z.string().url(),
  consoleSigningKey: z.string(),
});
export type AgentIdentity = z.infer<typeof AgentIdentity>;

const MAX_REMEMBERED_COMMANDS = 500;

export class AgentStateDir {
  constructor(readonly dir: string) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  }

  private file(name: string) {
    return path.join(this.dir, name);
  }

  private writeAtomically(name: string, content: string, mode: number) {
    const tmp = this.file(`${name}.tmp`);
    writeFileSync(tmp, content, { mode });
    chmodSync(tmp, mode);
    renameSync(tmp, this.file(name));
  }

  identity(): AgentIdentity | null {
    if (!existsSync(this.file('agent.json'))) return null;
    return AgentIdentity.parse(JSON.parse(readFileSync(this.file('agent.json'), 'utf8')));
  }

  saveIdentity(identity: AgentIdentity): void {
    this.writeAtomically('agent.json', JSON.stringify(identity, null, 2), 0o600);
  }

  /** The agent's Ed25519 key pair, made on first use. */
  keyPair(): { privateKey: KeyObject; publicKeyPem: string } {
    const keyFile = this.file('agent.key');
    if (!existsSync(keyFile)) {
      const pair = generateKeyPairSync('ed25519');
      this.writeAtomically('agent.key', pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), 0o600);
    }
    const privateKey = createPrivateKey(readFileSync(keyFile, 'utf8'));
    return { privateKey, publicKeyPem: createPublicKey(privateKey).export({ type: 'spki', format: 'pem' }).toString() };
  }

  appliedResult(commandId: string): CommandResult | null {
    return this.appliedResults().find((r) => r.commandId === commandId) ?? null;
  }

  rememberResult(result: CommandResult): void {
    const all = [...this.appliedResults().filter((r) => r.commandId !== result.commandId), result].slice(-MAX_REMEMBERED_COMMANDS);
    this.writeAtomically('applied-commands.json', JSON.stringify(all), 0o600);
  }

  private appliedResults(): CommandResult[] {
    if (!existsSync(this.file('applied-commands.json'))) return [];
    return z.array(CommandResult).parse(JSON.parse(readFileSync(this.file('applied-commands.json'), 'utf8')));
  }
}
