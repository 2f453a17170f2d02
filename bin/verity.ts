// The `verity` command line: each sub-command lives in bin/commands/<name>.ts and
// registers itself on the program, so adding one never touches the others.
import { Command } from 'commander';

const program = new Command('verity').description('Verity zero-trust security console').showHelpAfterError();

const commandModules = ['serve', 'demo', 'agent', 'admin', 'audit', 'netpol', 'rbac'];
for (const name of commandModules) {
  const mod = await import(`./commands/${name}.ts`).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ERR_MODULE_NOT_FOUND' && String(err.message).includes(`commands/${name}.ts`)) return null;
    throw err;
  });
  mod?.register(program);
}

await program.parseAsync(process.argv);
