/**
 * What close-wait expects, from the trace: each client's hang-up (its destroy() / end()), the
 * kernel observer's states of the server's end of each of those connections, the server's late
 * writes and their errors, and, when captured, the RSTs on the wire. Connections from outside the
 * run (an nc to the server's port) are left out. Held, failed, or not reached (no client has hung
 * up, no late write yet — it can wait for the live control —, no kernel view).
 */
import type { ObservationSpec, ObservationResult } from '../experiment.js';
import type { Connection, TraceQuery } from '../../../shared/trace/query.js';
import type { EventOf } from '../../../shared/trace/schema.js';

const held = (detail: string): ObservationResult => ({ held: true, detail });
const failed = (detail: string): ObservationResult => ({ held: false, detail });
const notReached = (detail: string): ObservationResult => ({ held: false, reached: false, detail });

/** After a late write the client's RST (and the server's error) come within this, on loopback easily. */
const ANSWER_MS = 500;
/**
 * The programs, the kernel observer (a look's time is the middle of its query) and the capture
 * (tcpdump's clock mapped onto the run's) agree to a few ms only: comparisons across them allow this.
 */
const CLOCKS_MS = 50;

interface Pair { client: Connection; server: Connection; hungUp?: EventOf<'destroy'> | EventOf<'end'> }

/** Each client connection with the server's accepted end of it, in the order the clients came. */
function pairsOf(q: TraceQuery): Pair[] {
  const conns = q.connections();
  const out: Pair[] = [];
  for (const client of conns.filter((c) => c.actor === 'client' && c.via === 'connect' && c.own)) {
    const server = conns.find((c) => c.actor === 'server' && c.via === 'accept' && c.remote.port === client.local.port && c.remote.address === client.local.address);
    if (!server) continue;
    const hungUp = q.first('destroy', 'client', (e) => e.sock === client.sock) ?? q.first('end', 'client', (e) => e.sock === client.sock);
    out.push({ client, server, ...(hungUp ? { hungUp } : {}) });
  }
  return out;
}

/** The kernel's samples of the server's end of one connection. */
const serverSamples = (q: TraceQuery, p: Pair) => q.of('sample').filter((s) => s.local.port === p.server.local.port && s.remote.port === p.client.local.port);

/** The server's socket's state as the kernel last saw it at `t` (samples are written on change). */
const stateAt = (q: TraceQuery, p: Pair, t: number) => serverSamples(q, p).filter((s) => s.t <= t).at(-1)?.state;

/** The server's first write on each socket that was in CLOSE_WAIT when it wrote (its late write). */
function lateWrites(q: TraceQuery, pairs: readonly Pair[]): { pair: Pair; write: EventOf<'write'> }[] {
  const out: { pair: Pair; write: EventOf<'write'> }[] = [];
  for (const p of pairs) {
    const w = q.of('write', 'server').find((e) => e.sock === p.server.sock && stateAt(q, p, e.t - CLOCKS_MS) === 'CLOSE_WAIT');
    if (w) out.push({ pair: p, write: w });
  }
  return out;
}

const traceEnd = (q: TraceQuery) => q.events.reduce((m, e) => Math.max(m, e.t), 0);

/** What answered a late write: the client's RST on the wire, or (no capture of it) the socket reset away. */
function answerOf(q: TraceQuery, l: { pair: Pair; write: EventOf<'write'> }): { how: 'wire' | 'kernel'; t: number } | { none: string } {
  const sPort = l.pair.server.local.port;
  const cPort = l.pair.client.local.port;
  const wire = q.of('packet').filter((p) => (p.src.port === cPort && p.dst.port === sPort) || (p.src.port === sPort && p.dst.port === cPort));
  if (wire.length > 0) {
    // An RST well before the write would not be its answer.
    const rst = wire.find((p) => p.src.port === cPort && p.flags.includes('RST') && p.t >= l.write.t - CLOCKS_MS);
    return rst ? { how: 'wire', t: rst.t } : { none: 'no RST from the client’s port on the wire' };
  }
  const gone = serverSamples(q, l.pair).find((s) => s.t >= l.write.t - CLOCKS_MS && s.state === 'GONE');
  if (!gone) return { none: 'the socket is still there' };
  // Gone without the server closing it first: reset.
  const closed = q.first('destroy', 'server', (e) => e.sock === l.pair.server.sock && e.t <= gone.t);
  return closed ? { none: `the server closed it itself at ${closed.t.toFixed(0)} ms` } : { how: 'kernel', t: gone.t };
}

