#!/usr/bin/env node
/** socket-lab: serve the lab (default), run an experiment headless, check a saved trace, or list experiments. */
import { parseArgs } from 'node:util';
import { listCommand, runCommand } from './cli/run-command.js';
import { serveCommand } from './http/serve-command.js';
import { checkCommand } from './cli/check-command.js';
import { sweepTempLeftovers } from './run/temp-dirs.js';

const USAGE = `usage:
  socket-lab [serve] [--port 7878] [--host 127.0.0.1] [--open] [--dev] [--allow-target host ...]
  socket-lab run <experiment> [--set key=value ...] [--duration 5s] [--trace out.jsonl] [--port N] [--allow-target host ...]
  socket-lab check <trace.jsonl>      judge a saved trace again: exit 0 all held, 1 any failed, 3 some not reached
  socket-lab list`;

async function main(argv: string[]): Promise<number> {
  const command = argv[0] && !argv[0].startsWith('-') ? argv[0] : 'serve';
  const rest = command === argv[0] ? argv.slice(1) : argv;
  if (command === 'list') { listCommand(); return 0; }
  if (command === 'check') {
    const { positionals } = parseArgs({ args: rest, allowPositionals: true, options: {} });
    if (positionals.length !== 1) throw new UsageError('check takes one trace file');
    return checkCommand(positionals[0]!);
  }
  if (command === 'help' || rest.includes('--help')) { console.log(USAGE); return 0; }
  if (command === 'run' || command === 'serve') {
    // Temporary directories of labs that crashed or were killed (-9) and could not clean up.
    const swept = sweepTempLeftovers();
    if (swept.length) console.error(`socket-lab: removed what a lab that is no longer running left behind: ${swept.join(', ')}`);
  }
  if (command === 'run') {
    const { values, positionals } = parseArgs({
      args: rest, allowPositionals: true,
      options: { set: { type: 'string', multiple: true, default: [] }, duration: { type: 'string' }, trace: { type: 'string' }, port: { type: 'string' }, 'allow-target': { type: 'string', multiple: true, default: [] } },
    });
    if (positionals.length !== 1) throw new UsageError('run takes one experiment id (see `socket-lab list`)');
    return runCommand({
      experiment: positionals[0]!, set: values.set ?? [],
      ...(values.duration ? { duration: values.duration } : {}),
      ...(values.trace ? { trace: values.trace } : {}),
      ...(values.port ? { port: parsePort(values.port) } : {}),
      allowTargets: values['allow-target'] ?? [],
    });
  }
  if (command === 'serve') {
    const { values } = parseArgs({
      args: rest,
      options: {
        port: { type: 'string', default: '7878' }, host: { type: 'string', default: '127.0.0.1' },
        open: { type: 'boolean', default: false }, dev: { type: 'boolean', default: false },
        'allow-target': { type: 'string', multiple: true, default: [] },
      },
    });
    return serveCommand({ port: parsePort(values.port!), host: values.host!, open: values.open!, dev: values.dev!, allowTargets: values['allow-target'] ?? [] });
  }
  throw new UsageError(`unknown command "${command}"`);
}

class UsageError extends Error {}

function parsePort(s: string): number {
  const n = Number(s);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new UsageError(`invalid port "${s}"`);
  return n;
}

main(process.argv.slice(2)).then(
  (code) => { if (code !== -1) process.exitCode = code; },
  (err: unknown) => {
    console.error(`socket-lab: ${(err as Error).message}`);
    if (err instanceof UsageError) console.error(USAGE);
    process.exitCode = 2;
  },
);
