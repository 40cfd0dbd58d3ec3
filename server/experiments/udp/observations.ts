/**
 * What the udp experiment expects to see, checked against the trace (shared/dgram/udp-view.ts for
 * the phases, plus the raw send / message / sample events): nothing here is a number written down
 * in advance; every figure is counted from the run, and compared with the parameters it was set with.
 *
 * The client goes through its phases in order (seed, boundaries, flood, errors), each marked by a
 * `phase` event: a phase is over once the next one has begun, and what it did not show by then it
 * will never show.
 */
import type { ObservationSpec } from '../experiment.js';
import type { TraceQuery } from '../../../shared/trace/query.js';
import type { EventOf } from '../../../shared/trace/schema.js';
import { inOrder } from '../../../shared/trace/query.js';
import { base64Decode, latin1Decode } from '../../../shared/codecs/bytes.js';
import { udpView } from '../../../shared/dgram/udp-view.js';
import { boundaryStats } from '../../../shared/stream/boundaries.js';
import { ownStream } from '../stream-boundaries/sides.js';

/** The most an IPv4 UDP datagram can carry: 65,535 − 20 (IP header) − 8 (UDP header). */
const MAX_IPV4_PAYLOAD = 65_507;

const sizes = (xs: readonly number[]) => {
  const distinct = [...new Set(xs)];
  return xs.length === 0 ? 'nothing' : distinct.length === 1 ? `${xs.length} × ${distinct[0]} B` : xs.join(', ') + ' B';
};
const count = (e: { calls?: number | undefined }) => e.calls ?? 1;
const none = (detail: string) => ({ held: false, reached: false, detail });
const headText = (head: string | undefined, n = 80) => {
  const b = head ? base64Decode(head) : null;
  return b ? latin1Decode(b.subarray(0, n)) : '';
};

interface Phase { from: number; to: number; over: boolean; socks: Set<string>; ports: Set<number> }

/** A phase of the client: its time window and the sockets the client bound in it. */
function phase(q: TraceQuery, name: string): Phase | undefined {
  const phases = q.custom('phase', 'client');
  const i = phases.findIndex((p) => p.data.name === name);
  if (i < 0) return undefined;
  const from = phases[i]!.t;
  const next = phases[i + 1];
  const to = next ? next.t : Infinity;
  const binds = q.of('bind', 'client').filter((b) => b.t >= from && b.t < to);
  return { from, to, over: next !== undefined || q.first('exit', 'client') !== undefined, socks: new Set(binds.map((b) => b.sock)), ports: new Set(binds.map((b) => b.local.port)) };
}

/** "Wed Dec 02 2026 16:22:25 GMT+0000": the time the seed's server sends (Date's toString), parsed. */
function timeIn(text: string): number | null {
  const m = /^[A-Z][a-z]{2} [A-Z][a-z]{2} \d{2} \d{4} \d{2}:\d{2}:\d{2} GMT[+-]\d{4}/.exec(text);
  if (!m) return null;
  const t = Date.parse(m[0]);
  return Number.isNaN(t) ? null : t;
}

