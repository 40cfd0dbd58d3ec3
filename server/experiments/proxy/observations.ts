/**
 * What the proxy experiment expects, from the trace (shared/proxy/proxy-view.ts and ./pipeline.ts):
 * the copy is lossless and in order, a paused server stalls the proxy and, through it, the client
 * (and releases them in that order), a bandwidth toxic holds the server's receive rate near its
 * limit, and every toxic change asked for is in the trace with the parameters it was asked with.
 */
import type { ObservationSpec } from '../experiment.js';
import { inOrder } from '../../../shared/trace/query.js';
import { measuredBandwidth, proxyView, type ToxicChange } from '../../../shared/proxy/proxy-view.js';
import { chains, compareWithClient, horizon, inFlight, proxyHoldLimit, recentFlow } from './pipeline.js';
import { parseToxicList, toxicSetting } from './toxics/index.js';

const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const none = (detail: string) => ({ held: false, reached: false, detail });
const paramsText = (p: Record<string, number> | undefined) => (p && Object.keys(p).length ? ` (${Object.entries(p).map(([k, x]) => `${k}=${x}`).join(', ')})` : '');
const sameParams = (a: Record<string, number>, b: Record<string, number> | undefined) =>
  b !== undefined && Object.keys(a).length === Object.keys(b).length && Object.entries(a).every(([k, x]) => b[k] === x);

/** A toxic change the proxy was asked for: by the `toxics` parameter (at its start) or by a control. */
interface Asked { t: number; name: string; on: boolean; dir?: number; params?: Record<string, number>; refused?: string; source: 'param' | 'control' }

/** How long the proxy may take to report a control before a missing report counts as missing. */
const REPORT_MS = 1000;

