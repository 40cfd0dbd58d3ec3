/**
 * The replay page's reading loop (web/lib/read-source.ts, run in the trace worker or on the main
 * thread): whatever goes wrong, the read ends with 'done' or 'failed', never silence that leaves
 * the page at "Reading … (0 events so far)".
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readSource } from '../../web/lib/read-source.js';
import type { WorkerReply } from '../../web/lib/trace-source.js';

const real = readFileSync(new URL('../fixtures/echo-trace.jsonl', import.meta.url), 'utf8');
const realLines = real.split('\n').filter((l) => l.trim());
const deep = (n: number) => `${'['.repeat(n)}${']'.repeat(n)}`;
const deepCustom = JSON.stringify({ type: 'event', t: 1, actor: 'a', kind: 'custom', name: 'x', data: { a: 0 } }).replace('0', deep(100_000));

async function read(text: string, emit?: (r: WorkerReply) => void): Promise<WorkerReply[]> {
  const replies: WorkerReply[] = [];
  await readSource({ kind: 'text', text, name: 'test.jsonl' }, (r) => { emit?.(r); replies.push(r); });
  return replies;
}

describe('replay reading: the read always ends, visibly', () => {
  it('a deeply nested custom payload is a named problem on its line; every reply can be posted to the page', async () => {
    const text = [realLines[0], deepCustom, ...realLines.slice(1)].join('\n');
    // structuredClone is what postMessage does: before the fix the worker died here, unreported.
    const replies = await read(text, (r) => structuredClone(r));
    const done = replies.at(-1)!;
    expect(done.type).toBe('done');
    if (done.type !== 'done') return;
    expect(done.issues.find((i) => i.code === 'too-deep')?.line).toBe(2);
    const lines = replies.flatMap((r) => (r.type === 'lines' ? r.lines : []));
    expect(lines.length).toBe(realLines.length);
  });

  it('a batch that cannot be handed over (the last one, sent after reading) ends the read as failed', async () => {
    const replies: WorkerReply[] = [];
    const result = readSource({ kind: 'text', text: real, name: 'echo.jsonl' }, (r) => {
      if (r.type === 'lines') throw new DOMException('could not be cloned', 'DataCloneError');
      replies.push(r);
    });
    await expect(result).resolves.toBeUndefined();
    expect(replies).toHaveLength(1);
    expect(replies[0]).toMatchObject({ type: 'failed', message: expect.stringMatching(/^could not read echo\.jsonl: could not be cloned/) });
  });

  it('a throw that is not an Error still ends the read with a message', async () => {
    const replies = await read(real, (r) => { if (r.type === 'lines') throw { toString: 1 }; });
    expect(replies.at(-1)).toMatchObject({ type: 'failed', message: 'could not read test.jsonl: unknown error' });
  });
});
