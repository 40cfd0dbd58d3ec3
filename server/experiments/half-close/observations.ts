/**
 * What half-close expects, from the trace: the client's end() and reads, the server's reply on
 * the same connection, the kernel observer's states of both ends (shared/trace/closing.ts) and,
 * when captured, the FINs on the wire. Held, failed, or not reached (the client has not ended,
 * the server has not replied or closed yet, no kernel view).
 */
import type { ObservationSpec, ObservationResult } from '../experiment.js';
import type { Connection, TraceQuery } from '../../../shared/trace/query.js';
import { stateSpans, type StateSpan } from '../../../shared/trace/closing.js';

const held = (detail: string): ObservationResult => ({ held: true, detail });
const failed = (detail: string): ObservationResult => ({ held: false, detail });
const notReached = (detail: string): ObservationResult => ({ held: false, reached: false, detail });

/** The client's connection and the server's accepted end of it (a client from outside is not it). */
function pairOf(q: TraceQuery): { client: Connection; server: Connection } | undefined {
  const conns = q.connections();
  const client = conns.find((c) => c.actor === 'client' && c.via === 'connect' && c.own);
  const server = client && conns.find((c) => c.actor === 'server' && c.via === 'accept' && c.remote.port === client.local.port && c.remote.address === client.local.address);
  return client && server ? { client, server } : undefined;
}

/** Captured segments of the pair, from `fromPort`. */
const wireFrom = (q: TraceQuery, fromPort: number, toPort: number) => q.of('packet').filter((p) => p.src.port === fromPort && p.dst.port === toPort);

const traceEnd = (q: TraceQuery) => q.events.reduce((m, e) => Math.max(m, e.t), 0);
const fmt = (s: { from: number; to: number } | undefined) => (s ? `${s.from.toFixed(0)}–${s.to.toFixed(0)} ms` : 'not seen');