export const observations: ObservationSpec[] = [
  {
    id: 'close-wait-grows',
    label: 'The server’s sockets sat in CLOSE_WAIT, one more after each client hung up',
    check: (q) => {
      const pairs = pairsOf(q);
      const gone = pairs.filter((p) => p.hungUp).sort((a, b) => a.hungUp!.t - b.hungUp!.t);
      if (gone.length === 0) return notReached('no client has hung up yet');
      const all = new Set(pairs.flatMap((p) => serverSamples(q, p)));
      if (all.size === 0) return notReached('no kernel samples of the server’s connections (kernel view off)');
      // The count over time, over the run's own connections only.
      const state = new Map<string, string>();
      let count = 0;
      const steps: { t: number; count: number }[] = [];
      for (const s of q.of('sample')) {
        if (!all.has(s)) continue;
        const was = state.get(s.key);
        if (was === s.state) continue;
        state.set(s.key, s.state);
        const before = count;
        if (was === 'CLOSE_WAIT') count--;
        if (s.state === 'CLOSE_WAIT') count++;
        if (count !== before) steps.push({ t: s.t, count });
      }
      const text = `CLOSE_WAIT count over time: ${steps.map((s) => s.count).join(' → ') || 'none'} (${gone.length} client(s) hung up)`;
      const end = traceEnd(q);
      for (let k = 1; k <= gone.length; k++) {
        const hung = gone[k - 1]!.hungUp!;
        const reach = steps.find((s) => s.count >= k);
        if (!reach) return end > hung.t + ANSWER_MS ? failed(`${text}: hang-up #${k} came at ${hung.t.toFixed(0)} ms and the count never reached ${k}`) : notReached(`${text}; hang-up #${k} just came`);
        if (reach.t < hung.t - CLOCKS_MS) return failed(`${text}: ${k} socket(s) were in CLOSE_WAIT at ${reach.t.toFixed(1)} ms, before hang-up #${k} at ${hung.t.toFixed(1)} ms`);
      }
      const max = Math.max(...steps.map((s) => s.count));
      if (max > gone.length) return failed(`${text}: more sockets in CLOSE_WAIT than clients that hung up`);
      return held(`${text}; each step up after a client hung up (at ${gone.map((p) => `${p.hungUp!.t.toFixed(0)} ms`).join(', ')})`);
    },
  },
  {
    id: 'late-write-rst',
    label: 'A late write into CLOSE_WAIT drew an RST from the client’s side (on the wire; without capture: the socket reset away at once)',
    check: (q) => {
      const late = lateWrites(q, pairsOf(q));
      if (late.length === 0) return notReached('the server has not written into a CLOSE_WAIT socket yet (writeAfterMs, or the “Write” control)');
      const end = traceEnd(q);
      const parts: string[] = [];
      let wire = 0;
      let kernel = 0;
      for (const l of late) {
        const a = answerOf(q, l);
        const at = `write at ${l.write.t.toFixed(0)} ms`;
        if ('none' in a) {
          if (end > l.write.t + ANSWER_MS) return failed(`${late.length} late write(s); port ${l.pair.client.local.port}: ${at}, ${a.none} ${(end - l.write.t).toFixed(0)} ms later`);
          return notReached(`${late.length} late write(s); port ${l.pair.client.local.port}: ${at}, no answer yet`);
        }
        if (a.how === 'wire') wire++;
        else kernel++;
        parts.push(`${at} → ${a.how === 'wire' ? 'RST' : 'gone'} after ${(a.t - l.write.t).toFixed(2)} ms`);
      }
      const how = [wire ? `${wire} RST(s) captured from the client port(s)` : '', kernel ? `${kernel} socket(s) reset away (no capture)` : ''].filter(Boolean).join(', ');
      return held(`${late.length} late write(s) into CLOSE_WAIT: ${how}; ${parts.join('; ')}`);
    },
  },
  {
    id: 'next-write-fails',
    label: 'After that RST, the next write on the same socket failed (EPIPE or ECONNRESET)',
    check: (q) => {
      const late = lateWrites(q, pairsOf(q));
      if (late.length === 0) return notReached('the server has not written into a CLOSE_WAIT socket yet');
      const end = traceEnd(q);
      const parts: string[] = [];
      for (const l of late) {
        const a = answerOf(q, l);
        if ('none' in a) continue; // no reset to follow (late-write-rst says why)
        const next = q.of('write', 'server').find((w) => w.sock === l.pair.server.sock && w.t > a.t);
        if (!next) continue;
        const err = q.first('error', 'server', (e) => e.sock === l.pair.server.sock && e.t >= next.t);
        if (err && (err.code === 'EPIPE' || err.code === 'ECONNRESET')) { parts.push(`port ${l.pair.client.local.port}: ${err.code} (write at ${next.t.toFixed(0)} ms)`); continue; }
        if (err) return failed(`port ${l.pair.client.local.port}: the write at ${next.t.toFixed(0)} ms after the RST failed with ${err.code}`);
        const closed = q.first('close', 'server', (e) => e.sock === l.pair.server.sock && e.t >= next.t);
        if (closed || end > next.t + ANSWER_MS) return failed(`port ${l.pair.client.local.port}: the write at ${next.t.toFixed(0)} ms after the RST did not fail`);
        return notReached(`port ${l.pair.client.local.port}: wrote again at ${next.t.toFixed(0)} ms; no error yet`);
      }
      if (parts.length === 0) return notReached('no write after an RST yet');
      return held(`the write after the RST failed: ${parts.join('; ')}`);
    },
  },
];
