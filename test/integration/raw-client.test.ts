import { describe, expect, it } from 'vitest';
import { eventually } from '../helpers/processes.js';
import { runExperiment } from '../helpers/runs.js';
import { expectClean, expectHeld } from '../helpers/more-tcp.js';

const typed = async (run: Parameters<NonNullable<Parameters<typeof runExperiment>[3]>>[0]) => {
  expect(await eventually(() => run.lines.some((l) => l.type === 'event' && l.kind === 'data' && l.actor === 'listener'))).toBe(true);
  run.stdin('listener', 'typed into the listener\n');
  expect(await eventually(() => run.lines.some((l) => l.type === 'event' && l.kind === 'data' && l.actor === 'client'))).toBe(true);
  await run.stop('stopped', 'test done');
};

describe('raw-client (nc by hand, seed 002)', () => {
  it.each(['IPv4', 'IPv6'] as const)('%s: both panes typed into, every byte arrives; the listener stops listening after one connection', async (family) => {
    const { lines } = await runExperiment('raw-client', { family, greeting: 'hi' }, 10_000, typed);
    const obs = expectHeld(lines, ['family', 'both-ways', 'one-connection']);
    expect(obs.get('both-ways')!.detail).toBe('client → listener 3 B sent, 3 B arrived, the same bytes (all 3 B compared); listener → client 24 B sent, 24 B arrived, the same bytes (all 24 B compared)');
    expect(obs.get('family')!.detail).toContain(family === 'IPv6' ? '::1 → ::1 (IPv6)' : '127.0.0.1 → 127.0.0.1 (IPv4)');
    await expectClean(lines);
  });
});