export const observations: ObservationSpec[] = [
  {
    id: 'seed-exchange',
    label: 'The seed’s exchange: one datagram out, the time back in one datagram from the server',
    check: (q) => {
      const p = phase(q, 'seed');
      if (!p) return none('the client has not started the seed’s exchange');
      const sends = q.of('send', 'client').filter((e) => p.socks.has(e.sock) && !e.error);
      const sent = sends.reduce((a, e) => a + count(e), 0);
      const reply = q.first('message', 'client', (e) => p.socks.has(e.sock));
      if (sent === 0) return p.over ? { held: false, detail: 'the client sent no datagram in the seed’s exchange' } : none('nothing sent yet');
      if (!reply) return p.over ? { held: false, detail: `sent ${sent} datagram(s); no reply came before the client moved on (it waits 2 s)` } : none(`sent ${sent} datagram(s), no reply yet`);
      const server = q.first('bind', 'server');
      const text = headText(reply.head);
      const said = `sent ${sent} datagram of ${sends[0]!.bytes} B ("${headText(sends[0]!.head, 40)}"); the reply: ${count(reply)} datagram of ${reply.bytes} B from port ${reply.from.port}: "${text}"`;
      if (sent !== 1) return { held: false, detail: `${said}: ${sent} datagrams out, not one` };
      if (count(reply) !== 1) return { held: false, detail: `${said}: more than one datagram back` };
      if (server && reply.from.port !== server.local.port) return { held: false, detail: `${said}, not from the server's port ${server.local.port}` };
      if (timeIn(text) === null) return { held: false, detail: `${said}: that is not a time` };
      // The server's one send to the client, whole in the one datagram that came back.
      const answer = q.first('send', 'server', (e) => e.to?.port === [...p.ports][0] && !e.error);
      if (answer && answer.bytes !== reply.bytes) return { held: false, detail: `${said}; the server sent ${answer.bytes} B` };
      return { held: true, detail: `${said}${answer ? ` — all ${answer.bytes} B the server sent` : ''}` };
    },
  },
  {
    id: 'boundaries-kept',
    label: 'K datagrams of M bytes (as set) arrive as exactly K reads of M bytes, each one datagram whole',
    check: (q, params) => {
      const K = Number(params.count);
      const M = Number(params.size);
      const p = phase(q, 'boundaries');
      if (!p) return none('the boundaries phase has not run');
      const sends = q.of('send', 'client').filter((e) => p.socks.has(e.sock) && !e.error);
      const reads = q.of('message', 'server').filter((e) => p.ports.has(e.from.port));
      const sent = sends.flatMap((e) => Array<number>(count(e)).fill(e.size ?? e.bytes));
      const got = reads.flatMap((e) => Array<number>(count(e)).fill(e.size ?? e.bytes));
      const detail = `sent ${sizes(sent)}; the server's reads returned ${sizes(got)}`;
      if (sent.length < K && !p.over) return none(`${detail} so far (of ${K} × ${M} B)`);
      if (sent.length !== K || sent.some((n) => n !== M)) return { held: false, detail: `${detail}: not the ${K} × ${M} B set` };
      const odd = got.find((n) => n !== M);
      if (odd !== undefined) return { held: false, detail: `${detail}: a read of ${odd} B is not one datagram` };
      if (got.length > K) return { held: false, detail: `${detail}: more reads than datagrams` };
      // Whole datagrams: each read begins as one of the datagrams sent begins ("#i " and its letter).
      const heads = new Map<string, number>();
      for (const s of sends) { const h = headText(s.head, 16); heads.set(h, (heads.get(h) ?? 0) + count(s)); }
      for (const r of reads) {
        const h = headText(r.head, 16);
        const left = heads.get(h) ?? 0;
        if (left === 0) return { held: false, detail: `${detail}: a read began "${h}", as no datagram sent began` };
        heads.set(h, left - 1);
      }
      if (got.length < K) return p.over ? { held: false, detail: `${detail}: ${K - got.length} never arrived` } : none(`${detail} so far`);
      return { held: true, detail: `${detail}, each beginning as one datagram sent began (#0 … #${K - 1})` };
    },
  },
  {
    id: 'tcp-merged',
    label: 'The same K writes of M bytes over TCP did not keep their boundaries',
    check: (q, params) => {
      if (params.compareTcp === false) return none('no TCP comparison in this run (compareTcp is off)');
      const K = Number(params.count);
      const M = Number(params.size);
      const s = ownStream(q, 'tcp-writer', 'tcp-reader');
      const writes = s.writes.map((e) => e.bytes);
      const st = boundaryStats(writes, s.reads.map((e) => e.bytes));
      const detail = `${st.messages} TCP writes of ${sizes(writes)} arrived as ${st.reads} reads: ${st.mergedReads} read${st.mergedReads === 1 ? '' : 's'} carried several writes, ${st.splitMessages} write${st.splitMessages === 1 ? ' was' : 's were'} split`;
      if (!s.writeSock) return none('the TCP comparison has not started yet');
      if (writes.length < K && !s.writerEnded) return none(`${detail} so far`);
      if (writes.length !== K || writes.some((n) => n !== M)) return { held: false, detail: `${detail}: not the ${K} × ${M} B of the datagrams` };
      if (st.mergedReads > 0 || st.splitMessages > 0) return { held: true, detail };
      if (s.readerEof && st.completeMessages === st.messages) return { held: false, detail: `${detail}: every write came back as one read` };
      return none(`${detail} so far`);
    },
  },
  {
    id: 'drops-counted',
    label: 'A slow receiver with a small buffer: the kernel drops datagrams and counts every one it dropped; every send succeeded',
    check: (q, params) => {
      const p = phase(q, 'flood');
      const f = udpView(q.events).flood;
      if (!p || !f) return none('the flood phase has not run');
      const N = Number(params.floodCount);
      const refusedSends = q.of('send', 'client').filter((e) => p.socks.has(e.sock) && e.error);
      if (refusedSends.length) return { held: false, detail: `sent ${f.sent}; ${f.refused} refused (${refusedSends[0]!.error})` };
      // Only the flood's datagrams: the receiver takes datagrams from anyone.
      let received = 0;
      for (const e of q.of('message', 'sink')) if (p.ports.has(e.from.port)) received += count(e);
      const sink = q.first('bind', 'sink');
      const key = sink && q.first('sample', undefined, (s) => s.proto === 'udp' && s.local.port === sink.local.port)?.key;
      const last = key ? q.lastLiveSample(key) : undefined;
      const base = `sent ${f.sent} of ${N} datagrams of ${f.size} B, none refused; the receiver's program got ${received}`;
      if (f.sent < N && !p.over) return none(`${base} so far`);
      if (!last?.skmem) return none(`${base}; the kernel's drop count is unknown: ${f.kernelOff ?? 'no sample of the receiver’s socket'}`);
      const drops = last.skmem.drops;
      const queued = last.recvQ ?? 0;
      // The receiver is done when it said so (it closes after idleExitMs) or its socket is gone.
      const done = q.custom('sink-total', 'sink').length > 0 || q.first('close', 'sink') !== undefined;
      const lost = f.sent - received;
      const detail = `${base}; its socket's drop counter says ${drops} (the kernel's last look, at ${(last.t / 1000).toFixed(2)} s, ${queued ? `${queued} B still queued` : 'nothing queued'})`;
      if (drops > 0 && lost === drops) return { held: true, detail: `${detail}: every datagram that did not reach the program was counted` };
      if (!done || queued > 0) return none(`${detail}; the receiver is still reading`);
      if (drops === 0) return { held: false, detail: lost === 0 ? `${detail}: nothing was dropped (the receiver kept up)` : `${detail}: ${lost} lost and none counted` };
      return { held: false, detail: lost > drops ? `${detail}: ${lost - drops} lost without being counted` : `${detail}: ${drops - lost} more counted than were lost` };
    },
  },
  {
    id: 'econnrefused',
    label: 'A connected UDP socket sending to a port nobody listens on: the send succeeds, then the socket gets ECONNREFUSED',
    check: (q) => {
      const p = phase(q, 'errors');
      if (!p) return none('the errors phase has not run');
      const err = q.first('error', 'client', (e) => e.sock !== undefined && p.socks.has(e.sock) && e.code === 'ECONNREFUSED');
      const conn = q.first('dgram-connect', 'client', (e) => p.socks.has(e.sock) && (!err || e.sock === err.sock));
      if (!conn) return p.over ? { held: false, detail: 'no connected UDP socket in the errors phase' } : none('no connected socket yet');
      const send = q.first('send', 'client', (e) => e.sock === conn.sock);
      const port = conn.remote.port;
      if (!err) {
        // The client waits 1.5 s for the error, then closes that socket and goes on.
        const gaveUp = p.over || q.first('close', 'client', (e) => e.sock === conn.sock) !== undefined;
        return gaveUp ? { held: false, detail: `connected to port ${port}, sent${send?.error ? ` (refused: ${send.error})` : ''}; no ECONNREFUSED came` } : none(`connected to port ${port}; no error yet`);
      }
      const detail = `port ${port}: ${err.code}${err.syscall ? ` reported by ${err.syscall}()` : ''}`;
      if (!send) return { held: false, detail: `${detail}, with no send before it` };
      if (send.error) return { held: false, detail: `${detail}; the send itself failed (${send.error})` };
      if (!inOrder(conn, send, err)) return { held: false, detail: `${detail}: the error came before the send` };
      // Nobody listens: no socket of the run was bound to that port then.
      const listener = q.of('bind').find((b) => b.local.port === port && b.t <= err.t && !q.first('close', b.actor, (c) => c.sock === b.sock && c.t <= send.t));
      if (listener) return { held: false, detail: `${detail}, but ${listener.actor}'s socket was bound to that port` };
      return { held: true, detail: `${detail}, ${(err.t - send.t).toFixed(1)} ms after a send() that itself succeeded` };
    },
  },
  {
    id: 'emsgsize',
    label: 'A datagram too large for one IPv4 datagram (over 65,507 B) is refused with EMSGSIZE; one that fits is not',
    check: (q, params) => {
      const p = phase(q, 'errors');
      if (!p) return none('the errors phase has not run');
      const big = q.of('send', 'client').filter((e) => e.t >= p.from && e.t < p.to && e.bytes > 1500);
      const over = big.filter((e) => e.bytes > MAX_IPV4_PAYLOAD);
      const fits = big.filter((e) => e.bytes <= MAX_IPV4_PAYLOAD);
      const list = (xs: readonly EventOf<'send'>[]) => xs.map((s) => `${s.bytes} B ${s.error ?? 'sent'}`).join(', ');
      const detail = list(big) || 'no big sends';
      const through = over.find((s) => s.error !== 'EMSGSIZE');
      if (through) return { held: false, detail: `${detail}: ${through.bytes} B, over the most, was ${through.error ? `refused with ${through.error}` : 'sent'}` };
      const refusedFit = fits.find((s) => s.error === 'EMSGSIZE');
      if (refusedFit) return { held: false, detail: `${detail}: ${refusedFit.bytes} B fits, yet got EMSGSIZE` };
      if (over.length === 0) {
        const bigSize = Number(params.bigSize);
        return p.over && bigSize <= MAX_IPV4_PAYLOAD ? none(`${detail}: bigSize is ${bigSize} B, which fits (nothing over 65,507 B was sent)`) : none(`${detail}; nothing over 65,507 B sent yet`);
      }
      const largestOk = Math.max(0, ...fits.filter((s) => !s.error).map((s) => s.bytes));
      return { held: true, detail: `${over.map((s) => `${s.bytes} B`).join(', ')}: EMSGSIZE${largestOk ? `; ${largestOk} B went through` : ''}` };
    },
  },
];