export const observations: ObservationSpec[] = [
  {
    id: 'copies',
    label: 'The proxy copies: the server read the bytes the client wrote, the same bytes in the same order, all of them but what was still in the buffers',
    check: (q, params) => {
      if (chains(q).every((c) => c.clientWrote === 0)) return none('the client has written nothing through the proxy yet');
      // Counts compared at the latest moment the trace has all three programs' reports for.
      const at = horizon(q, ['client', 'proxy', 'server']);
      const end = q.events.reduce((m, e) => Math.max(m, e.t), 0);
      const when = at < end - 250 ? ` (at ${s(at)}, the latest moment the trace has every program's reports for)` : '';
      const cs = chains(q, at).filter((c) => c.clientWrote > 0);
      if (cs.length === 0) return none(`the client's first bytes are not in every program's reports yet${when}`);
      let compared = 0;
      const lines: string[] = [];
      for (const [i, c] of cs.entries()) {
        const label = cs.length > 1 ? `connection ${i + 1}: ` : '';
        const counts = `${label}client wrote ${c.clientWrote} B; the proxy read ${c.proxyRead} B from it and wrote ${c.proxyWrote} B to the server; the server read ${c.serverRead} B${i === 0 ? when : ''}`;
        const content = compareWithClient(q, c, String(params.workload), Number(params.chunkBytes));
        compared += content.compared;
        if (content.firstDiff) {
          const d = content.firstDiff;
          return { held: false, detail: `${counts}; at byte ${d.offset} ${d.who} read "${d.got}" where the client's stream has "${d.expected}"` };
        }
        // What the proxy holds is bounded by its queue: beyond that, it dropped bytes.
        const held = c.proxyRead - c.proxyWrote;
        const limit = proxyHoldLimit(q, c);
        if (held > limit) return { held: false, detail: `${counts}: the proxy read ${held} B more than it wrote on, more than its queue holds (${limit} B): it dropped them` };
        const f = inFlight(q, c, at);
        const gap = c.clientWrote - c.serverRead;
        const slack = recentFlow(q, c, at);
        const missing = gap - f.bytes;
        const where = f.parts.length ? f.parts.join(', ') : 'nothing';
        if (missing > slack) {
          if (f.unseen.length) return none(`${counts}; ${gap} B not at the server yet, of which the last looks account for ${f.bytes} B; the kernel never showed ${f.unseen.join(', ')}, so the rest cannot be told from lost bytes`);
          return { held: false, detail: `${counts}: ${missing} B are neither at the server nor in any buffer at the last look (${where})` };
        }
        lines.push(`${counts}${gap > 0 ? `; the ${gap} B not read were in the buffers at the last look (${where})` : ''}`);
      }
      if (cs.every((c) => c.serverRead === 0)) return none(`${lines.join('; ')}; no byte has reached the server yet`);
      return { held: true, detail: `${lines.join('; ')}; the ${compared} B of the reads the lab kept are the client's stream at their offsets` };
    },
  },
  {
    id: 'backpressure',
    label: 'A paused server stalls the proxy’s write() to it (false during the pause) and, through the proxy, the client’s; neither gets \'drain\' before the server reads again, and the proxy gets it first',
    check: (q) => {
      const v = proxyView(q.events);
      const pause = q.first('custom', 'server', (e) => e.name === 'reader' && e.data.state === 'paused');
      if (!pause) return none('the server has not paused yet (pauseAtMs, or “Pause server”)');
      const resume = q.firstAfter('custom', pause.t, 'server', (e) => e.name === 'reader' && e.data.state === 'reading');
      const at = resume?.t ?? Infinity;
      // The waits the resume ended: open at that moment (or still open at the end of the trace).
      const openAt = (w: { from: number; to: number | null }) => w.from < at && (w.to === null || w.to >= at);
      const proxyWait = v.proxyWaits.find(openAt);
      const clientWait = v.clientWaits.find(openAt);
      const told = [
        `server paused at ${s(pause.t)}${resume ? `, read again at ${s(resume.t)}` : ''}`,
        proxyWait ? `the proxy's write() to it returned false at ${s(proxyWait.from)}${proxyWait.to !== null ? `, 'drain' at ${s(proxyWait.to)}` : ', no \'drain\' yet'}` : 'the proxy\'s write() to it was not held back',
        clientWait ? `the client's write() returned false at ${s(clientWait.from)}${clientWait.to !== null ? `, 'drain' at ${s(clientWait.to)}` : ', no \'drain\' yet'}` : 'the client was not held back',
      ].join('; ');
      if (!resume) return none(`${told}; the server has not read again yet`);
      if (!proxyWait) return { held: false, detail: told };
      if (proxyWait.from < pause.t) return { held: false, detail: `${told}: the proxy was held back before the pause` };
      if (!clientWait) return { held: false, detail: told };
      if (proxyWait.to === null || clientWait.to === null) return none(`${told}; not released yet`);
      if (!inOrder({ t: resume.t }, { t: proxyWait.to }, { t: clientWait.to })) return { held: false, detail: `${told}: the client got 'drain' before the proxy` };
      return { held: true, detail: `${told}: released in order, the server reading, then the proxy, then the client` };
    },
  },
  {
    id: 'bandwidth',
    label: 'With a bandwidth toxic of R bytes/s on the way to the server, and a client that writes faster, the server receives at R (within 20%)',
    check: (q, params) => {
      const v = proxyView(q.events);
      if (params.workload === 'echo') return none('the echo workload writes a line every intervalMs: no client here writes faster than a bandwidth limit');
      const m = measuredBandwidth(q.events, v);
      if (!m) return none(v.spans.some((x) => x.name === 'bandwidth' && x.dir !== 2) ? 'the bandwidth toxic has not been on for 2 s of reading yet' : 'no bandwidth toxic towards the server in this run');
      // The toxic is the limit only if the client had more to send: it waited for 'drain' in the window.
      const pushed = v.clientWaits.some((w) => w.from < m.to && (w.to === null || w.to > m.from));
      const ratio = m.rate / m.limit;
      const detail = `limit ${m.limit} B/s; the server read ${m.bytes} B in ${s(m.to - m.from)}: ${Math.round(m.rate)} B/s (${(ratio * 100).toFixed(1)}% of the limit)`;
      if (!pushed) return none(`${detail}; the client was never held back meanwhile, so the limit was not what set the rate`);
      return { held: ratio >= 0.8 && ratio <= 1.2, detail };
    },
  },
  {
    id: 'toxics-traced',
    label: 'Every toxic switched on or off (by the toxics parameter or a control) is in the trace, with the direction and parameters it was set with',
    check: (q, params) => {
      const v = proxyView(q.events);
      const end = q.events.reduce((m, e) => Math.max(m, e.t), 0);
      const asked: Asked[] = [];
      const initial = parseToxicList(String(params.toxics ?? ''));
      const started = q.first('listen', 'proxy');
      if (typeof initial !== 'string' && started) for (const x of initial) asked.push({ t: started.t, name: x.name, on: true, dir: x.dir, params: x.params, source: 'param' });
      const active = new Set<string>(typeof initial === 'string' ? [] : initial.map((x) => x.name));
      for (const c of q.of('control', 'proxy')) {
        if (c.command === 'toxics-off') {
          for (const name of active) asked.push({ t: c.t, name, on: false, source: 'control' });
          active.clear();
          continue;
        }
        if (!c.command.startsWith('toxic-')) continue;
        const name = c.command.slice('toxic-'.length);
        const on = c.args.on === undefined || Number(c.args.on) !== 0;
        if (!on) { asked.push({ t: c.t, name, on: false, source: 'control' }); active.delete(name); continue; }
        const setting = toxicSetting(name, c.args);
        if (typeof setting === 'string') asked.push({ t: c.t, name, on: true, refused: setting, source: 'control' });
        else { asked.push({ t: c.t, name, on: true, dir: setting.dir, params: setting.params, source: 'control' }); active.add(name); }
      }
      if (asked.length === 0) return none('no toxic was switched on or off in this run (the toxics parameter is empty, no control was used)');
      const used = new Set<ToxicChange>();
      const refusals = q.custom('toxic-refused', 'proxy');
      const usedRefusals = new Set<number>();
      const list: string[] = [];
      for (const a of asked) {
        const what = `${a.name} ${a.on ? `on${a.dir !== undefined ? ` dir ${a.dir}` : ''}${paramsText(a.params)}` : 'off'} (${a.source === 'param' ? 'toxics parameter' : `control at ${s(a.t)}`})`;
        if (a.refused !== undefined) {
          const i = refusals.findIndex((r, k) => !usedRefusals.has(k) && r.t >= a.t && r.data.name === a.name);
          if (i < 0) { if (end - a.t < REPORT_MS) return none(`${list.concat(`${what}: not answered yet`).join('; ')}`); return { held: false, detail: `${what}: the proxy should have refused it (${a.refused}) and did not say so` }; }
          usedRefusals.add(i);
          list.push(`${what}: refused, ${a.refused}`);
          continue;
        }
        const change = v.changes.find((x) => !used.has(x) && x.name === a.name && x.t >= a.t - 1 && x.on === a.on);
        if (!change) {
          if (end - a.t < REPORT_MS) return none(`${list.concat(`${what}: not in the trace yet`).join('; ')}`);
          return { held: false, detail: `${list.concat(`${what}: the proxy never reported it`).join('; ')}` };
        }
        used.add(change);
        if (a.on && (change.dir !== a.dir || !sameParams(a.params ?? {}, change.params))) {
          return { held: false, detail: `${list.join('; ')}${list.length ? '; ' : ''}${what}: the proxy reported it at ${s(change.t)} with dir ${change.dir ?? '?'}${paramsText(change.params)}` };
        }
        list.push(`${what}: at ${s(change.t)}`);
      }
      return { held: true, detail: list.join('; ') };
    },
  },
];
