import { z } from 'zod';
import { defineExperiment } from '../experiment.js';
import { reports } from '../../net/checks.js';
import { narrative } from './narrative.js';

interface Request { bytes: number; text: string; answer: 'unix' | 'date'; value: string }
interface Asked { request: string; bytes: number; wallSec: number }
interface Answer { text: string; wallSec: number }

export default defineExperiment({
  id: 'timestamp',
  title: 'Timestamp: the long-lived server',
  group: 'Servers',
  order: 90,
  summary: 'Seed 003’s second time server: many requests per connection, “timestamp” → Unix time, a read deadline and a 128-byte read.',
  seeds: ['003'],
  params: z.object({
    readDeadlineMs: z.number().int().min(200).max(600_000).default(3000).describe('Read deadline, set once when a connection is accepted (the seed: 2 minutes = 120000)'),
    maxRequest: z.number().int().min(1).max(65536).default(128).describe('Bytes the server reads at most per read (the seed’s 128-byte request buffer)'),
    floodBytes: z.number().int().min(1).max(65536).default(300).describe('Length of the client’s long request (before its newline)'),
    compareWholeBuffer: z.boolean().default(false).describe('Compare the whole 128-byte buffer with "timestamp" as the seed’s code does (it never matches)'),
    port: z.number().int().min(0).max(65535).default(0).describe('Server port (0 = any free port)'),
  }),
  roles: [
    { name: 'server', program: 'server.js', listens: true, summary: 'answers each read: "timestamp" → Unix time, else the date; read deadline' },
    { name: 'client', program: 'client.js', after: 'server', summary: 'asks "timestamp", something else, one long request; type more' },
  ],
  narrative,
  observations: [
    {
      id: 'unix-time',
      label: '“timestamp” was answered with the Unix time (between when it was asked and when the answer arrived)',
      check: (q, p) => {
        if (p.compareWholeBuffer) {
          const r = reports<Request>(q, 'request', 'server').find((x) => x.text.startsWith('timestamp'));
          return { held: r?.answer === 'date', detail: r ? `whole-buffer comparison: "timestamp" got ${r.answer === 'date' ? 'the date — the seed’s comparison never matches' : 'the Unix time'}` : 'the server has not read "timestamp" yet' };
        }
        const asked = reports<Asked>(q, 'asked', 'client').find((a) => a.request === 'timestamp');
        const ans = reports<Answer>(q, 'answer', 'client').find((a) => asked && a.t > asked.t);
        if (!asked || !ans) return { held: false, detail: 'no answer to "timestamp" yet' };
        const value = Number(ans.text.split('\n')[0]);
        const ok = /^\d+$/.test(ans.text.split('\n')[0] ?? '') && value >= Math.floor(asked.wallSec) && value <= ans.wallSec;
        return { held: ok, detail: `answer ${ans.text.split('\n')[0]}; asked at ${asked.wallSec.toFixed(1)} s, answered by ${ans.wallSec.toFixed(1)} s (Unix time)` };
      },
    },
    {
      id: 'split-request',
      label: 'A request longer than the read buffer was read in pieces of at most maxRequest bytes, each answered',
      check: (q, p) => {
        const max = Number(p.maxRequest);
        const long = reports<Asked>(q, 'asked', 'client').find((a) => a.bytes > max);
        if (!long) return { held: false, detail: 'the client has not sent its long request yet' };
        const reads = reports<Request>(q, 'request', 'server').filter((r) => r.t > long.t);
        const pieces = Math.ceil(long.bytes / max);
        const got = reads.slice(0, pieces);
        const ok = got.length === pieces && got.every((r) => r.bytes <= max) && got.reduce((n, r) => n + r.bytes, 0) === long.bytes;
        return { held: ok, detail: `${long.bytes} B request → ${got.length} reads of ${got.map((r) => r.bytes).join(' + ')} B (max ${max}), ${got.length} answers` };
      },
    },
    {
      id: 'deadline',
      label: 'The read deadline closed the connection no earlier than readDeadlineMs after accept, though the client had talked',
      check: (q, p) => {
        const acc = q.first('accept', 'server');
        const fired = reports(q, 'read-deadline', 'server')[0];
        const eof = q.first('eof', 'client');
        if (!acc || !fired) return { held: false, detail: 'the deadline has not passed yet' };
        const after = fired.t - acc.t;
        const talked = q.of('write', 'client').length;
        // 2 ms: Node's timers run on the event loop's cached clock.
        return { held: after >= Number(p.readDeadlineMs) - 2 && Boolean(eof) && talked > 0, detail: `closed ${after.toFixed(0)} ms after accept (deadline ${p.readDeadlineMs} ms) after ${talked} client writes; client ${eof ? 'saw EOF' : 'has not seen EOF'}` };
      },
    },
  ],
  defaultDurationMs: 5000,
});
