/**
 * What the proxy experiment expects, from the trace (shared/proxy/proxy-view.ts): the copy is
 * lossless and in order, a paused server stalls the proxy and then the client, a bandwidth toxic
 * holds the server's receive rate near its limit, and every toxic change is in the trace.
 */
import type { ObservationSpec } from '../experiment.js';
import { measuredBandwidth, proxyView } from '../../../shared/proxy/proxy-view.js';

const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

export const observations: ObservationSpec[] = [
  {
    id: 'copies',
    label: 'The proxy copies: what the server read is what the client wrote, through two connections',
    check: (q) => {
      const v = proxyView(q.events);
      const b = v.bytes;
      const legs = q.of('connect', 'proxy').length > 0 && q.of('accept', 'proxy').length > 0;
      return {
        held: legs && b.serverRead > 0 && b.serverRead <= b.clientWrote && b.proxyToServer <= b.proxyFromClient,
        detail: `client wrote ${b.clientWrote} B; the proxy read ${b.proxyFromClient} B from it (every chunk shown on its monitor) and wrote ${b.proxyToServer} B to the server; the server read ${b.serverRead} B`,
      };
    },
  },
  {
    id: 'backpressure',
    label: 'A paused server stalls the proxy’s writes, then the client’s: the client is released only after the server reads again',
    check: (q) => {
      const v = proxyView(q.events);
      const pz = v.pauses[0];
      if (!pz) return { held: false, detail: 'the server never paused (use “Pause server”, or pauseAtMs)' };
      // The waits that were still going on when the pause began or started during it.
      const during = (w: { from: number; to: number | null }) => (w.to === null || w.to > pz.from) && w.from < pz.to;
      const proxyWait = v.proxyWaits.find(during);
      // The client's wait that the pause ended: 'drain' only once the server read again (or never).
      const clientWait = v.clientWaits.find((w) => w.from < pz.to && (w.to === null || w.to >= pz.to));
      const resumed = pz.to < v.end;
      const held = proxyWait !== undefined && clientWait !== undefined;
      return {
        held,
        detail: `server paused at ${s(pz.from)}${resumed ? `, read again at ${s(pz.to)}` : ' (still paused at the end)'}; ` +
          (proxyWait ? `the proxy's write to the server returned false at ${s(proxyWait.from)}` : 'the proxy\'s writes never returned false') + '; ' +
          (clientWait ? `the client's write returned false at ${s(clientWait.from)} and 'drain' came ${clientWait.to === null ? 'never' : `at ${s(clientWait.to)}, ${s(clientWait.to - clientWait.from)} later`}` : 'the client was not kept waiting through the pause'),
      };
    },
  },
  {
    id: 'bandwidth',
    label: 'With a bandwidth toxic of R bytes/s, the server receives at R (within 20%)',
    check: (q) => {
      const v = proxyView(q.events);
      const m = measuredBandwidth(q.events, v);
      if (!m) return { held: false, detail: v.spans.some((x) => x.name === 'bandwidth') ? 'the bandwidth toxic was not on for 2 s of reading yet' : 'no bandwidth toxic upstream in this run' };
      const ratio = m.rate / m.limit;
      return { held: ratio >= 0.8 && ratio <= 1.2, detail: `limit ${m.limit} B/s; the server read ${m.bytes} B in ${s(m.to - m.from)}: ${Math.round(m.rate)} B/s (${(ratio * 100).toFixed(1)}% of the limit)` };
    },
  },
  {
    id: 'toxics-traced',
    label: 'Every toxic switched on or off is in the trace, with its parameters',
    check: (q) => {
      const v = proxyView(q.events);
      const controls = q.of('control', 'proxy').filter((c) => c.command.startsWith('toxic'));
      const refused = q.custom('toxic-refused', 'proxy').length;
      if (v.changes.length === 0) return { held: false, detail: 'no toxic was switched on or off' };
      const list = v.changes.map((c) => `${s(c.t)} ${c.name} ${c.on ? `on${c.params ? ` (${Object.entries(c.params).map(([k, x]) => `${k}=${x}`).join(', ')})` : ''}` : 'off'}`);
      return { held: controls.length <= v.changes.length + refused, detail: `${list.join('; ')}${refused ? `; ${refused} refused` : ''}` };
    },
  },
];
