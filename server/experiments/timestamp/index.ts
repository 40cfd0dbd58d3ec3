import { z } from 'zod';
import { defineExperiment } from '../experiment.js';
import { reports } from '../../net/checks.js';
import { connectionsOf, failed, held, lifeEnd, notReached, onSock, SETTLE_MS, traceEnd } from '../../net/verdicts.js';
import type { TraceQuery } from '../../../shared/trace/query.js';
import { narrative } from './narrative.js';

interface Request { peer?: string; bytes: number; text: string; answer: 'unix' | 'date'; value: string }
interface Asked { request: string; bytes: number; wallSec: number }
interface Answer { text: string; wallSec: number }

/** The client's connection, with the server's end of it. */
function clientConnection(q: TraceQuery) {
  return connectionsOf(q, 'client', 'connect')[0];
}

/** What the server read on the client's connection (its reports name the peer; older traces did not). */
function requestsOf(q: TraceQuery, c: { local: { port: number } }) {
  return reports<Request>(q, 'request', 'server').filter((r) => r.peer === undefined || r.peer.endsWith(`:${c.local.port}`));
}

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
      label: '“timestamp” was answered with the Unix time, between when it was asked and when the answer arrived (with compareWholeBuffer: with the date, as the seed’s comparison never matches)',
      check: (q, p) => {
        const c = clientConnection(q);
        if (!c?.peer) return notReached('the client is not connected yet');
        if (p.compareWholeBuffer) {
          const r = requestsOf(q, c).find((x) => x.text.startsWith('timestamp'));
          if (!r) return notReached('the server has not read "timestamp" yet');
          return r.answer === 'date'
            ? held(`whole-buffer comparison: "timestamp" got the date (${r.value}): the seed’s comparison never matches`)
            : failed(`whole-buffer comparison: "timestamp" got the Unix time ${r.value}, though the zero-filled buffer cannot equal "timestamp"`);
        }
        const asked = reports<Asked>(q, 'asked', 'client').find((a) => a.request === 'timestamp');
        if (!asked) return notReached('the client has not asked "timestamp" yet');
        const ans = reports<Answer>(q, 'answer', 'client').find((a) => a.t > asked.t);
        if (!ans) {
          const waited = lifeEnd(q, 'client') - asked.t;
          const gone = onSock(q.of('eof', 'client'), c.sock)[0];
          return gone && gone.t > asked.t && waited >= SETTLE_MS
            ? failed(`asked "timestamp" at ${asked.t.toFixed(0)} ms; the server closed the connection without an answer`)
            : notReached('no answer to "timestamp" yet');
        }
        const line = ans.text.split('\n')[0] ?? '';
        const value = Number(line);
        const detail = `answer ${JSON.stringify(line)}; asked at ${asked.wallSec.toFixed(1)} s, answered by ${ans.wallSec.toFixed(1)} s (Unix time)`;
        return /^\d+$/.test(line) && value >= Math.floor(asked.wallSec) && value <= ans.wallSec ? held(detail) : failed(detail);
      },
    },
    {
      id: 'split-request',
      label: 'A request longer than the read buffer was read in pieces of at most maxRequest bytes, each answered, every answer received by the client',
      check: (q, p) => {
        const max = Number(p.maxRequest);
        const c = clientConnection(q);
        const long = reports<Asked>(q, 'asked', 'client').find((a) => a.bytes > max);
        if (!long) {
          const flood = Number(p.floodBytes) + 1;
          return notReached(flood <= max ? `the long request (${flood} B with its newline) fits in one ${max}-byte read: nothing to split` : 'the client has not sent its long request yet');
        }
        if (!c?.peer) return notReached('the server’s end of the client’s connection is not in the trace');
        const closedAt = onSock(q.of('destroy', 'server'), c.peer.sock)[0]?.t;
        if (closedAt !== undefined && closedAt <= long.t) return notReached(`the server closed the connection (${closedAt.toFixed(0)} ms) before the long request was sent`);
        const pieces: Array<Request & { t: number }> = [];
        let sum = 0;
        for (const r of requestsOf(q, c).filter((x) => x.t >= long.t)) {
          if (sum >= long.bytes) break;
          pieces.push(r);
          sum += r.bytes;
        }
        const answers = onSock(q.of('write', 'server'), c.peer.sock).filter((w) => pieces.length > 0 && w.t >= pieces[0]!.t).slice(0, pieces.length);
        const answered = answers.reduce((n, w) => n + w.bytes, 0);
        const got = onSock(q.of('data', 'client'), c.sock).filter((d) => d.t >= long.t).reduce((n, d) => n + d.bytes, 0);
        const detail = `${long.bytes} B request → ${pieces.length} reads of ${pieces.map((r) => r.bytes).join(' + ') || '0'} B (max ${max}), ${answers.length} answers (${answered} B), client received ${Math.min(got, answered)} B of them`;
        const last = Math.max(long.t, ...pieces.map((r) => r.t));
        const settled = lifeEnd(q, 'client') - last >= SETTLE_MS && lifeEnd(q, 'server') - last >= SETTLE_MS;
        if (pieces.some((r) => r.bytes > max) || sum > long.bytes) return failed(detail);
        if (sum < long.bytes || answers.length < pieces.length || got < answered) return settled ? failed(detail) : notReached(`${detail} so far`);
        return held(detail);
      },
    },
    {
      id: 'deadline',
      label: 'The read deadline fired no earlier than readDeadlineMs after accept though the client had talked; then the server closed the connection and the client saw EOF',
      check: (q, p) => {
        const c = clientConnection(q);
        if (!c?.peer) return notReached('the client is not connected yet');
        const acc = c.peer;
        const d = Number(p.readDeadlineMs);
        const fired = reports<{ peer: string }>(q, 'read-deadline', 'server').find((r) => r.peer.endsWith(`:${c.local.port}`));
        const ended = onSock(q.of('eof', 'client'), c.sock)[0] ?? onSock(q.of('close', 'client'), c.sock)[0];
        if (!fired) {
          if (ended && ended.t < acc.t + d) return notReached(`the connection ended ${(ended.t - acc.t).toFixed(0)} ms after accept, before its deadline`);
          const late = Math.min(lifeEnd(q, 'server'), traceEnd(q)) - (acc.t + d);
          return late >= 1000 ? failed(`no read deadline ${late.toFixed(0)} ms after it was due (${d} ms after accept)`) : notReached('the deadline has not passed yet');
        }
        const after = fired.t - acc.t;
        const talked = onSock(q.of('write', 'client'), c.sock).filter((w) => w.t < fired.t).length;
        const destroy = onSock(q.of('destroy', 'server'), acc.sock).find((x) => x.t >= fired.t);
        const eof = onSock(q.of('eof', 'client'), c.sock).find((x) => x.t >= fired.t);
        // 2 ms: Node's timers run on the event loop's cached clock.
        const detail = `fired ${after.toFixed(0)} ms after accept (deadline ${d} ms) after ${talked} client writes; ${destroy ? 'the server closed the connection' : 'the server has not closed'}; client ${eof ? 'saw EOF' : 'has not seen EOF'}`;
        if (after < d - 2 || !destroy) return failed(detail);
        if (talked === 0) return notReached(`${detail}: the client had not talked`);
        if (!eof) return lifeEnd(q, 'client') - fired.t >= SETTLE_MS ? failed(detail) : notReached(detail);
        return held(detail);
      },
    },
  ],
  defaultDurationMs: 5000,
});
