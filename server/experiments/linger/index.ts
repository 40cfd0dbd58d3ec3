import { z } from 'zod';
import { defineExperiment } from '../experiment.js';
import { lingerOutcome, expectedEnd, sawReset } from '../../../shared/trace/linger-outcome.js';
import { narrative } from './narrative.js';

export default defineExperiment({
  id: 'linger',
  title: 'Linger: closing with data still on its way',
  group: 'Closing',
  order: 40,
  summary: 'SO_LINGER default, 0 and n seconds, end() versus destroy(): who gets the bytes, FIN or RST, and how long close() blocks.',
  seeds: ['000'],
  params: z.object({
    bytes: z.number().int().min(1).max(16 * 1024 * 1024).default(1024 * 1024).describe('Bytes the writer hands to write() before closing'),
    linger: z.enum(['default', 'zero', 'seconds']).default('default').describe('SO_LINGER on the writer: default = not set (Go SetLinger(-1)); zero = {on, 0 s} (SetLinger(0)); seconds = {on, lingerSeconds} (SetLinger(n))'),
    lingerSeconds: z.number().int().min(1).max(30).default(2).describe('n for linger = seconds'),
    close: z.enum(['destroy', 'end']).default('destroy').describe('How the writer closes: destroy() = close(2) now, like Go’s Close; end() = FIN after Node’s queue, close later'),
    closeAfterMs: z.number().int().min(0).max(10_000).default(500).describe('Time between the last write() and the close call (ms)'),
    pauseMs: z.number().int().min(0).max(30_000).default(3500).describe('How long the reader does not read after accepting (ms)'),
    sndbuf: z.number().int().min(0).max(8 * 1024 * 1024).default(65536).describe('SO_SNDBUF asked for on the writer (Linux doubles it); 0 = kernel default with autotuning, which takes the whole MiB into the kernel'),
    port: z.number().int().min(0).max(65535).default(0).describe('Reader port (0 = any free port)'),
  }),
  roles: [
    { name: 'reader', program: 'reader.js', listens: true, summary: 'accepts, does not read for pauseMs, then reads to the end' },
    { name: 'writer', program: 'writer.js', after: 'reader', summary: 'writes `bytes`, then closes with the chosen SO_LINGER and call' },
  ],
  narrative,
  observations: [
    {
      id: 'close-timing',
      label: 'close returned when Linux says: without SO_LINGER n at once; with it after n s, or once the reader had everything',
      check: (q, p) => {
        const o = lingerOutcome(q);
        if (o.closeBlockedMs === null || o.closeReturnedAt === null) return { held: false, detail: 'the writer has not closed yet' };
        const blocked = `${o.closeCall} stalled the writer ${o.closeBlockedMs.toFixed(1)} ms`;
        if (o.kernelSendQAtClose === 0) return { held: true, detail: `${blocked}; nothing was left in the send queue, so there was nothing to wait for` };
        // When the reader got its last byte (so far): a close that returned earlier did not wait for the peer.
        const lastRead = q.of('data', 'reader').at(-1)?.t ?? null;
        const beforeReader = lastRead === null || o.closeReturnedAt < lastRead;
        if (p.linger === 'seconds' && p.close === 'destroy') {
          const n = Number(p.lingerSeconds);
          const timedOut = o.closeBlockedMs >= n * 1000 - 200;
          const everything = lastRead !== null && lastRead <= o.closeReturnedAt;
          return { held: timedOut || everything, detail: `${blocked}; SO_LINGER ${n} s${timedOut ? ': the timer ran out' : everything ? ': returned once the reader had everything' : ': neither the timer nor the reader explains it'}` };
        }
        return { held: beforeReader, detail: `${blocked}, ${beforeReader ? 'before' : 'NOT before'} the reader had the data` };
      },
    },
    {
      id: 'peer-end',
      label: 'The reader saw the end the setting predicts: EOF after a FIN, ECONNRESET after an RST',
      check: (q, p) => {
        const o = lingerOutcome(q);
        const want = expectedEnd(String(p.linger), String(p.close));
        if (!o.peerEnd) return { held: false, detail: 'the reader has not seen the end yet' };
        const reset = sawReset(o.peerEnd);
        const saw = `${o.peerEnd.how}${o.peerEnd.kernelError ? ` (the kernel held ${o.peerEnd.kernelError})` : ''}`;
        return { held: want === 'ECONNRESET' ? reset : !reset && o.peerEnd.how === 'EOF', detail: `reader saw ${saw} at ${o.peerEnd.t.toFixed(0)} ms after ${o.peerRead} B (expected ${want === 'ECONNRESET' ? 'a reset' : 'a clean EOF'})` };
      },
    },
    {
      id: 'bytes',
      label: 'Bytes delivered: every byte the kernel had taken (end(): every byte handed to write()); fewer after an RST',
      check: (q, p) => {
        const o = lingerOutcome(q);
        if (!o.peerEnd) return { held: false, detail: 'the reader has not finished yet' };
        const detail = `handed to write() ${o.handedToWrite} B, the kernel had taken ${o.kernelTookAtClose ?? '?'} B at close, reader read ${o.peerRead} B`;
        if (expectedEnd(String(p.linger), String(p.close)) === 'ECONNRESET') return { held: o.peerRead < o.handedToWrite, detail: `${detail} — ${o.handedToWrite - o.peerRead} B lost` };
        if (p.close === 'end') return { held: o.peerRead === o.handedToWrite, detail };
        if (o.kernelTookAtClose === null) return { held: false, detail: `${detail} (the kernel's count is unknown)` };
        return { held: o.peerRead === o.kernelTookAtClose, detail: `${detail}${o.handedToWrite > o.kernelTookAtClose ? ` — destroy() threw away the ${o.handedToWrite - o.kernelTookAtClose} B Node still held` : ''}` };
      },
    },
    {
      id: 'afterlife',
      label: 'After close the kernel kept the writer’s socket as predicted: FIN_WAIT then TIME_WAIT (orphaned and still sending after destroy()); gone at once after RST',
      check: (q, p) => {
        const o = lingerOutcome(q);
        if (!o.kernel) return { held: false, detail: 'no kernel samples in this run (kernel view off)' };
        if (o.closeReturnedAt === null) return { held: false, detail: 'the writer has not closed yet' };
        const states = o.kernel.statesAfterClose;
        const seen = states.join(' → ') || 'nothing';
        const timeWait = states.includes('TIME_WAIT');
        if (expectedEnd(String(p.linger), String(p.close)) === 'ECONNRESET') {
          return { held: !o.kernel.orphanSending && !timeWait, detail: `writer's socket after close: ${seen}` };
        }
        const mustOrphan = p.close === 'destroy' && (o.kernelSendQAtClose ?? 0) > 0;
        return {
          held: timeWait && (!mustOrphan || o.kernel.orphanSending),
          detail: `writer's socket after close: ${seen}${o.kernel.orphanSending ? `; orphaned with up to ${o.kernel.orphanMaxSendQ} B still to send` : ''}`,
        };
      },
    },
  ],
  defaultDurationMs: 20_000,
  endWhenAllExit: true,
});