export const observations: ObservationSpec[] = [
  {
    id: 'read-after-fin',
    label: 'The client read the whole reply (every byte the server wrote on its connection) after its own end() (FIN)',
    check: (q) => {
      const pair = pairOf(q);
      if (!pair) return notReached('no connection yet');
      const { client, server } = pair;
      const end = q.first('end', 'client', (e) => e.sock === client.sock);
      if (!end) return notReached('the client has not called end() yet');
      const replied = q.of('write', 'server').filter((w) => w.sock === server.sock).reduce((n, w) => n + w.bytes, 0);
      if (replied === 0) return notReached(`client end() at ${end.t.toFixed(1)} ms; the server has not replied yet`);
      const after = q.of('data', 'client').filter((d) => d.sock === client.sock && d.t > end.t).reduce((n, d) => n + d.bytes, 0);
      const detail = `client end() at ${end.t.toFixed(1)} ms; afterwards it read ${after} of the ${replied} B the server wrote`;
      // On the wire (when captured) the client's FIN must come before the reply's first byte.
      const fin = wireFrom(q, client.local.port, client.remote.port).find((p) => p.flags.includes('FIN'));
      const reply = wireFrom(q, client.remote.port, client.local.port).find((p) => p.len > 0);
      if (fin && reply && reply.t < fin.t) return failed(`${detail}, but on the wire the reply (${reply.t.toFixed(1)} ms) came before the client’s FIN (${fin.t.toFixed(1)} ms)`);
      const wire = fin && reply ? `; on the wire the client’s FIN at ${fin.t.toFixed(1)} ms, the reply at ${reply.t.toFixed(1)} ms` : '';
      if (after === replied) return held(detail + wire);
      // Short so far: failed once the client has seen the server's end (everything that will come has come).
      const over = q.first('eof', 'client', (e) => e.sock === client.sock) ?? q.first('close', 'client', (e) => e.sock === client.sock);
      return over ? failed(`${detail}${after < replied ? `: ${replied - after} B never arrived` : ''}`) : notReached(detail);
    },
  },
  {
    id: 'half-closed-states',
    label: 'While the server replied, the kernel showed FIN_WAIT2 (client) and CLOSE_WAIT (server)',
    check: (q) => {
      const pair = pairOf(q);
      if (!pair) return notReached('no connection yet');
      const { client, server } = pair;
      const w = q.first('write', 'server', (e) => e.sock === server.sock);
      const spans = stateSpans(q, client.local.port, client.remote.port);
      const back = stateSpans(q, client.remote.port, client.local.port);
      if (spans.length === 0 && back.length === 0) return notReached('no kernel samples of the connection (kernel view off)');
      const fw2 = spans.find((s) => s.state === 'FIN_WAIT2');
      const cw = back.find((s) => s.state === 'CLOSE_WAIT');
      if (!w) return notReached(`client FIN_WAIT2 ${fmt(fw2)}, server CLOSE_WAIT ${fmt(cw)}; the server has not replied yet`);
      const detail = `client FIN_WAIT2 ${fmt(fw2)}, server CLOSE_WAIT ${fmt(cw)}, server wrote at ${w.t.toFixed(0)} ms`;
      // A state lasts from its sample to the next one (samples are written on change).
      const at = (ss: readonly StateSpan[], state: string, t: number) => ss.some((s) => s.state === state && s.from <= t && t <= s.to);
      const looked = (ss: readonly StateSpan[]) => ss.some((s) => s.from <= w.t);
      if (!looked(spans) || !looked(back)) return notReached(`${detail}; the kernel had not looked at both ends by then`);
      return at(spans, 'FIN_WAIT2', w.t) && at(back, 'CLOSE_WAIT', w.t) ? held(detail) : failed(detail);
    },
  },
  {
    id: 'time-wait',
    label: 'The client, which sent the first FIN, ended in TIME_WAIT',
    check: (q) => {
      const pair = pairOf(q);
      if (!pair) return notReached('no connection yet');
      const { client, server } = pair;
      const cEnd = q.first('end', 'client', (e) => e.sock === client.sock);
      const sEnd = q.first('end', 'server', (e) => e.sock === server.sock) ?? q.first('destroy', 'server', (e) => e.sock === server.sock);
      if (!cEnd) return notReached('the client has not sent its FIN (end()) yet');
      const cFin = wireFrom(q, client.local.port, client.remote.port).find((p) => p.flags.includes('FIN'));
      const sFin = wireFrom(q, client.remote.port, client.local.port).find((p) => p.flags.includes('FIN'));
      if (cFin && sFin ? sFin.t < cFin.t : sEnd !== undefined && sEnd.t < cEnd.t) return failed('the server sent the first FIN, not the client');
      const first = cFin ? `its FIN on the wire at ${cFin.t.toFixed(0)} ms` : `its end() at ${cEnd.t.toFixed(0)} ms`;
      const spans = stateSpans(q, client.local.port, client.remote.port);
      if (spans.length === 0) return notReached('no kernel samples of the client’s socket (kernel view off)');
      const seen = spans.map((s) => s.state).join(' → ');
      const i = spans.findIndex((s) => s.state === 'TIME_WAIT');
      const tw = spans[i];
      if (tw) {
        const later = spans.slice(i + 1)[0];
        return later ? failed(`the client (first FIN: ${first}) was in TIME_WAIT from ${tw.from.toFixed(0)} ms, then ${later.state} at ${later.from.toFixed(0)} ms`) : held(`the client sent the first FIN (${first}); its socket: ${seen}, in TIME_WAIT from ${tw.from.toFixed(0)} ms on`);
      }
      if (!sEnd) return notReached(`the client sent the first FIN (${first}); its socket so far: ${seen}; the server has not closed yet`);
      if (spans.some((s) => s.state === 'GONE') || traceEnd(q) > sEnd.t + 500) return failed(`the client sent the first FIN (${first}); its socket: ${seen}: no TIME_WAIT after the server closed at ${sEnd.t.toFixed(0)} ms`);
      return notReached(`the client sent the first FIN (${first}); its socket so far: ${seen}`);
    },
  },
];
